/// The POP3 commands this server knows (RFC 1939 §4-7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4).
public enum POP3Command: Hashable, Sendable {
    /// RFC 1939 §7: `USER name`.
    case user(String)
    /// RFC 1939 §7: `PASS string` (the rest of the line: a password may contain spaces).
    case pass(String)
    /// RFC 1939 §7: `APOP name digest`; refused here (MD5 over a shared secret needs the
    /// plaintext password on the server).
    case apop
    /// RFC 5034 §4: `AUTH mechanism [initial-response]`; `AUTH` alone lists mechanisms.
    case auth(mechanism: String?, initialResponse: [UInt8]?)
    /// RFC 2595 §4: `STLS`.
    case startTLS
    /// RFC 2449 §5: `CAPA`.
    case capabilities
    /// RFC 1939 §5: `STAT`.
    case stat
    /// RFC 1939 §5: `LIST [msg]`.
    case list(Int?)
    /// RFC 1939 §5: `RETR msg`.
    case retrieve(Int)
    /// RFC 1939 §5: `DELE msg`.
    case delete(Int)
    /// RFC 1939 §5: `NOOP`.
    case noop
    /// RFC 1939 §5: `RSET`.
    case reset
    /// RFC 1939 §7: `TOP msg n`.
    case top(Int, lines: Int)
    /// RFC 1939 §7: `UIDL [msg]`.
    case uniqueIDList(Int?)
    /// RFC 1939 §4, §6: `QUIT`.
    case quit

    /// The keyword, for logs (never the arguments: they may be credentials).
    public var keyword: String {
        switch self {
        case .user: "USER"
        case .pass: "PASS"
        case .apop: "APOP"
        case .auth: "AUTH"
        case .startTLS: "STLS"
        case .capabilities: "CAPA"
        case .stat: "STAT"
        case .list: "LIST"
        case .retrieve: "RETR"
        case .delete: "DELE"
        case .noop: "NOOP"
        case .reset: "RSET"
        case .top: "TOP"
        case .uniqueIDList: "UIDL"
        case .quit: "QUIT"
        }
    }
}

/// Why a command line could not be parsed; each is answered with `-ERR`.
public enum POP3SyntaxError: Error, Hashable, Sendable {
    case unknownCommand
    /// The keyword is known, its arguments are not right; the text says what is expected.
    case badArguments(String)
    case lineTooLong
    /// A bare LF or CR in the line (never taken as a line end).
    case bareLineEnding
}
