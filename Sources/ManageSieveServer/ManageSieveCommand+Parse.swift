/// A word of a command line (RFC 5804 §1.3: atoms, numbers and strings; numbers are atoms of
/// digits here).
enum ManageSieveToken: Hashable, Sendable {
    case atom([UInt8])
    /// A quoted string (unescaped) or a literal's octets.
    case string([UInt8])
}

extension ManageSieveCommand {
    // command = (command-any / command-auth / command-nonauth) CRLF      (RFC 5804 §4)
    // Command names are case-insensitive (§4: "Implementations MUST accept these strings in a
    // case-insensitive fashion").
    /// Parses one framed command.
    public init(parsing line: ManageSieveCommandLine) throws(ManageSieveSyntaxError) {
        let tokens = try Self.tokens(of: line)
        guard let first = tokens.first else { throw .emptyCommand }
        guard case .atom(let nameBytes) = first else { throw .unknownCommand }
        let name = String(decoding: nameBytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        let arguments = Array(tokens.dropFirst())

        func expect(_ count: ClosedRange<Int>, _ usage: String) throws(ManageSieveSyntaxError) {
            guard count.contains(arguments.count) else { throw .badArguments("usage: \(usage)") }
        }
        func string(_ index: Int, _ usage: String) throws(ManageSieveSyntaxError) -> [UInt8] {
            guard case .string(let bytes) = arguments[index] else { throw .badArguments("usage: \(usage)") }
            return bytes
        }
        func scriptName(_ index: Int, _ usage: String) throws(ManageSieveSyntaxError) -> String {
            try ManageSieveScriptName.validate(try string(index, usage)).get()
        }
        func script(_ index: Int, _ usage: String) throws(ManageSieveSyntaxError) -> String {
            // RFC 5228 §2.2: Sieve scripts are UTF-8. The bytes are kept exactly as sent.
            guard let source = String(validating: try string(index, usage), as: UTF8.self) else {
                throw .badArguments("The script is not valid UTF-8")
            }
            return source
        }

        switch name {
        // command-authenticate = "AUTHENTICATE" SP auth-type [SP string] *(CRLF string)
        case "AUTHENTICATE":
            let usage = "AUTHENTICATE \"mechanism\" [initial-response]"
            try expect(1...2, usage)
            // auth-type is a quoted atom; a bare atom is accepted too (some clients send one).
            let mechanism: [UInt8]
            switch arguments[0] {
            case .string(let bytes), .atom(let bytes): mechanism = bytes
            }
            let upper = String(decoding: mechanism.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
            self = .authenticate(mechanism: upper, initialResponse: arguments.count == 2 ? try string(1, usage) : nil)
        // command-starttls = "STARTTLS", command-logout = "LOGOUT", command-capability = "CAPABILITY",
        // command-listscripts = "LISTSCRIPTS", command-unauthenticate = "UNAUTHENTICATE"
        case "STARTTLS": try expect(0...0, "STARTTLS"); self = .startTLS
        case "LOGOUT": try expect(0...0, "LOGOUT"); self = .logout
        case "CAPABILITY": try expect(0...0, "CAPABILITY"); self = .capability
        case "LISTSCRIPTS": try expect(0...0, "LISTSCRIPTS"); self = .listScripts
        case "UNAUTHENTICATE": try expect(0...0, "UNAUTHENTICATE"); self = .unauthenticate
        // command-havespace = "HAVESPACE" SP sieve-name SP number
        case "HAVESPACE":
            let usage = "HAVESPACE \"name\" size"
            try expect(2...2, usage)
            let script = try scriptName(0, usage)
            guard case .atom(let digits) = arguments[1], let size = Self.number(digits) else {
                throw .badArguments("usage: \(usage)")
            }
            self = .haveSpace(name: script, size: size)
        // command-putscript = "PUTSCRIPT" SP sieve-name SP sieve-script
        case "PUTSCRIPT":
            let usage = "PUTSCRIPT \"name\" {octets+}"
            try expect(2...2, usage)
            self = .putScript(name: try scriptName(0, usage), script: try script(1, usage))
        // command-setactive = "SETACTIVE" SP active-sieve-name  (the empty string deactivates, §2.8)
        case "SETACTIVE":
            let usage = "SETACTIVE \"name\""
            try expect(1...1, usage)
            let bytes = try string(0, usage)
            self = .setActive(name: bytes.isEmpty ? nil : try ManageSieveScriptName.validate(bytes).get())
        // command-getscript = "GETSCRIPT" SP sieve-name
        case "GETSCRIPT":
            try expect(1...1, "GETSCRIPT \"name\"")
            self = .getScript(name: try scriptName(0, "GETSCRIPT \"name\""))
        // command-deletescript = "DELETESCRIPT" SP sieve-name
        case "DELETESCRIPT":
            try expect(1...1, "DELETESCRIPT \"name\"")
            self = .deleteScript(name: try scriptName(0, "DELETESCRIPT \"name\""))
        // command-renamescript = "RENAMESCRIPT" SP old-sieve-name SP new-sieve-name
        case "RENAMESCRIPT":
            let usage = "RENAMESCRIPT \"old name\" \"new name\""
            try expect(2...2, usage)
            self = .renameScript(name: try scriptName(0, usage), newName: try scriptName(1, usage))
        // command-checkscript = "CHECKSCRIPT" SP sieve-script
        case "CHECKSCRIPT":
            let usage = "CHECKSCRIPT {octets+}"
            try expect(1...1, usage)
            self = .checkScript(script: try script(0, usage))
        // command-noop = "NOOP" [SP string]
        case "NOOP":
            try expect(0...1, "NOOP [\"tag\"]")
            self = .noop(tag: arguments.isEmpty ? nil : try string(0, "NOOP [\"tag\"]"))
        default:
            throw .unknownCommand
        }
    }

    /// The client's answer to a SASL challenge (RFC 5804 §2.1): one string (quoted or literal)
    /// holding base64, or "*" to cancel. A bare atom is accepted too.
    public static func saslResponse(parsing line: ManageSieveCommandLine) throws(ManageSieveSyntaxError) -> [UInt8] {
        let tokens = try tokens(of: line)
        guard tokens.count == 1 else { throw .badArguments("Expected one string with the SASL response") }
        switch tokens[0] {
        case .string(let bytes), .atom(let bytes): return bytes
        }
    }

    // number = (NZDIGIT *DIGIT) / "0"   ;; a 32-bit unsigned number      (RFC 5804 §4)
    static func number(_ digits: [UInt8]) -> Int? {
        guard (1...10).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              digits.count == 1 || digits[0] != 0x30
        else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value <= Int(UInt32.max) ? value : nil
    }

    // MARK: - Tokens

    // atom = 1*1024ATOM-CHAR
    // ATOM-CHAR = "!" / %x23-27 / %x2A-5B / %x5D-7A / %x7C-7E
    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x27, 0x2A...0x5B, 0x5D...0x7A, 0x7C...0x7E: true
        default: false
        }
    }

