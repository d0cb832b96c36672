import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a policy's period starts.
public enum CountFrom: String, Sendable, Hashable, CaseIterable {
    /// The Date header; the archive time when it is missing or invalid.
    case messageDate = "message-date"
    /// When the message was first archived.
    case archived
    /// 1 January 00:00 UTC after the calendar year of the message date (the archive time when the
    /// Date header is missing or invalid): HGB §257 (5) and AO §147 (4) start the period "with the end
    /// of the calendar year" in which the letter was received or sent.
    case yearEnd = "year-end"

    /// The start of the period for one message.
    public func start(of message: RetentionCandidate) -> Date {
        switch self {
        case .messageDate: return message.date ?? message.archivedAt
        case .archived: return message.archivedAt
        case .yearEnd:
            let calendar = RetentionPeriod.calendar
            let year = calendar.component(.year, from: message.date ?? message.archivedAt)
            return calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1)) ?? .distantFuture
        }
    }

    /// Whether switching from `old` to this never starts a message's period earlier: only staying,
    /// or message-date → year-end (the end of the message's year is never before its date).
    func neverStartsEarlier(than old: CountFrom) -> Bool {
        self == old || (old == .messageDate && self == .yearEnd)
    }
}

/// What happens to a message when its period is over.
public enum RetentionAction: String, Sendable, Hashable, CaseIterable {
    /// From the archive and from every mailbox.
    case purge
    /// The archive copy only; mailboxes keep their placements.
    case purgeArchive = "purge-archive"
    /// Nothing: the message stays.
    case keep

    /// What `MailStore.purge` is told; nil for `keep`, which never purges.
    public var purgeScope: PurgeScope? {
        switch self {
        case .purge: .archiveAndMailboxes
        case .purgeArchive: .archiveOnly
        case .keep: nil
        }
    }

    /// Higher removes less: purge < purge-archive < keep. A locked policy may only move up.
    var leniency: Int {
        switch self {
        case .purge: 0
        case .purgeArchive: 1
        case .keep: 2
        }
    }
}

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
    public var source: PolicySource

    public init(name: String, description: String = "", match: String, query: SearchQuery?,
                retain: RetentionPeriod, countFrom: CountFrom, action: RetentionAction, locked: Bool = false,
                source: PolicySource) {
        self.name = name
        self.description = description
        self.match = match
        self.query = query
        self.retain = retain
        self.countFrom = countFrom
        self.action = action
        self.locked = locked
        self.source = source
    }

    /// The `match` text that means every message.
    public static let matchEverything = "*"

    /// When this policy's period for `message` ends.
    public func expiry(of message: RetentionCandidate) -> Date {
        retain.end(from: countFrom.start(of: message))
    }
}
