import NIOCore
import ServerKit

// MARK: - Parsing a command line (without its CRLF)

extension SMTPCommand {
    /// Parses one command line. Verbs are ASCII and case-insensitive (§2.4).
    public init(parsing line: ByteBuffer) throws(SMTPSyntaxError) {
        var input = SMTPInput(Array(line.readableBytesView))
        guard !input.bytes.contains(0) else { throw .nulByte }
        let verb = input.readWord()
        switch verb {
        // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF     (§4.1.1.1)
        // helo = "HELO" SP Domain CRLF
        case "EHLO", "HELO":
            guard input.skipSpace() else { throw .invalidArguments("\(verb) needs a domain") }
            let domain = input.readToken()
            // Clients send all sorts of names (underscores, bare host names); the argument is
            // recorded, not trusted (§4.1.4), so any visible ASCII is accepted.
            guard !domain.isEmpty, domain.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .invalidArguments("\(verb) needs a domain")
            }
            input.skipTrailingSpaces()
            guard input.atEnd else { throw .invalidArguments("text after the domain") }
            self = .hello(domain: String(decoding: domain, as: UTF8.self), extended: verb == "EHLO")
        // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF  (§4.1.1.2)
        case "MAIL":
            guard input.skipSpace(), input.expectKeyword("FROM:") else {
                throw .invalidArguments("expected MAIL FROM:<address>")
            }
            input.skipSpacesLeniently()  // "MAIL FROM: <a@b>" is common; accepted (Postel)
            let path: SMTPPath
            do { path = try input.readPath(allowNull: true, allowPostmaster: false) } catch { throw .invalidSender }
            let parameters = try input.readParameters()
            var mail = MailParameters()
            for (keyword, value) in parameters {
                switch keyword {
                // size-value = 1*20DIGIT (RFC 1870 §6)
                case "SIZE":
                    guard let value, let size = parseDecimal(value, maxDigits: 20) else {
                        throw .invalidArguments("SIZE needs a number")
                    }
                    mail.size = size
                // body-value = "7BIT" / "8BITMIME" / "BINARYMIME"
                case "BODY":
                    guard let value, let body = SMTPBodyType(rawValue: asciiUppercased(value)) else {
                        throw .invalidArguments("BODY must be 7BIT, 8BITMIME or BINARYMIME")
                    }
                    mail.body = body
                // SMTPUTF8 takes no value (RFC 6531 §3.4)
                case "SMTPUTF8":
                    guard value == nil else { throw .invalidArguments("SMTPUTF8 takes no value") }
                    mail.smtputf8 = true
                // auth-param = "AUTH=" xtext (RFC 4954 §5)
                case "AUTH":
                    guard let value else { throw .invalidArguments("AUTH= needs a mailbox") }
                    mail.auth = String(decoding: value, as: UTF8.self)
                default:
                    throw .unknownParameter(keyword)
                }
            }
            self = .mail(reversePath: path.mailbox, parameters: mail, nonASCII: path.nonASCII)
        // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] CRLF
        case "RCPT":
            guard input.skipSpace(), input.expectKeyword("TO:") else {
                throw .invalidArguments("expected RCPT TO:<address>")
            }
            input.skipSpacesLeniently()
            let path: SMTPPath
            do { path = try input.readPath(allowNull: false, allowPostmaster: true) } catch { throw .invalidRecipient }
            if let (keyword, _) = try input.readParameters().first { throw .unknownParameter(keyword) }
            self = .recipient(forwardPath: path.mailbox, nonASCII: path.nonASCII)
        case "DATA":
            try input.expectEnd("DATA")
            self = .data
        // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF ; chunk-size = 1*DIGIT ; end-marker = "LAST"
        case "BDAT":
            guard input.skipSpace() else { throw .invalidArguments("BDAT needs a chunk size") }
            guard let size = parseDecimal(input.readToken(), maxDigits: 18) else {
                throw .invalidArguments("BDAT needs a chunk size")
            }
            var last = false
            if input.skipSpace() {
                guard asciiUppercased(input.readToken()) == "LAST" else { throw .invalidArguments("expected LAST") }
                last = true
            }
            input.skipTrailingSpaces()
            guard input.atEnd else { throw .invalidArguments("text after BDAT") }
            self = .binaryData(size: size, last: last)
        case "RSET":
            try input.expectEnd("RSET")
            self = .reset
        // vrfy = "VRFY" SP String CRLF
        case "VRFY":
            guard input.skipSpace(), !input.atEnd else { throw .invalidArguments("VRFY needs an argument") }
            self = .verify(String(decoding: input.rest(), as: UTF8.self))
        // help = "HELP" [ SP String ] CRLF
        case "HELP":
            self = input.skipSpace() && !input.atEnd ? .help(String(decoding: input.rest(), as: UTF8.self)) : .help(nil)
        // noop = "NOOP" [ SP String ] CRLF
        case "NOOP":
            self = .noop
        case "QUIT":
            try input.expectEnd("QUIT")
            self = .quit
        case "STARTTLS":
            try input.expectEnd("STARTTLS")
            self = .startTLS
        // auth-command = "AUTH" SP sasl-mech [SP initial-response] ; initial-response = base64 / "="
        case "AUTH":
            guard input.skipSpace() else { throw .invalidArguments("AUTH needs a mechanism") }
            let name = input.readToken()
            guard !name.isEmpty else { throw .invalidArguments("AUTH needs a mechanism") }
            guard let mechanism = SASLMechanism(name: name) else { throw .unsupportedMechanism }
            var initial: [UInt8]?
            if input.skipSpace() {
                let response = input.readToken()
                if response == [UInt8(ascii: "=")] {
                    initial = []
                } else {
                    guard let decoded = Base64.decode(response) else { throw .invalidBase64 }
                    initial = decoded
                }
            }
            input.skipTrailingSpaces()
            guard input.atEnd else { throw .invalidArguments("text after AUTH") }
            self = .auth(mechanism, initialResponse: initial)
        default:
            throw .unknownCommand
        }
    }
}