    /// The words of a command, separated by spaces, with each literal header replaced by its
    /// octets.
    static func tokens(of line: ManageSieveCommandLine) throws(ManageSieveSyntaxError) -> [ManageSieveToken] {
        var tokens: [ManageSieveToken] = []
        /// A word just ended: the next must follow a space.
        var needsSpace = false
        for (lineIndex, text) in line.lines.enumerated() {
            let literalStart: Int? =
                lineIndex < line.literals.count ? ManageSieveCommandLine.literalHeader(endingAt: text)?.start : nil
            var index = 0
            while index < text.count {
                let byte = text[index]
                if byte == UInt8(ascii: " ") {
                    needsSpace = false
                    index += 1
                    continue
                }
                guard !needsSpace else { throw .badArguments("Arguments must be separated by spaces") }
                if index == literalStart {
                    // literal-c2s = "{" number "+}" CRLF *OCTET
                    tokens.append(.string(line.literals[lineIndex]))
                    index = text.count
                } else if byte == UInt8(ascii: "\"") {
                    let (bytes, end) = try quoted(text, from: index)
                    tokens.append(.string(bytes))
                    index = end
                } else if isAtomChar(byte) {
                    var end = index
                    while end < text.count, isAtomChar(text[end]) { end += 1 }
                    guard end - index <= 1024 else { throw .badArguments("Atoms are limited to 1024 characters") }
                    tokens.append(.atom(Array(text[index..<end])))
                    index = end
                } else if byte == UInt8(ascii: "{") {
                    throw .badArguments("A literal header {n+} must end its line")
                } else {
                    throw .badArguments("Unexpected character in command")
                }
                needsSpace = true
            }
        }
        return tokens
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE   ;; limited to 1024 octets (errata 2655)
    // QUOTED-CHAR = SAFE-UTF8-CHAR / "\" QUOTED-SPECIALS ;  QUOTED-SPECIALS = DQUOTE / "\"
    /// The unescaped content of the quoted string starting at `start`, and the index after it.
    static func quoted(_ text: [UInt8], from start: Int) throws(ManageSieveSyntaxError) -> ([UInt8], Int) {
        var bytes: [UInt8] = []
        var index = start + 1
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard bytes.count <= 1024 else {
                    throw .badArguments("Quoted strings are limited to 1024 octets; send a literal {n+}")
                }
                return (bytes, index + 1)
            case UInt8(ascii: "\\"):
                guard index + 1 < text.count, text[index + 1] == UInt8(ascii: "\"") || text[index + 1] == UInt8(ascii: "\\")
                else { throw .badArguments("Only \\\" and \\\\ may be escaped in a quoted string") }
                bytes.append(text[index + 1])
                index += 2
            case 0:
                throw .badArguments("NUL is not allowed in a quoted string")
            default:
                bytes.append(byte)
                index += 1
            }
        }
        throw .badArguments("Unterminated quoted string")
    }
}
