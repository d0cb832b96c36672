import Catalog
import StoreModel

/// A change committed to one user's mailbox, told to the sessions watching it (IMAP IDLE, RFC 2177;
/// a selected mailbox's NOOP). It only says *that* something changed: a session then asks
/// `mailboxChanges(_:of:since:)` for what.
public struct MailboxChange: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Delivered (SMTP, Sieve filing), appended, copied or moved in.
        case messagesAdded
        case flagsChanged
        /// EXPUNGE, MOVE out, POP3 UPDATE.
        case messagesExpunged
        /// The mailbox now has another name (for INBOX: its messages moved there; INBOX is new).
        case renamed(to: String)
        case deleted
    }

    /// The folded user address.
    public var user: String
    /// The stored mailbox name.
    public var mailbox: String
    public var kind: Kind

    public init(user: String, mailbox: String, kind: Kind) {
        self.user = user
        self.mailbox = mailbox
        self.kind = kind
    }
}

/// The in-process broadcaster of `MailboxChange`s, keyed by (user, mailbox). Every path of this
/// `MailStore` that commits a change to a mailbox publishes here after its transaction: deliveries
/// (with Sieve filings) and recovery, POP3 UPDATE, and every IMAP operation. Changes another process
/// makes (the `tresor` CLI) are not seen live; a session sees them at its next `mailboxChanges`.
///
/// A subscriber holds an `AsyncStream`; it is removed when the stream is cancelled or dropped. Each
/// stream buffers the newest `bufferLimit` changes: the events are wake-ups, and a session that
/// falls behind loses nothing by missing some, since it reads the changes from the catalog.
public actor MailboxChangeFeed {
    public static let bufferLimit = 64

    private struct Key: Hashable, Sendable {
        let user: String
        let mailbox: String
    }

    private var subscribers: [Key: [UInt64: AsyncStream<MailboxChange>.Continuation]] = [:]
    private var nextID: UInt64 = 0

    public init() {}

    /// A stream of the changes to `mailbox` of `user` (both in stored form), from now on.
    public func subscribe(user: String, mailbox: String) -> AsyncStream<MailboxChange> {
        let key = Key(user: user, mailbox: mailbox)
        let id = nextID
        nextID += 1
        let (stream, continuation) = AsyncStream.makeStream(
            of: MailboxChange.self, bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        continuation.onTermination = { [weak self] _ in
            Task { await self?.remove(key, id: id) }
        }
        subscribers[key, default: [:]][id] = continuation
        return stream
    }

    public func publish(_ change: MailboxChange) {
        guard let streams = subscribers[Key(user: change.user, mailbox: change.mailbox)] else { return }
        for continuation in streams.values { continuation.yield(change) }
    }

    public func publish(_ changes: [MailboxChange]) {
        for change in changes { publish(change) }
    }

    /// How many streams are open (all mailboxes).
    public var subscriberCount: Int { subscribers.values.reduce(0) { $0 + $1.count } }

    private func remove(_ key: Key, id: UInt64) {
        subscribers[key]?[id] = nil
        if subscribers[key]?.isEmpty == true { subscribers[key] = nil }
    }
}
