import ServerKit

/// Where the IMAP server finds accounts, mailboxes and messages. `MailServer` implements it
/// over `MailStore`; IMAPServer never sees storage.
///
/// Coarse-grained on purpose: one call per command (or per batch of messages), so that a store
/// can answer each in one transaction. Every mailbox call names the user `authenticate`
/// returned. Sizes are the octets a client receives: the message with CRLF line ends
/// (`IMAPMessageEncoding.transmittedSize(of:)`), so that RFC822.SIZE equals the length of BODY[].
///
/// Invariants the session relies on (RFC 3501 §2.3.1.1, RFC 7162 §3):
/// - UIDs in a mailbox strictly ascend in the order messages were added, and are never reused
///   while `uidValidity` stays the same.
/// - Every change to a message (flags, expunge) gives it a mod-sequence larger than any before
///   in that mailbox; `highestModSeq` is the largest.
public protocol IMAPBackend: Sendable {
    /// LOGIN or SASL PLAIN credentials; the canonical user, or nil. The backend is slow on
    /// failure (it sleeps), not the caller.
    func authenticate(username: String, password: String, session: IMAPSessionInfo) async -> String?

    /// Every mailbox of the user (LIST, LSUB), including INBOX, in any order, and the subscribed
    /// names whose mailbox does not exist (`exists` false).
    func mailboxes(of user: String) async throws(IMAPBackendError) -> [IMAPMailboxInfo]
    /// RFC 3501 §6.3.3. Creates missing parents too; `.alreadyExists` when it exists.
    func create(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError)
    /// RFC 6154 §3 (CREATE-SPECIAL-USE): creates the mailbox with one special-use attribute of
    /// RFC 6154 §2 (the session passes only those), or not at all: `.specialUseRefused` when
    /// the attribute cannot be given to it. A backend without special uses refuses every one.
    func create(_ mailbox: MailboxName, specialUse: String, user: String) async throws(IMAPBackendError)
    /// RFC 3501 §6.3.4: the mailbox and its messages (never INBOX, the session checks).
    func delete(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError)
    /// RFC 3501 §6.3.5: with its children; renaming INBOX moves its messages to a new mailbox.
    func rename(_ mailbox: MailboxName, to newName: MailboxName, user: String) async throws(IMAPBackendError)
    /// RFC 3501 §6.3.6/§6.3.7. A name that does not exist may be subscribed.
    func setSubscribed(_ mailbox: MailboxName, _ subscribed: Bool, user: String) async throws(IMAPBackendError)
    /// RFC 3501 §6.3.10.
    func status(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxStatus
    /// RFC 3501 §6.3.1: the mailbox as it is now.
    func select(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxSnapshot
    /// What changed since `modSeq` (RFC 7162 §3.1): messages added or changed, UIDs expunged.
    func changes(in mailbox: MailboxName, since modSeq: UInt64, user: String) async throws(IMAPBackendError)
        -> IMAPMailboxChanges
    /// Yields whenever the mailbox may have changed (RFC 2177 IDLE); finishes when it goes away.
    func changeNotifications(for mailbox: MailboxName, user: String) async -> AsyncStream<Void>
    /// The stored bytes of these messages; a UID missing from the answer was expunged.
    func messages(_ uids: [UInt32], in mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [UInt32: [UInt8]]
    /// RFC 3501 §6.4.6 with RFC 7162 §3.1.3: changes the flags of the messages whose
    /// mod-sequence is at most `unchangedSince` (all when nil); reports the others.
    func store(_ change: IMAPFlagChange, uids: [UInt32], unchangedSince: UInt64?, in mailbox: MailboxName, user: String)
        async throws(IMAPBackendError) -> IMAPStoreResult
    /// RFC 3501 §6.4.7 / RFC 6851 §3 (MOVE removes the sources): the new UIDs (RFC 4315 §3).
    func copy(_ uids: [UInt32], from mailbox: MailboxName, to destination: MailboxName, move: Bool, user: String)
        async throws(IMAPBackendError) -> IMAPCopyResult
    /// RFC 3501 §6.4.3 / RFC 4315 §2.1: removes the messages flagged \Deleted (only among
    /// `uids` when given); returns the UIDs removed.
    func expunge(_ uids: [UInt32]?, in mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [UInt32]
    /// RFC 3501 §6.3.11: `.nonExistent` when the mailbox does not exist (the client then gets
    /// [TRYCREATE]). The date is the client's, or now when nil.
    func append(_ message: [UInt8], flags: [IMAPFlag], internalDate: IMAPDateTime?, to mailbox: MailboxName,
                user: String) async throws(IMAPBackendError) -> IMAPAppendResult
    /// RFC 3502 §6.3.11 (MULTIAPPEND): every message into the mailbox in order, or none — "If
    /// the server is unable to append all of the messages, then none of the messages are
    /// appended" — with the same refusals as `append`.
    func appendAll(_ messages: [IMAPAppendItem], to mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [IMAPAppendResult]
    /// RFC 3501 §2.3.2: which of `uids` are \Recent for the asking session — those no session
    /// has claimed — claiming them when `consume` (a read-write SELECT, or new messages a
    /// read-write session is told of). `IMAPRecentMessages` keeps this for a backend.
    func claimRecent(_ uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, consume: Bool, user: String) async
        -> Set<UInt32>
    /// Narrows a SEARCH with text keys (BODY, TEXT): a superset of the UIDs whose header or body
    /// text contains every one of `terms` as a case-insensitive substring, also inside a word
    /// ("ransf" is in "transfer", RFC 3501 §6.4.4), or nil when the backend cannot narrow. The
    /// session then checks each candidate itself, so a superset is always correct.
    func searchCandidates(containing terms: [String], in mailbox: MailboxName, user: String) async -> Set<UInt32>?
    /// RFC 9208 §4.3: the quotas whose roots include the mailbox (`.nonExistent` when it does
    /// not exist); empty when no quota applies.
    func quotas(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [IMAPQuota]
    /// RFC 9208 §4.2: the quota of a root, or nil when the user has no such root.
    func quota(root: String, user: String) async throws(IMAPBackendError) -> IMAPQuota?
}

/// What the backend may know about the session asking it.
public typealias IMAPSessionInfo = ClientSessionInfo

/// Why the backend refused; the session turns each into a response code (RFC 5530).
public enum IMAPBackendError: Error, Hashable, Sendable {
    case nonExistent
    case alreadyExists
    /// The operation is not allowed on this mailbox (e.g. deleting one with children).
    case cannot(String)
    case noPermission
    case overQuota
    /// Over a limit of the server's (RFC 5530 §3 LIMIT); says which.
    case limit(String)
    /// The store cannot answer now (try again later).
    case unavailable
    /// The selected mailbox's UIDVALIDITY changed or it was deleted: the session must end.
    case mailboxGone
    /// The special use asked of CREATE cannot be given (RFC 6154 §3 USEATTR); says why.
    case specialUseRefused(String)
}

/// One message of a MULTIAPPEND as the backend takes it: the octets (read back from the spool
/// when they were streamed there), flags and date.
public struct IMAPAppendItem: Hashable, Sendable {
    public var message: [UInt8]
    public var flags: [IMAPFlag]
    public var internalDate: IMAPDateTime?

    public init(message: [UInt8], flags: [IMAPFlag], internalDate: IMAPDateTime?) {
        self.message = message
        self.flags = flags
        self.internalDate = internalDate
    }
}

extension IMAPBackend {
    /// A backend that cannot place a batch at once refuses one.
    public func appendAll(_ messages: [IMAPAppendItem], to mailbox: MailboxName, user: String)
        async throws(IMAPBackendError) -> [IMAPAppendResult]
    {
        throw .cannot("Only one message per APPEND here")
    }

    /// A backend without quotas: no mailbox is under a quota root.
    public func quotas(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [IMAPQuota] { [] }

    public func quota(root: String, user: String) async throws(IMAPBackendError) -> IMAPQuota? { nil }

    public func create(_ mailbox: MailboxName, specialUse: String, user: String) async throws(IMAPBackendError) {
        throw .specialUseRefused("This server gives no special use to new mailboxes")
    }
}

/// One mailbox for LIST. RFC 3501 §7.2.2, RFC 6154 (special use).
public struct IMAPMailboxInfo: Hashable, Sendable {
    public var name: MailboxName
    /// RFC 6154 §2 attributes, e.g. "\Sent", "\Trash".
    public var specialUse: [String]
    public var subscribed: Bool
    /// False for a subscription whose mailbox does not exist (RFC 3501 §6.3.6 keeps it; LSUB
    /// and LIST (SUBSCRIBED) still answer it, RFC 5258 §3.4 with \NonExistent).
    public var exists: Bool

    public init(name: MailboxName, specialUse: [String] = [], subscribed: Bool = false, exists: Bool = true) {
        self.name = name
        self.specialUse = specialUse
        self.subscribed = subscribed
        self.exists = exists
    }
}

/// STATUS values. RFC 3501 §6.3.10, RFC 9051 §6.3.11, RFC 7162 §3.1.6.
public struct IMAPMailboxStatus: Hashable, Sendable {
    public var messages: UInt32
    public var unseen: UInt32
    public var deleted: UInt32
    /// Sum of the messages' sizes (RFC 8438).
    public var size: UInt64
    public var uidNext: UInt32
    public var uidValidity: UInt32
    public var highestModSeq: UInt64
    /// Messages no session has claimed as \Recent yet (RFC 3501 §6.3.10 RECENT).
    public var recent: UInt32

    public init(messages: UInt32, unseen: UInt32, deleted: UInt32, size: UInt64, uidNext: UInt32, uidValidity: UInt32,
                highestModSeq: UInt64, recent: UInt32 = 0) {
        self.recent = recent
        self.messages = messages
        self.unseen = unseen
        self.deleted = deleted
        self.size = size
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.highestModSeq = highestModSeq
    }
}

/// One message as the selected state knows it (no content).
public struct IMAPMessageInfo: Hashable, Sendable {
    public var uid: UInt32
    /// Without \Recent, which the server does not keep.
    public var flags: [IMAPFlag]
    public var modSeq: UInt64
    public var internalDate: IMAPDateTime
    /// Octets with CRLF line ends (`IMAPMessageEncoding.transmittedSize(of:)`).
    public var size: Int

    public init(uid: UInt32, flags: [IMAPFlag], modSeq: UInt64, internalDate: IMAPDateTime, size: Int) {
        self.uid = uid
        self.flags = flags
        self.modSeq = modSeq
        self.internalDate = internalDate
        self.size = size
    }
}

/// A mailbox when it is selected. RFC 3501 §6.3.1.
public struct IMAPMailboxSnapshot: Hashable, Sendable {
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    /// In UID order.
    public var messages: [IMAPMessageInfo]
    /// The backend allows no change to this mailbox: SELECT then behaves as EXAMINE and answers
    /// [READ-ONLY] (RFC 3501 §6.3.1: the server decides whether a SELECTed mailbox is writable).
    public var readOnly: Bool

    public init(uidValidity: UInt32, uidNext: UInt32, highestModSeq: UInt64, messages: [IMAPMessageInfo],
                readOnly: Bool = false) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.messages = messages
        self.readOnly = readOnly
    }
}

/// What changed in a mailbox since a mod-sequence.
public struct IMAPMailboxChanges: Hashable, Sendable {
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    /// Messages added or whose flags changed, in UID order.
    public var messages: [IMAPMessageInfo]
    /// UIDs removed.
    public var expunged: [UInt32]

    public init(uidValidity: UInt32, uidNext: UInt32, highestModSeq: UInt64, messages: [IMAPMessageInfo],
                expunged: [UInt32]) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.messages = messages
        self.expunged = expunged
    }
}

/// A STORE's change. RFC 3501 §6.4.6.
public struct IMAPFlagChange: Hashable, Sendable {
    public var operation: IMAPStoreAction.Operation
    /// Never \Recent (the session drops it).
    public var flags: [IMAPFlag]

    public init(_ operation: IMAPStoreAction.Operation, _ flags: [IMAPFlag]) {
        self.operation = operation
        self.flags = flags
    }
}

/// What a STORE did.
public struct IMAPStoreResult: Hashable, Sendable {
    /// The messages as they are now, for those that changed (or were asked for and exist).
    public var updated: [IMAPMessageInfo]
    /// UIDs that failed the UNCHANGEDSINCE test (RFC 7162 §3.1.3).
    public var modified: [UInt32]

    public init(updated: [IMAPMessageInfo], modified: [UInt32] = []) {
        self.updated = updated
        self.modified = modified
    }
}

/// RFC 4315 §3 COPYUID: source and destination UIDs paired by position.
public struct IMAPCopyResult: Hashable, Sendable {
    public var uidValidity: UInt32
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]

    public init(uidValidity: UInt32, sourceUIDs: [UInt32], destinationUIDs: [UInt32]) {
        self.uidValidity = uidValidity
        self.sourceUIDs = sourceUIDs
        self.destinationUIDs = destinationUIDs
    }
}

/// RFC 4315 §3 APPENDUID.
public struct IMAPAppendResult: Hashable, Sendable {
    public var uidValidity: UInt32
    public var uid: UInt32

    public init(uidValidity: UInt32, uid: UInt32) {
        self.uidValidity = uidValidity
        self.uid = uid
    }
}
