import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a policy was written.
public struct PolicySource: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user would name it (the folder's path joined with the file name).
    public var file: String
    /// The line of the policy's `[[policy]]` header.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One retention policy from a policy file.
public struct RetentionPolicy: Sendable, Hashable {
    /// Unique across all loaded files: letters, digits, `-`, `_`, `.`.
    public var name: String
    public var description: String
    /// The `match` text as written; `*` means every message.
    public var match: String
    /// The parsed `match`; nil for `*`.
    public var query: SearchQuery?
    public var retain: RetentionPeriod
    public var countFrom: CountFrom
    public var action: RetentionAction
    /// May be lengthened, never shortened, loosened or removed while messages it governs exist.
    public var locked: Bool
    /// A fallback governs only the messages that no other (non-fallback) policy matches: it fills
    /// the gaps and never outranks a policy written for the mail it matches. Never locked.
    public var fallback: Bool
    public var source: PolicySource

    public init(name: String, description: String = "", match: String, query: SearchQuery?,
                retain: RetentionPeriod, countFrom: CountFrom, action: RetentionAction, locked: Bool = false,
                fallback: Bool = false, source: PolicySource) {
        self.name = name
        self.description = description
        self.match = match
        self.query = query
        self.retain = retain
        self.countFrom = countFrom
        self.action = action
        self.locked = locked
        self.fallback = fallback
        self.source = source
    }

    /// The `match` text that means every message.
    public static let matchEverything = "*"

    /// When this policy's period for `message` ends.
    public func expiry(of message: RetentionCandidate) -> Date {
        retain.end(from: countFrom.start(of: message))
    }
}
