import ServerKit

/// Parameters of MAIL FROM (RFC 5321 §4.1.1.2, Mail-parameters; RFC 1869 §6).
public struct MailParameters: Hashable, Sendable {
    /// SIZE=n (RFC 1870 §6): the client's estimate of the message size.
    public var size: Int?
    /// BODY=7BIT|8BITMIME|BINARYMIME (RFC 6152 §2, RFC 3030 §3).
    public var body: SMTPBodyType?
    /// SMTPUTF8 (RFC 6531 §3.4).
    public var smtputf8: Bool
    /// AUTH=<mailbox> or AUTH=<> (RFC 4954 §5); recorded, never trusted.
    public var auth: String?

    public init(size: Int? = nil, body: SMTPBodyType? = nil, smtputf8: Bool = false, auth: String? = nil) {
        self.size = size
        self.body = body
        self.smtputf8 = smtputf8
        self.auth = auth
    }
}

/// One SMTP command (RFC 5321 §4.1.1 and the extensions this server offers).
public enum SMTPCommand: Hashable, Sendable {
    /// EHLO / HELO (§4.1.1.1). `extended` is true for EHLO.
    case hello(domain: String, extended: Bool)
    /// MAIL FROM (§4.1.1.2). The reverse-path is "" for `<>`; `nonASCII` when it has UTF-8.
    case mail(reversePath: String, parameters: MailParameters, nonASCII: Bool)
    /// RCPT TO (§4.1.1.3); "Postmaster" without a domain is allowed (§4.5.1).
    case recipient(forwardPath: String, nonASCII: Bool)
    /// DATA (§4.1.1.4)
    case data
    /// BDAT chunk-size [LAST] (RFC 3030 §2)
    case binaryData(size: Int, last: Bool)
    /// RSET (§4.1.1.5)
    case reset
    /// VRFY (§4.1.1.6)
    case verify(String)
    /// HELP [topic] (§4.1.1.8)
    case help(String?)
    /// NOOP [string] (§4.1.1.9)
    case noop
    /// QUIT (§4.1.1.10)
    case quit
    /// STARTTLS (RFC 3207 §4)
    case startTLS
    /// AUTH mechanism [initial-response] (RFC 4954 §4). The initial response is already
    /// base64-decoded; "=" (empty) gives `[]`.
    case auth(SASLMechanism, initialResponse: [UInt8]?)
}

/// Why a command line was refused, each mapped to its reply in one place (`reply`).
public enum SMTPSyntaxError: Error, Hashable, Sendable {
    /// Not a command this server knows (§4.2.4).
    case unknownCommand
    /// Arguments that do not match the command's grammar (§4.2.2, 501).
    case invalidArguments(String)
    /// A malformed reverse-path (RFC 3463 X.1.7).
    case invalidSender
    /// A malformed forward-path (RFC 3463 X.1.3).
    case invalidRecipient
    /// An ESMTP parameter this server does not offer (§4.1.1.11, 555).
    case unknownParameter(String)
    /// An AUTH mechanism not offered (RFC 4954 §4, 504).
    case unsupportedMechanism
    /// An AUTH initial response that is not base64 (RFC 4954 §4, 501).
    case invalidBase64
    /// Framing errors, reported through the same path.
    case lineTooLong, bareLineEnding, nulByte

    /// The one place where a syntax error becomes a reply.
    public var reply: SMTPReply {
        switch self {
        case .unknownCommand: .unknownCommand
        case .invalidArguments(let reason): SMTPReply(501, "5.5.4", "Syntax error: \(reason)")
        case .invalidSender: SMTPReply(501, "5.1.7", "Bad sender address syntax")
        case .invalidRecipient: SMTPReply(501, "5.1.3", "Bad destination mailbox address syntax")
        case .unknownParameter(let name): SMTPReply(555, "5.5.4", "Parameter \(name) not recognized")
        case .unsupportedMechanism: .unsupportedMechanism
        case .invalidBase64: .invalidSASLResponse
        case .lineTooLong: .lineTooLong
        case .bareLineEnding: .bareLineEnding
        case .nulByte: .nulInCommand
        }
    }
}
