/// A parsed reverse- or forward-path: the mailbox without angle brackets or source route.
struct SMTPPath: Hashable {
    /// "local@domain", "" for the null path, or "Postmaster".
    var mailbox: String
    /// The mailbox has UTF-8 (allowed only with SMTPUTF8, RFC 6531 §3.3).
    var nonASCII: Bool
}

struct SMTPPathError: Error {}

extension SMTPInput {
    // Reverse-path = Path / "<>"
    // Path         = "<" [ A-d-l ":" ] Mailbox ">"
    // A-d-l        = At-domain *( "," At-domain )   ; source route, read and ignored (§4.1.2, §C)
    // At-domain    = "@" Domain
    // Mailbox      = Local-part "@" ( Domain / address-literal )
    /// Reads a path in angle brackets (§4.1.2). Limits: local part 64, domain 255, path 256 (§4.5.3.1).
    mutating func readPath(allowNull: Bool, allowPostmaster: Bool) throws(SMTPPathError) -> SMTPPath {
        guard current == UInt8(ascii: "<") else { throw SMTPPathError() }
        index += 1
        if current == UInt8(ascii: ">") {
            guard allowNull else { throw SMTPPathError() }
            index += 1
            return SMTPPath(mailbox: "", nonASCII: false)
        }
        let start = index
        // Source route: skip "@domain,@domain:" (§4.1.2: MUST accept, SHOULD ignore).
        if current == UInt8(ascii: "@") {
            while let byte = current, byte != UInt8(ascii: ":") {
                guard byte != UInt8(ascii: ">") else { throw SMTPPathError() }
                index += 1
            }
            index += 1
        }
        let mailboxStart = index
        // "<Postmaster>" without a domain (§4.1.1.3).
        if allowPostmaster, bytes.count - index >= 11,
           asciiUppercased(Array(bytes[index..<index + 11])) == "POSTMASTER>" {
            index += 11
            return SMTPPath(mailbox: String(decoding: bytes[mailboxStart..<index - 1], as: UTF8.self), nonASCII: false)
        }
        let localEnd = try readLocalPart()
        guard localEnd - mailboxStart <= 64, current == UInt8(ascii: "@") else { throw SMTPPathError() }
        index += 1
        try readDomainOrLiteral()
        guard current == UInt8(ascii: ">") else { throw SMTPPathError() }
        let mailboxBytes = Array(bytes[mailboxStart..<index])
        index += 1
        guard index - start <= 257, mailboxBytes.count - (localEnd - mailboxStart) - 1 <= 255,
              let mailbox = String(validating: mailboxBytes, as: UTF8.self)
        else { throw SMTPPathError() }
        return SMTPPath(mailbox: mailbox, nonASCII: mailboxBytes.contains { $0 >= 0x80 })
    }

    // Local-part   = Dot-string / Quoted-string
    // Dot-string   = Atom *("."  Atom)
    // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
    // QcontentSMTP = qtextSMTP / quoted-pairSMTP
    // quoted-pairSMTP = %d92 %d32-126
    // qtextSMTP    = %d32-33 / %d35-91 / %d93-126     ; RFC 6531 adds UTF8-non-ascii
    /// Returns the index just after the local part.
    private mutating func readLocalPart() throws(SMTPPathError) -> Int {
        if current == UInt8(ascii: "\"") {
            index += 1
            while true {
                guard let byte = current else { throw SMTPPathError() }
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return index
                case UInt8(ascii: "\\"):
                    guard let next = current, next >= 32, next <= 126 else { throw SMTPPathError() }
                    index += 1
                case 32...126, 0x80...0xFF: continue
                default: throw SMTPPathError()
                }
            }
        }
        var atomLength = 0
        while let byte = current, byte != UInt8(ascii: "@") {
            if byte == UInt8(ascii: ".") {
                guard atomLength > 0 else { throw SMTPPathError() }
                atomLength = 0
            } else {
                guard isAtext(byte) else { throw SMTPPathError() }
                atomLength += 1
            }
            index += 1
        }
        guard atomLength > 0 else { throw SMTPPathError() }
        return index
    }

    // Domain       = sub-domain *("." sub-domain)
    // sub-domain   = Let-dig [Ldh-str]                 ; RFC 6531 §3.3: U-label allowed
    // address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"
    private mutating func readDomainOrLiteral() throws(SMTPPathError) {
        if current == UInt8(ascii: "[") {
            index += 1
            var length = 0
            while let byte = current, byte != UInt8(ascii: "]") {
                // dcontent = %d33-90 / %d94-126
                guard byte >= 33, byte <= 126, byte != UInt8(ascii: "[") , byte != UInt8(ascii: "\\") else {
                    throw SMTPPathError()
                }
                index += 1
                length += 1
            }
            guard current == UInt8(ascii: "]"), length > 0 else { throw SMTPPathError() }
            index += 1
            return
        }
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        while let byte = current, byte != UInt8(ascii: ">") {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0, previous != UInt8(ascii: "-") else { throw SMTPPathError() }
                labelLength = 0
            } else if byte == UInt8(ascii: "-") {
                guard labelLength > 0 else { throw SMTPPathError() }
                labelLength += 1
            } else {
                guard isAlphaDigit(byte) || byte >= 0x80 else { throw SMTPPathError() }
                labelLength += 1
            }
            guard labelLength <= 63 || byte >= 0x80 else { throw SMTPPathError() }
            previous = byte
            index += 1
        }
        guard labelLength > 0, previous != UInt8(ascii: "-") else { throw SMTPPathError() }
    }
}

// atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
//         (RFC 5322 §3.2.3; RFC 6531 §3.3 adds UTF8-non-ascii)
func isAtext(_ byte: UInt8) -> Bool {
    if isAlphaDigit(byte) || byte >= 0x80 { return true }
    return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
}