/// A decimal number of at most `maxDigits` digits.
func parseDecimal(_ bytes: [UInt8], maxDigits: Int) -> Int? {
    guard !bytes.isEmpty, bytes.count <= maxDigits, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    var value = 0
    for byte in bytes {
        let (times, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times.addingReportingOverflow(Int(byte - 0x30))
        if o1 || o2 { return Int.max }
        value = sum
    }
    return value
}

func asciiUppercased(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
}

/// A cursor over one command line.
struct SMTPInput {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// The verb: letters up to a space or the end, upper-cased.
    mutating func readWord() -> String {
        let start = index
        while let byte = current, byte != UInt8(ascii: " ") { index += 1 }
        return asciiUppercased(Array(bytes[start..<index]))
    }

    /// Bytes up to the next space or the end.
    mutating func readToken() -> [UInt8] {
        let start = index
        while let byte = current, byte != UInt8(ascii: " ") { index += 1 }
        return Array(bytes[start..<index])
    }

    mutating func rest() -> [UInt8] {
        defer { index = bytes.count }
        return Array(bytes[index...])
    }

    /// One SP; false when there is none.
    mutating func skipSpace() -> Bool {
        guard current == UInt8(ascii: " ") else { return false }
        index += 1
        return true
    }

    mutating func skipSpacesLeniently() {
        while current == UInt8(ascii: " ") { index += 1 }
    }

    /// Trailing spaces are tolerated (some clients send them; §4.1.1 does not allow them).
    mutating func skipTrailingSpaces() {
        var probe = index
        while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") { probe += 1 }
        if probe == bytes.count { index = probe }
    }

    mutating func expectKeyword(_ keyword: String) -> Bool {
        let expected = Array(keyword.utf8)
        guard bytes.count - index >= expected.count,
              asciiUppercased(Array(bytes[index..<index + expected.count])) == keyword else { return false }
        index += expected.count
        return true
    }

    mutating func expectEnd(_ verb: String) throws(SMTPSyntaxError) {
        skipTrailingSpaces()
        guard atEnd else { throw .invalidArguments("\(verb) takes no arguments") }
    }

    // Mail-parameters = esmtp-param *(SP esmtp-param)
    // esmtp-param = esmtp-keyword ["=" esmtp-value]
    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    // esmtp-value = 1*(%d33-60 / %d62-126)   ; RFC 6531 §3.3 adds UTF8-non-ascii
    /// ESMTP parameters after a path, keywords upper-cased, in order.
    mutating func readParameters() throws(SMTPSyntaxError) -> [(String, [UInt8]?)] {
        var parameters: [(String, [UInt8]?)] = []
        while true {
            skipTrailingSpaces()
            if atEnd { return parameters }
            guard skipSpace() else { throw .invalidArguments("expected a space before a parameter") }
            skipSpacesLeniently()
            let token = readToken()
            let keyword: [UInt8]
            var value: [UInt8]?
            if let equals = token.firstIndex(of: UInt8(ascii: "=")) {
                keyword = Array(token[..<equals])
                value = Array(token[(equals + 1)...])
                guard let value, !value.isEmpty,
                      value.allSatisfy({ ($0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: "=")) || $0 >= 0x80 })
                else { throw .invalidArguments("bad parameter value") }
            } else {
                keyword = token
            }
            guard let first = keyword.first, isAlphaDigit(first),
                  keyword.allSatisfy({ isAlphaDigit($0) || $0 == UInt8(ascii: "-") })
            else { throw .invalidArguments("bad parameter") }
            parameters.append((asciiUppercased(keyword), value))
        }
    }
}

func isAlphaDigit(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
}
