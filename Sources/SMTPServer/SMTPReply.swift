import NIOCore

/// A reply: a three-digit code, an enhanced status code (RFC 3463, announced by
/// ENHANCEDSTATUSCODES, RFC 2034), and text. Text with "\n" becomes a multi-line reply
/// (RFC 5321 §4.2.1): every line but the last has "-" after the code, and each carries the
/// enhanced code (RFC 2034 §4).
///
/// The greeting, the EHLO reply and the intermediate 334/354 replies carry no enhanced code:
/// RFC 3463 classes are only 2, 4 and 5, and RFC 2034 §3 starts them after EHLO.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    public var enhanced: String?
    public var text: String

    public init(code: Int, enhanced: String?, text: String) {
        self.code = code
        self.enhanced = enhanced
        self.text = text
    }

    public init(_ code: Int, _ enhanced: String?, _ text: String) {
        self.init(code: code, enhanced: enhanced, text: text)
    }

    public var isPositive: Bool { code < 400 }
    public var isPermanentFailure: Bool { code >= 500 }

    /// The reply on the wire, CRLF after each line.
    public func encode(into buffer: inout ByteBuffer) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            buffer.writeString(String(code))
            buffer.writeInteger(index == lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let enhanced {
                buffer.writeString(enhanced)
                buffer.writeInteger(UInt8(ascii: " "))
            }
            buffer.writeString(String(line))
            buffer.writeStaticString("\r\n")
        }
    }

    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    public var description: String {
        String(buffer: encoded)
    }
}

// MARK: - The replies this server sends, by RFC section

