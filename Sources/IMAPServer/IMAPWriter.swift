/// Writes the string forms of RFC 3501 §4 / §9 into bytes, choosing the simplest form that can
/// carry the value: atom, quoted string, or literal.
///
/// - A literal is used for CR, LF or NUL, and for 8-bit text unless the client enabled UTF-8
///   (RFC 9051 §9 `quoted` may then carry UTF-8; RFC 3501 `quoted` is 7-bit only).
/// - Quoted strings escape only `"` and `\` (RFC 3501 §9 `QUOTED-CHAR`).
public struct IMAPWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// The client enabled UTF8=ACCEPT or IMAP4rev2 (RFC 6855, RFC 9051).
    public var utf8Enabled: Bool

    public init(utf8Enabled: Bool = false) {
        self.utf8Enabled = utf8Enabled
    }

    /// Raw protocol text (ASCII keywords, numbers, punctuation).
    public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public mutating func append(bytes more: some Sequence<UInt8>) { bytes.append(contentsOf: more) }

    // string = quoted / literal
    /// A string: quoted when it can be, else a literal.
    public mutating func appendString(_ value: some Collection<UInt8>) {
        if value.count <= 4096, IMAPGrammar.isQuotable(value, utf8: utf8Enabled) {
            appendQuoted(value)
        } else {
            appendLiteral(value)
        }
    }

    // nstring = string / nil
    public mutating func appendNString(_ value: (some Collection<UInt8>)?) {
        guard let value else {
            append("NIL")
            return
        }
        appendString(value)
    }

    mutating func appendNString(_ value: String?) { appendNString(value.map { Array($0.utf8) }) }

    // astring = 1*ASTRING-CHAR / string
    /// An atom when every byte is an ASTRING-CHAR (and the value is not "NIL", which a client
    /// would read as nil), else a string.
    public mutating func appendAString(_ value: some Collection<UInt8>) {
        if !value.isEmpty, value.allSatisfy(IMAPGrammar.isAStringChar), IMAPGrammar.uppercased(value) != "NIL" {
            bytes.append(contentsOf: value)
        } else {
            appendString(value)
        }
    }

    public mutating func appendQuoted(_ value: some Collection<UInt8>) {
        bytes.append(IMAPGrammar.quote)
        for byte in value {
            if byte == IMAPGrammar.quote || byte == IMAPGrammar.backslash { bytes.append(IMAPGrammar.backslash) }
            bytes.append(byte)
        }
        bytes.append(IMAPGrammar.quote)
    }

    // literal = "{" number "}" CRLF *CHAR8 ; literal8 = "~{" number "}" CRLF *OCTET (RFC 3516 §4.2)
    /// A literal; literal8 when `binary` (the bytes may contain NUL).
    public mutating func appendLiteral(_ value: some Collection<UInt8>, binary: Bool = false) {
        append(binary ? "~{\(value.count)}\r\n" : "{\(value.count)}\r\n")
        bytes.append(contentsOf: value)
    }

    /// A mailbox name: modified UTF-7 or UTF-8 per the client's mode, as an astring.
    public mutating func appendMailbox(_ name: MailboxName) {
        appendAString(name.wire(utf8Enabled: utf8Enabled))
    }

    // flag-list = "(" [flag *(SP flag)] ")"
    public mutating func appendFlags(_ flags: [IMAPFlag]) {
        append("(" + flags.map(\.description).joined(separator: " ") + ")")
    }

    mutating func appendCRLF() { bytes.append(contentsOf: [IMAPGrammar.cr, IMAPGrammar.lf]) }

    /// Human-readable text (resp-text): CR and LF would end the response early, so they become spaces.
    mutating func appendText(_ text: String) {
        bytes.append(contentsOf: text.utf8.map { $0 == IMAPGrammar.cr || $0 == IMAPGrammar.lf ? IMAPGrammar.space : $0 })
    }
}
