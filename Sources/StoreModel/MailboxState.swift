import Foundation

/// One mailbox in a LIST answer (RFC 3501 §6.3.8, RFC 6154 special-use, RFC 5258 \HasChildren).
public struct MailboxListing: Sendable, Hashable {
    /// The stored name, levels separated by "/" ("INBOX", "Lists/swift").
    public var name: String
    /// RFC 6154 attribute, e.g. `\Sent`; nil for INBOX and ordinary folders.
    public var specialUse: String?
    public var subscribed: Bool
    /// Whether some other mailbox has this name followed by "/" as its prefix.
    public var hasChildren: Bool

    public init(name: String, specialUse: String?, subscribed: Bool, hasChildren: Bool) {
        self.name = name
        self.specialUse = specialUse
        self.subscribed = subscribed
        self.hasChildren = hasChildren
    }
}

/// STATUS items (RFC 3501 §6.3.10, RFC 7162 §3.1.2.1 HIGHESTMODSEQ, RFC 8438 SIZE).
public struct MailboxStatus: Sendable, Hashable {
    public var messages: Int
    /// RFC 3501 §2.3.1.1: the UID the next message will get.
    public var uidNext: UInt32
    public var uidValidity: UInt32
    /// Messages without `\Seen`.
    public var unseen: Int
    /// RFC 7162 §3.1.2.1.
    public var highestModSeq: UInt64
    /// Sum of the messages' RFC 822 sizes in octets.
    public var size: Int64
    /// Messages flagged `\Deleted` (RFC 9051 §6.3.11 DELETED).
    public var deleted: Int
    /// Sum of the messages' transmitted sizes (CRLF line ends, `TransmittedSize`), what RFC 8438
    /// SIZE reports; placements without one (`sizesPending`) count their stored size.
    public var transmittedSize: Int64
    /// Placements older than schema "v5" whose transmitted size is not stored yet.
    public var sizesPending: Int
    /// Always 0: `\Recent` is not kept (RFC 9051 §2.3.2 dropped it).
    public var recent: Int { 0 }

    public init(messages: Int, uidNext: UInt32, uidValidity: UInt32, unseen: Int, highestModSeq: UInt64, size: Int64, deleted: Int, transmittedSize: Int64, sizesPending: Int) {
        self.messages = messages
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.unseen = unseen
        self.highestModSeq = highestModSeq
        self.size = size
        self.deleted = deleted
        self.transmittedSize = transmittedSize
        self.sizesPending = sizesPending
    }
}

/// Where a placed message's bytes live.
public enum MessageBodySource: Sendable, Hashable {
    /// In the archive, under the placement's `sha256`; `envelope` is the delivery that placed it.
    case archive(envelope: RecordLocation)
    /// In the catalog's draft store (APPEND into a `\Drafts` mailbox, never archived).
    case draft(id: Int64)
}

/// One message of a mailbox as a session sees it.
public struct MailboxEntry: Sendable, Hashable {
    public var uid: UInt32
    public var flags: MessageFlags
    /// RFC 7162 §3.1.1: the MODSEQ of its last change (placement or flags).
    public var modSeq: UInt64
    /// RFC 3501 §2.3.3.
    public var internalDate: Date
    /// RFC 3501 §2.3.4: octets of the stored message.
    public var size: Int
    /// Octets with CRLF line ends (`TransmittedSize`), what IMAP reports as RFC822.SIZE; nil for a
    /// placement older than schema "v5" whose size nobody has computed yet.
    public var transmittedSize: Int?
    /// Lower-case hex SHA-256 of the stored bytes.
    public var sha256: String
    public var body: MessageBodySource

    public init(uid: UInt32, flags: MessageFlags, modSeq: UInt64, internalDate: Date, size: Int, transmittedSize: Int?, sha256: String, body: MessageBodySource) {
        self.uid = uid
        self.flags = flags
        self.modSeq = modSeq
        self.internalDate = internalDate
        self.size = size
        self.transmittedSize = transmittedSize
        self.sha256 = sha256
        self.body = body
    }
}

/// A whole mailbox at one instant (one read transaction), messages in UID order.
public struct MailboxSnapshot: Sendable, Hashable {
    public var name: String
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    public var specialUse: String?
    public var messages: [MailboxEntry]

    public init(name: String, uidValidity: UInt32, uidNext: UInt32, highestModSeq: UInt64, specialUse: String?, messages: [MailboxEntry]) {
        self.name = name
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.specialUse = specialUse
        self.messages = messages
    }
}