extension SMTPReply {
    /// §4.1.1.4 and friends: the generic success.
    public static let ok = SMTPReply(250, "2.0.0", "OK")
    /// §4.1.1.10
    public static let bye = SMTPReply(221, "2.0.0", "Bye")
    /// §4.1.1.2, RFC 3463 §3.2: X.1.0 other address status.
    public static let senderOK = SMTPReply(250, "2.1.0", "Sender OK")
    /// §4.1.1.3, RFC 3463: X.1.5 destination address valid.
    public static let recipientOK = SMTPReply(250, "2.1.5", "Recipient OK")
    /// §4.1.1.4: intermediate, no enhanced code.
    public static let startMailInput = SMTPReply(354, nil, "Start mail input; end with <CRLF>.<CRLF>")
    /// §3.5.3: VRFY is answered without disclosing whether the user exists.
    public static let cannotVerify = SMTPReply(252, "2.1.5", "Cannot VRFY user, but will accept message and attempt delivery")
    /// §4.1.1.8
    public static let help = SMTPReply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\nSee RFC 5321")
    /// §4.2.2, RFC 3463 §3.6: X.5.1 invalid command.
    public static let unknownCommand = SMTPReply(500, "5.5.1", "Command unrecognized")
    /// RFC 3463: X.5.2 syntax error.
    public static let lineTooLong = SMTPReply(500, "5.5.2", "Line too long")
    /// §2.3.8: lines end with CRLF only.
    public static let bareLineEnding = SMTPReply(500, "5.5.2", "Bare LF or CR; lines must end with CRLF (RFC 5321 2.3.8)")
    /// RFC 3463: X.5.2 syntax error (NUL is not allowed in commands, §4.1.2).
    public static let nulInCommand = SMTPReply(500, "5.5.2", "NUL byte in command")
    /// §4.2.2: 503 bad sequence of commands; RFC 3463 X.5.1.
    public static func badSequence(_ text: String) -> SMTPReply { SMTPReply(503, "5.5.1", text) }
    /// §4.2.2: 502 command not implemented.
    public static let notImplemented = SMTPReply(502, "5.5.1", "Command not implemented")
    /// RFC 1870 §6.1, RFC 3463 X.3.4: message too big for system.
    public static let messageTooBig = SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size")
    /// §4.5.3.1.10: 452 too many recipients; RFC 3463 X.5.3.
    /// RFC 5321 §4.5.3.1.10 and RFC 3463 §3.4 (4.3.1, mail system full): the bytes of messages in
    /// flight are at their cap, or the spool could not take the content; RFC 1870 §6.2 for MAIL SIZE=.
    public static let insufficientStorage = SMTPReply(452, "4.3.1", "Insufficient system storage, try again later")
    /// §4.5.3.1.10
    public static let tooManyRecipients = SMTPReply(452, "4.5.3", "Too many recipients")
    /// RFC 6531 §3.5: a non-ASCII address needs SMTPUTF8.
    public static let needsSMTPUTF8 = SMTPReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8")
    /// RFC 4954 §6 / RFC 6409 §4.3: 530 5.7.0 authentication required.
    public static let authenticationRequired = SMTPReply(530, "5.7.0", "Authentication required")
    /// RFC 4954 §6: 538 5.7.11 encryption required.
    public static let encryptionRequired = SMTPReply(538, "5.7.11", "Encryption required for requested authentication mechanism")
    /// RFC 4954 §6: 235 2.7.0.
    public static let authenticationSucceeded = SMTPReply(235, "2.7.0", "Authentication successful")
    /// RFC 4954 §6: 535 5.7.8.
    public static let authenticationFailed = SMTPReply(535, "5.7.8", "Authentication credentials invalid")
    /// RFC 4954 §4: the client cancelled with "*".
    public static let authenticationCancelled = SMTPReply(501, "5.0.0", "Authentication cancelled")
    /// RFC 4954 §4: a response that is not base64 or not a valid SASL message.
    public static let invalidSASLResponse = SMTPReply(501, "5.5.2", "Invalid authentication response")
    /// RFC 4954 §4: 504 5.5.4 unrecognized mechanism.
    public static let unsupportedMechanism = SMTPReply(504, "5.5.4", "Unrecognized authentication mechanism")
    /// RFC 3207 §4: the server is ready to start the TLS handshake.
    public static let readyToStartTLS = SMTPReply(220, "2.0.0", "Ready to start TLS")
    /// RFC 3207 §4: TLS not offered on this listener.
    public static let tlsNotAvailable = SMTPReply(454, "4.7.0", "TLS not available")
    /// RFC 3030 §2: a chunk was received.
    public static func chunkReceived(_ size: Int) -> SMTPReply { SMTPReply(250, "2.0.0", "\(size) octets received") }
    /// §4.2.5, RFC 3463 X.4.2: bad connection (timeout).
    public static func timeout(_ hostname: String) -> SMTPReply {
        SMTPReply(421, "4.4.2", "\(hostname) Timeout exceeded, closing connection")
    }
    /// RFC 3463 X.7.0: other security or policy status (too many errors).
    public static func tooManyErrors(_ hostname: String) -> SMTPReply {
        SMTPReply(421, "4.7.0", "\(hostname) Too many errors, closing connection")
    }
    /// Per-address connection limit.
    public static func tooManyConnections(_ hostname: String) -> SMTPReply {
        SMTPReply(421, "4.7.0", "\(hostname) Too many connections from your address")
    }
    /// The server's cap on simultaneous connections is reached (RFC 3463 X.7.0, temporary).
    public static func serverBusy(_ hostname: String) -> SMTPReply {
        SMTPReply(421, "4.7.0", "\(hostname) Too many connections, try again later")
    }
    /// §3.8: the server is shutting down; RFC 3463 X.3.2 system not accepting messages.
    public static func shuttingDown(_ hostname: String) -> SMTPReply {
        SMTPReply(421, "4.3.2", "\(hostname) Service shutting down, closing connection")
    }
    /// A bare LF or CR inside DATA: the end of the message is ambiguous (SMTP smuggling), so
    /// refuse and close (as Postfix 3.9 `smtpd_forbid_bare_newline` does).
    public static let bareLineEndingInData = SMTPReply(521, "5.5.2", "Bare LF or CR in message data; closing connection (RFC 5321 2.3.8)")
}
