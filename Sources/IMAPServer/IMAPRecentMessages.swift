import Synchronization

/// Which messages are still \Recent (RFC 3501 §2.3.2): "the message has recently arrived in this
/// mailbox. This session is the first session to have been notified about this message" — so a
/// message is recent in exactly one session, the first read-write one that selects the mailbox
/// (or sees the message arrive) after it came. A backend keeps one of these for all its sessions
/// and answers `IMAPBackend.claimRecent` from it.
///
/// Invariants:
/// - UIDs ascend in the order messages arrive (RFC 3501 §2.3.1.1), so one number per mailbox
///   says what was claimed: every UID up to `claimedThrough`. A new UIDVALIDITY starts afresh.
/// - A mailbox this process has not seen yet has nothing claimed: after a restart, the first
///   session to select it sees every message as recent, which §2.3.2 allows ("if it is not
///   possible to determine whether or not this session is the first session to be notified about
///   a message, then that message SHOULD be considered recent").
/// - Bounded: past `capacity` mailboxes the table is emptied, with the same consequence.
/// - EXAMINE does not claim (RFC 3501 §6.3.2: it "MUST NOT cause messages to lose the \Recent
///   flag"), but still sees the unclaimed messages as recent.
public final class IMAPRecentMessages: Sendable {
    private struct Key: Hashable {
        var user: String
        var mailbox: String
        var uidValidity: UInt32
    }

    private let claimedThrough = Mutex([Key: UInt32]())
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The UIDs among `uids` no session has claimed; with `consume`, they are claimed now by the
    /// caller's session.
    public func claim(_ uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, user: String, consume: Bool)
        -> Set<UInt32>
    {
        let key = Key(user: user, mailbox: mailbox.name, uidValidity: uidValidity)
        return claimedThrough.withLock { table in
            let boundary = table[key] ?? 0
            let recent = Set(uids.filter { $0 > boundary })
            if consume, let highest = recent.max() {
                if table[key] == nil, table.count >= capacity { table.removeAll() }
                table[key] = highest
            }
            return recent
        }
    }

    /// How many of a mailbox's messages, whose UIDs are `uids`, no session has claimed (STATUS
    /// RECENT, RFC 3501 §6.3.10), without claiming them.
    public func unclaimedCount(of uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, user: String) -> Int {
        claim(uids, in: mailbox, uidValidity: uidValidity, user: user, consume: false).count
    }

    /// The highest UID claimed in a mailbox (0: none), so a backend can tell whether any of its
    /// messages can still be recent without listing them.
    public func claimedThrough(in mailbox: MailboxName, uidValidity: UInt32, user: String) -> UInt32 {
        claimedThrough.withLock { $0[Key(user: user, mailbox: mailbox.name, uidValidity: uidValidity)] ?? 0 }
    }
}