/// What changed in a mailbox after a MODSEQ (RFC 7162 §3.1.4 CHANGEDSINCE, §3.2.5.2 VANISHED).
public struct MailboxChanges: Sendable, Hashable {
    /// If it differs from the session's, every UID it knows is void (RFC 3501 §2.3.1.1).
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    /// Messages placed or whose flags changed after the given MODSEQ, in UID order.
    public var changed: [MailboxEntry]
    /// UIDs expunged after the given MODSEQ, ascending.
    public var expunged: [UInt32]

    public init(uidValidity: UInt32, uidNext: UInt32, highestModSeq: UInt64, changed: [MailboxEntry], expunged: [UInt32]) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.changed = changed
        self.expunged = expunged
    }
}

/// How STORE combines the given flags with a message's (RFC 3501 §6.4.6).
public enum FlagStoreMode: Sendable, Hashable {
    case add, remove, replace
}

/// A message's flags after a STORE.
public struct FlagState: Sendable, Hashable {
    public var uid: UInt32
    public var flags: MessageFlags
    public var modSeq: UInt64
    /// False when the STORE left its flags as they were (its MODSEQ then did not move).
    public var changed: Bool
    /// RFC 3501 §2.3.3, unchanged by STORE.
    public var internalDate: Date
    /// As `MailboxEntry.size` and `.transmittedSize`.
    public var size: Int
    public var transmittedSize: Int?

    public init(uid: UInt32, flags: MessageFlags, modSeq: UInt64, changed: Bool, internalDate: Date, size: Int, transmittedSize: Int?) {
        self.uid = uid
        self.flags = flags
        self.modSeq = modSeq
        self.changed = changed
        self.internalDate = internalDate
        self.size = size
        self.transmittedSize = transmittedSize
    }
}

/// What a STORE did (RFC 3501 §6.4.6, RFC 7162 §3.1.3).
public struct FlagStoreResult: Sendable, Hashable {
    /// Every message of the set that exists and passed UNCHANGEDSINCE, in UID order.
    public var messages: [FlagState]
    /// UIDs whose MODSEQ was above UNCHANGEDSINCE: left alone; the MODIFIED response code lists them.
    public var failed: [UInt32]
    public var highestModSeq: UInt64

    public init(messages: [FlagState], failed: [UInt32], highestModSeq: UInt64) {
        self.messages = messages
        self.failed = failed
        self.highestModSeq = highestModSeq
    }
}

/// COPYUID (RFC 4315 §3): the destination's UIDVALIDITY and the UIDs pairwise, in source order.
public struct CopyResult: Sendable, Hashable {
    public var uidValidity: UInt32
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]

    public init(uidValidity: UInt32, sourceUIDs: [UInt32], destinationUIDs: [UInt32]) {
        self.uidValidity = uidValidity
        self.sourceUIDs = sourceUIDs
        self.destinationUIDs = destinationUIDs
    }
}

/// What EXPUNGE or UID EXPUNGE removed (RFC 3501 §6.4.3, RFC 4315 §2.1).
public struct ExpungeResult: Sendable, Hashable {
    /// Ascending.
    public var expunged: [UInt32]
    public var highestModSeq: UInt64

    public init(expunged: [UInt32], highestModSeq: UInt64) {
        self.expunged = expunged
        self.highestModSeq = highestModSeq
    }
}

/// APPENDUID (RFC 4315 §3).
public struct AppendResult: Sendable, Hashable {
    public var uidValidity: UInt32
    public var uid: UInt32
    /// Whether the bytes went to the draft store instead of the archive.
    public var isDraft: Bool

    public init(uidValidity: UInt32, uid: UInt32, isDraft: Bool) {
        self.uidValidity = uidValidity
        self.uid = uid
        self.isDraft = isDraft
    }
}

/// The parts of a message an IMAP SEARCH text key looks in (RFC 3501 §6.4.4).
public enum SearchTextField: Sendable, Hashable, CaseIterable {
    case text, body, subject, from, to, cc, bcc
}

/// One text key of SEARCH: `field` contains `value`.
public struct SearchTextTerm: Sendable, Hashable {
    public var field: SearchTextField
    public var value: String

    public init(_ field: SearchTextField, _ value: String) {
        self.field = field
        self.value = value
    }
}
