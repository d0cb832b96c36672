import ServerKit

/// One message of an open maildrop, as the backend lists it.
public struct POP3MessageInfo: Hashable, Sendable {
    /// The backend's own handle for the message (opaque to the server).
    public var key: String
    /// The UIDL value (RFC 1939 §7): 1 to 70 characters from 0x21 to 0x7E, never reused for
    /// another message of the maildrop, the same in every session.
    public var uniqueID: String
    /// Octets as RETR sends them before dot-stuffing: CRLF line ends, ending with CRLF
    /// (`POP3MessageEncoding.transmittedSize`).
    public var size: Int

    public init(key: String, uniqueID: String, size: Int) {
        self.key = key
        self.uniqueID = uniqueID
        self.size = size
    }
}

/// What opening a maildrop came to (RFC 1939 §4, RFC 2449 §8.1.1).
public enum POP3MaildropOpening: Hashable, Sendable {
    /// Opened and locked for this session: the messages in the order they get numbers 1, 2, ….
    case opened([POP3MessageInfo])
    /// Another session holds the lock.
    case inUse
    /// The store could not be read now.
    case unavailable
}

/// What the backend may know about the session asking it.
public typealias POP3SessionInfo = ClientSessionInfo

/// Where the POP3 server finds accounts and maildrops. `MailServer` implements it over
/// `MailStore`; POP3Server never sees storage.
public protocol POP3Backend: Sendable {
    /// USER/PASS or SASL PLAIN credentials; the canonical user, or nil. The backend is slow on
    /// failure (it sleeps), not the caller.
    func authenticate(username: String, password: String, session: POP3SessionInfo) async -> String?
    /// Opens and locks the user's maildrop; `.inUse` when another session holds it.
    func openMaildrop(of user: String) async -> POP3MaildropOpening
    /// A message's stored bytes, or nil when they cannot be read.
    func content(of message: POP3MessageInfo, user: String) async -> [UInt8]?
    /// RFC 1939 §6: removes the messages from the maildrop, all or none; true when done.
    func commitDeletions(_ messages: [POP3MessageInfo], user: String) async -> Bool
    /// Releases the lock `openMaildrop` took. Called once for every `.opened`, however the
    /// session ends.
    func closeMaildrop(of user: String) async
}
