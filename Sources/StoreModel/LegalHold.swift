#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A legal hold (schema "v6"): a named case whose query's messages are never purged while it is
/// active. The hold is the query, not a list of messages, so mail that arrives later and matches is
/// held too; it is evaluated each time retention plans and again right before a purge executes.
public struct LegalHold: Sendable, Hashable, Codable {
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

    /// 1–200 characters, no control characters, no white space around.
    public static func isValidName(_ name: String) -> Bool {
        (1...200).contains(name.count) && !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            && name.trimmingCharacters(in: .whitespaces) == name
    }

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

/// Why a hold change was refused.
public enum LegalHoldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Case names are unique for ever, so that a released case's record is never overwritten.
    case exists(String, releasedAt: Date?)
    case unknown(String)
    case alreadyReleased(String, releasedAt: Date)
    /// A case name must be 1–200 characters without control characters.
    case invalidName(String)

    public var description: String {
        switch self {
        case .exists(let name, nil): "hold \"\(name)\" already exists"
        case .exists(let name, let released?):
            "hold \"\(name)\" exists (released \(Timestamp.string(released))); case names are not reused, "
                + "choose another"
        case .unknown(let name): "no hold \"\(name)\""
        case .alreadyReleased(let name, let released):
            "hold \"\(name)\" was already released \(Timestamp.string(released))"
        case .invalidName(let name): "invalid case name \"\(name)\" (1 to 200 characters, no control characters)"
        }
    }
}
