/// Which listener a session arrived on (RFC 5321 MX, RFC 6409 submission, RFC 8314 implicit TLS).
public enum SMTPListenerKind: String, Sendable {
    /// Port 25: mail from other servers, for local recipients only.
    case mx
    /// Port 587 (RFC 6409): STARTTLS, AUTH required before MAIL.
    case submission
    /// Port 465 (RFC 8314 §3.3): TLS from the first byte, AUTH required before MAIL.
    case submissionTLS

    /// Whether MAIL needs a successful AUTH first (RFC 6409 §4.3).
    public var requiresAuthentication: Bool { self != .mx }
}

/// What the backend may know about the session asking it.
public struct SMTPSessionInfo: Sendable, Hashable {
    public var listener: SMTPListenerKind
    public var clientAddress: String
    public var isLoopback: Bool
    /// The EHLO/HELO argument, once given.
    public var helo: String?
    public var tls: Bool
    /// The canonical user returned by `SMTPBackend.authenticate`.
    public var authenticatedUser: String?

    public init(listener: SMTPListenerKind, clientAddress: String, isLoopback: Bool, helo: String? = nil,
                tls: Bool = false, authenticatedUser: String? = nil) {
        self.listener = listener
        self.clientAddress = clientAddress
        self.isLoopback = isLoopback
        self.helo = helo
        self.tls = tls
        self.authenticatedUser = authenticatedUser
    }
}

/// A backend's answer to MAIL or RCPT.
public enum SMTPVerdict: Sendable, Hashable {
    case accept
    case reject(SMTPReply)
}

/// The body type declared with MAIL BODY= (RFC 6152 §2, RFC 3030 §3).
public enum SMTPBodyType: String, Sendable, Hashable {
    case sevenBit = "7BIT"
    case eightBitMIME = "8BITMIME"
    case binaryMIME = "BINARYMIME"
}

/// One mail transaction's envelope, as handed to `SMTPBackend.deliver`.
public struct SMTPEnvelope: Sendable, Hashable {
    /// The transaction id, also written into the `Received:` header and the log.
    public var id: String
    /// The reverse-path mailbox; "" for the null path `<>` (RFC 5321 §4.5.5).
    public var mailFrom: String
    public var recipients: [String]
    /// MAIL … SMTPUTF8 was given (RFC 6531 §3.4).
    public var utf8: Bool
    public var body: SMTPBodyType

    public init(id: String, mailFrom: String, recipients: [String], utf8: Bool, body: SMTPBodyType) {
        self.id = id
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.utf8 = utf8
        self.body = body
    }
}

/// Where the SMTP server hands accounts, policy and messages. `MailServer` implements it over
/// `MailStore`; SMTPServer never sees storage.
public protocol SMTPBackend: Sendable {
    /// SASL PLAIN/LOGIN credentials; returns the canonical user (e.g. "alice@example.com") or nil.
    /// The backend is slow on failure (it sleeps), not the caller.
    func authenticate(username: String, password: String, session: SMTPSessionInfo) async -> String?
    /// MAIL FROM check (submission: an authenticated user may only use its own addresses → reject
    /// 553 5.7.1 or similar). `reversePath` is "" for `<>`.
    func checkSender(_ reversePath: String, session: SMTPSessionInfo) async -> SMTPVerdict
    /// RCPT TO check: MX accepts only local, known recipients (550 5.1.1 unknown user, 554 5.7.1
    /// relay denied); submission (authenticated) accepts any.
    func checkRecipient(_ forwardPath: String, session: SMTPSessionInfo) async -> SMTPVerdict
    /// The message with `Return-Path:` and `Received:` already prepended (RFC 5321 §4.4). Returns
    /// the reply to send: 250 only when the message is durable (journal + index + mailboxes + queue).
    func deliver(envelope: SMTPEnvelope, message: [UInt8], session: SMTPSessionInfo) async -> SMTPReply
}
