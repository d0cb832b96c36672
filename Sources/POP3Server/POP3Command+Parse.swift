extension POP3Command {
    // RFC 1939 §3: a case-insensitive keyword of three or four characters, possibly followed by
    // arguments, each separated by a single SPACE; printable ASCII; arguments up to 40
    // characters. PASS takes the rest of the line, since passwords may contain spaces (§7).
    /// Parses one command line (without its CRLF).
    public init(parsing line: some Collection<UInt8>) throws(POP3SyntaxError) {
        let bytes = Array(line)
        let space = bytes.firstIndex(of: UInt8(ascii: " "))
        let keywordBytes = bytes[..<(space ?? bytes.endIndex)]
        guard (3...4).contains(keywordBytes.count) else { throw .unknownCommand }
        let keyword = String(decoding: keywordBytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        let rest: ArraySlice<UInt8> = space.map { bytes[($0 + 1)...] } ?? []
        let hasArguments = space != nil
        let arguments = rest.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)

        func none() throws(POP3SyntaxError) {
            guard !hasArguments else { throw .badArguments("\(keyword) takes no arguments") }
        }
        func number(_ argument: ArraySlice<UInt8>) throws(POP3SyntaxError) -> Int {
            guard let value = Self.decimal(argument) else {
                throw .badArguments("\(keyword): not a number")
            }
            return value
        }
        func optionalNumber() throws(POP3SyntaxError) -> Int? {
            guard hasArguments else { return nil }
            guard arguments.count == 1 else { throw .badArguments("usage: \(keyword) [msg]") }
            return try number(arguments[0])
        }

        switch keyword {
        case "USER":
            guard arguments.count == 1, !arguments[0].isEmpty, Self.isPrintable(arguments[0]),
                  let name = String(validating: arguments[0], as: UTF8.self)
            else { throw .badArguments("usage: USER name") }
            self = .user(name)
        case "PASS":
            guard hasArguments, !rest.isEmpty, !rest.contains(0), let password = String(validating: rest, as: UTF8.self)
            else { throw .badArguments("usage: PASS string") }
            self = .pass(password)
        case "APOP":
            self = .apop
        case "AUTH":
            guard hasArguments else {
                self = .auth(mechanism: nil, initialResponse: nil)
                return
            }
            guard (1...2).contains(arguments.count), !arguments[0].isEmpty, Self.isPrintable(arguments[0])
            else { throw .badArguments("usage: AUTH mechanism [initial-response]") }
            let mechanism = String(decoding: arguments[0].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
            self = .auth(mechanism: mechanism, initialResponse: arguments.count == 2 ? Array(arguments[1]) : nil)
        case "STLS": try none(); self = .startTLS
        case "CAPA": try none(); self = .capabilities
        case "STAT": try none(); self = .stat
        case "NOOP": try none(); self = .noop
        case "RSET": try none(); self = .reset
        case "QUIT": try none(); self = .quit
        case "LIST": self = .list(try optionalNumber())
        case "UIDL": self = .uniqueIDList(try optionalNumber())
        case "RETR", "DELE":
            guard arguments.count == 1, hasArguments else { throw .badArguments("usage: \(keyword) msg") }
            let message = try number(arguments[0])
            self = keyword == "RETR" ? .retrieve(message) : .delete(message)
        case "TOP":
            guard arguments.count == 2, hasArguments else { throw .badArguments("usage: TOP msg n") }
            self = .top(try number(arguments[0]), lines: try number(arguments[1]))
        default:
            throw .unknownCommand
        }
    }

    /// A non-negative decimal of at most 9 digits (so it fits any message count or line count).
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard (1...9).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func isPrintable(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 > 0x20 && $0 != 0x7F }
    }
}
