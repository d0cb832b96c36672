#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A restriction of processing (GDPR Art. 18): a named case whose query's messages are hidden from
/// their owners' views — IMAP, POP3 and ordinary `tresor search` — while it is active. Like a legal
/// hold it is the query, not a list of messages: mail that arrives later and matches is restricted
/// too (the catalog evaluates every active restriction when it indexes a message). It changes
/// nothing else: retention, legal holds and purges treat a restricted message like any other.
public struct ProcessingRestriction: Sendable, Hashable, Codable {
    /// The case name, unique for ever (a released case keeps its record).
    public var name: String
    /// In the search language (`SearchQuery`).
    public var query: String
    public var reason: String
    public var createdBy: String
    public var createdAt: Date
    public var releasedBy: String?
    public var releasedAt: Date?
    public var releaseReason: String?
    public var isActive: Bool { releasedAt == nil }

    public init(name: String, query: String, reason: String, createdBy: String, createdAt: Date,
                releasedBy: String? = nil, releasedAt: Date? = nil, releaseReason: String? = nil) {
        self.name = name
        self.query = query
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.releasedBy = releasedBy
        self.releasedAt = releasedAt
        self.releaseReason = releaseReason
    }
}

/// Why a restriction change was refused.
public enum RestrictionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Case names are unique for ever, so that a released case's record is never overwritten.
    case exists(String, releasedAt: Date?)
    case unknown(String)
    case alreadyReleased(String, releasedAt: Date)
    case invalidName(String)

    public var description: String {
        switch self {
        case .exists(let name, nil): "restriction \"\(name)\" already exists"
        case .exists(let name, let released?):
            "restriction \"\(name)\" exists (released \(Timestamp.string(released))); case names are not reused, "
                + "choose another"
        case .unknown(let name): "no restriction \"\(name)\""
        case .alreadyReleased(let name, let released):
            "restriction \"\(name)\" was already released \(Timestamp.string(released))"
        case .invalidName(let name): "invalid case name \"\(name)\" (1 to 200 characters, no control characters)"
        }
    }
}
