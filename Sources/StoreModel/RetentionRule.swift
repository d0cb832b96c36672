#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a policy's period starts. Every choice counts from a time Tresor can vouch for: the
/// received time (when Tresor accepted the message, or for imported mail the best trace it carries,
/// see `ReceivedTimeSource`), never from a date the sender wrote alone.
public enum CountFrom: String, Sendable, Hashable, CaseIterable {
    /// The received time (the recommended choice).
    case received
    /// The `Date:` field where it is plausible — not before 1970, not after the received time plus
    /// a day, and within the tolerance (30 days unless configured) of the received time — else the
    /// received time.
    case messageDate = "message-date"
    /// When the message was first archived (for imported mail: the import).
    case archived
    /// 1 January 00:00 UTC after the calendar year of the received time: HGB §257 (5) and AO §147
    /// (4) start the period "with the end of the calendar year" in which the letter was received or
    /// sent.
    case yearEnd = "year-end"

    /// How far the `Date:` field may lie from the received time and still start a period.
    public static let defaultMessageDateTolerance: TimeInterval = 30 * 86_400

    /// The start of the period for one message.
    public func start(of message: RetentionCandidate,
                      messageDateTolerance: TimeInterval = CountFrom.defaultMessageDateTolerance) -> Date {
        switch self {
        case .received:
            return message.receivedAt
        case .messageDate:
            guard let date = message.date, date >= Date(timeIntervalSince1970: 0),
                date <= message.receivedAt.addingTimeInterval(86_400),
                abs(date.timeIntervalSince(message.receivedAt)) <= messageDateTolerance
            else { return message.receivedAt }
            return date
        case .archived:
            return message.archivedAt
        case .yearEnd:
            let calendar = RetentionPeriod.calendar
            let year = calendar.component(.year, from: message.receivedAt)
            return calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1)) ?? .distantFuture
        }
    }

    /// Whether switching from `old` to this never starts a message's period earlier: staying, or
    /// moving to year-end from received or message-date (the end of the received year; a plausible
    /// message date lies at most a day after the received time, so only a message received on a
    /// year's last day could start its message-date period a few hours into the next year).
    public func neverStartsEarlier(than old: CountFrom) -> Bool {
        self == old || (self == .yearEnd && (old == .received || old == .messageDate))
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
    public var leniency: Int {
        switch self {
        case .purge: 0
        case .purgeArchive: 1
        case .keep: 2
        }
    }
}

