/// Frames client input into commands, incrementally: fed bytes as they arrive, it yields each
/// complete command, and tells the session when the client waits for a continuation request.
///
/// Framing (RFC 3501 §4.3, RFC 9051 §4.3): a command is lines; a line that ends in a literal
/// announcement `{n}` is followed by exactly n octets, then the command goes on. `{n}` is
/// synchronizing: the client waits for "+" (event `.continuationRequest`). `{n+}` and `{n-}`
/// are not (RFC 7888), and `~{n}` is literal8 (RFC 3516 §4.2, only for APPEND data).
///
/// Invariants:
/// - An APPEND message literal larger than `IMAPLimits.inMemoryLiteralSize` is streamed: its
///   octets leave as `.literalOctets` events as they arrive (the last one says so), the command
///   keeps only its announcement, and the parsed APPEND names it `.streamed(index:)`. Nothing
///   else is ever held beyond the command's own bytes.
/// - A literal is checked against `IMAPLimits` when announced, before any of its octets are
///   stored: a synchronizing one that is too large is refused with NO [TOOBIG] and never gets
///   "+"; a non-synchronizing one that is too large is refused with BAD [TOOBIG] and the
///   connection closes (the client has committed to sending it).
/// - A command refused before its end (line too long, unknown command) is read to its end
///   without being stored; its non-synchronizing literals are skipped, and at a synchronizing
///   one the refusal is sent at once (the client abandons the command). Then parsing resumes.
/// - Lines end in CRLF; a bare LF is also taken as the end of a line (Dovecot and Cyrus do the
///   same), but a CR alone never is.
public struct IMAPCommandParser: Sendable {
    public enum Event: Hashable, Sendable {
        case command(IMAPTaggedCommand)
        /// The client announced a synchronizing literal: send a continuation ("+ Ready",
        /// RFC 3501 §7.5), then feed the parser the literal.
        case continuationRequest
        /// A line sent in answer to a server continuation during AUTHENTICATE (RFC 3501
        /// §6.2.2): base64, or "*" to cancel. Only after `expect(.authenticationResponse)`.
        case continuationLine([UInt8])
        /// Octets of a streamed APPEND literal, in order; `isLast` on its final piece. The
        /// command they belong to follows as `.command` (or `.error` if it is refused later).
        case literalOctets([UInt8], isLast: Bool)
        /// "DONE" ended IDLE (RFC 2177 §3). Only after `expect(.idleDone)`.
        case idleDone
        /// A refused command or line. The session sends the response, and closes the connection
        /// if `closesConnection` says so; otherwise it goes on.
        case error(IMAPCommandError)
    }

    /// What the next line is, as only the session knows (RFC 3501 §6.2.2, RFC 2177).
    public enum Expectation: Hashable, Sendable {
        case command
        case idleDone
        case authenticationResponse
    }

    public var limits: IMAPLimits
    /// Mailbox names are UTF-8, not modified UTF-7 (RFC 6855 §3); set when the client enables UTF8=ACCEPT.
    public var utf8Enabled: Bool
    public private(set) var expectation: Expectation = .command

    private var input: [UInt8] = []
    private var inputStart = 0
    /// Where the search for the next LF resumes (an index into `input`).
    private var scanFrom = 0
    /// The command so far: its lines, each literal's announcement followed by CRLF and its octets.
    private var command: [UInt8] = []
    private var phase: Phase = .line
    /// Offsets in `command` where a streamed literal's octets would have been.
    private var streamedLiterals: [Int] = []
    /// Octets of the command's streamed literals (counted against `limits.commandSize`).
    private var streamedOctets: UInt64 = 0
    /// When set, the command being read has been refused: its remainder is skipped and this
    /// error is reported at its end.
    private var refusal: IMAPCommandError? = nil

    private enum Phase: Sendable {
        case line
        case literal(remaining: Int)
        /// An APPEND message literal handed out in pieces; `binary`: literal8, NUL allowed.
        case streamingLiteral(remaining: Int, binary: Bool)
        case skippingLiteral(remaining: Int)
        /// A line over the limit: skip to its LF, keeping its last bytes to see whether it
        /// announced a literal.
        case skippingLine(tail: [UInt8])
    }

    public init(limits: IMAPLimits = IMAPLimits(), utf8Enabled: Bool = false) {
        self.limits = limits
        self.utf8Enabled = utf8Enabled
    }

    /// Sets what the next line is; the parser goes back to `.command` after reading it.
    public mutating func expect(_ expectation: Expectation) {
        self.expectation = expectation
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if inputStart > 0, inputStart >= input.count / 2 {
            input.removeFirst(inputStart)
            scanFrom -= inputStart
            inputStart = 0
        }
        input.append(contentsOf: bytes)
    }

    /// Bytes received but not yet consumed (the start of an incomplete line, or the octets after
    /// STARTTLS that must not be read as plaintext: CVE-2011-0411).
    public var bufferedByteCount: Int { input.count - inputStart }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        while true {
            switch phase {
            case .literal(let remaining):
                let count = min(remaining, input.count - inputStart)
                command.append(contentsOf: input[inputStart..<(inputStart + count)])
                consume(count)
                guard count == remaining else {
                    phase = .literal(remaining: remaining - count)
                    return nil
                }
                phase = .line
            case .streamingLiteral(let remaining, let binary):
                let count = min(remaining, input.count - inputStart)
                guard count > 0 else { return nil }
                let octets = Array(input[inputStart..<(inputStart + count)])
                consume(count)
                let isLast = count == remaining
                phase = isLast ? .line : .streamingLiteral(remaining: remaining - count, binary: binary)
                if !binary, octets.contains(0), refusal == nil {
                    // CHAR8 excludes NUL (RFC 3501 §9); the rest of the command is read and dropped.
                    refusal = IMAPCommandError(tag: Self.tag(in: command),
                                               text: "NUL in a literal; send binary data as literal8 (RFC 3516)")
                    command = []
                }
                return .literalOctets(octets, isLast: isLast)
            case .skippingLiteral(let remaining):
                let count = min(remaining, input.count - inputStart)
                consume(count)
                guard count == remaining else {
                    phase = .skippingLiteral(remaining: remaining - count)
                    return nil
                }
                phase = .line
            case .skippingLine(let tail):
                guard let lf = input[scanFrom...].firstIndex(of: IMAPGrammar.lf) else {
                    let keep = Array((tail + input[inputStart...]).suffix(32))
                    consume(input.count - inputStart)
                    phase = .skippingLine(tail: keep)
                    return nil
                }
                let line = Array((tail + input[inputStart..<lf]).suffix(32))
                consume(lf + 1 - inputStart)
                phase = .line
                if let event = endOfRefusedLine(Array(Self.withoutCR(line[...]))) { return event }
            case .line:
                guard let lf = input[scanFrom...].firstIndex(of: IMAPGrammar.lf) else {
                    scanFrom = input.count
                    if input.count - inputStart > limits.lineLength {
                        refuseLongLine()
                        continue
                    }
                    return nil
                }
                let line = Self.withoutCR(input[inputStart..<lf])
                if line.count > limits.lineLength {
                    refuseLongLine()
                    continue
                }
                let lineBytes = Array(line)
                consume(lf + 1 - inputStart)
                if let event = endOfLine(lineBytes) { return event }
            }
        }
    }

    // MARK: - Lines

    private mutating func endOfLine(_ line: [UInt8]) -> Event? {
        if command.isEmpty, refusal == nil {
            switch expectation {
            case .command:
                break
            case .idleDone:
                guard IMAPGrammar.uppercased(line) == "DONE" else {
                    return .error(IMAPCommandError(tag: nil, text: "expected DONE to end IDLE"))
                }
                expectation = .command
                return .idleDone
            case .authenticationResponse:
                expectation = .command
                return .continuationLine(line)
            }
        }
        if refusal != nil { return endOfRefusedLine(line) }
        command.append(contentsOf: line)
        guard let announcement = LiteralAnnouncement(line: line) else {
            let bytes = command
            let streamed = streamedLiterals
            command = []
            streamedLiterals = []
            streamedOctets = 0
            do {
                return .command(try IMAPTaggedCommand.parse(bytes, limits: limits, utf8Enabled: utf8Enabled,
                                                             streamedLiterals: streamed))
            } catch {
                return .error(error)
            }
        }
        switch decide(announcement) {
        case .accept:
            command.append(contentsOf: [IMAPGrammar.cr, IMAPGrammar.lf])
            phase = .literal(remaining: Int(announcement.count))
            return announcement.synchronizing ? .continuationRequest : nil
        case .stream:
            command.append(contentsOf: [IMAPGrammar.cr, IMAPGrammar.lf])
            streamedLiterals.append(command.count)
            streamedOctets += announcement.count
            phase = .streamingLiteral(remaining: Int(announcement.count), binary: announcement.binary)
            return announcement.synchronizing ? .continuationRequest : nil
        case .refuse(let error):
            // A client waiting for "+" abandons the command when refused (RFC 3501 §7.5).
            return endCommand(with: error)
        case .skipThenRefuse(let error):
            refusal = error
            command = []
            phase = .skippingLiteral(remaining: Int(announcement.count))
            return nil
        }
    }

    /// The end of a line of a refused command: report the refusal, unless a non-synchronizing
    /// literal follows that must be skipped first.
    private mutating func endOfRefusedLine(_ line: [UInt8]) -> Event? {
        let error = refusal ?? IMAPCommandError(tag: nil, text: "command refused")
        if let announcement = LiteralAnnouncement(line: line), !announcement.synchronizing {
            guard announcement.count <= UInt64(limits.messageSize) else {
                return endCommand(with: tooBig(error.tag, synchronizing: false))
            }
            phase = .skippingLiteral(remaining: Int(announcement.count))
            return nil
        }
        return endCommand(with: error)
    }

    private mutating func endCommand(with error: IMAPCommandError) -> Event {
        command = []
        streamedLiterals = []
        streamedOctets = 0
        refusal = nil
        return .error(error)
    }

    private mutating func refuseLongLine() {
        let tag = Self.tag(in: command.isEmpty ? Array(input[inputStart..<min(input.count, inputStart + 128)]) : command)
        if refusal == nil {
            refusal = IMAPCommandError(tag: tag, text: "line too long (limit \(limits.lineLength) octets)")
        }
        command = []
        streamedLiterals = []
        streamedOctets = 0
        phase = .skippingLine(tail: [])
    }

    // MARK: - Literals

    private enum LiteralDecision {
        case accept
        /// An APPEND message larger than `limits.inMemoryLiteralSize`: hand its octets out.
        case stream
        case refuse(IMAPCommandError)
        /// The command is refused, but its non-synchronizing literal is on its way: skip it.
        case skipThenRefuse(IMAPCommandError)
    }

    /// Whether the literal just announced may be read.
    private func decide(_ announcement: LiteralAnnouncement) -> LiteralDecision {
        let tag = Self.tag(in: command)
        func refuse(_ error: IMAPCommandError) -> LiteralDecision {
            if announcement.synchronizing { return .refuse(error) }
            guard announcement.count <= UInt64(limits.messageSize) else {
                return .refuse(tooBig(error.tag, synchronizing: false))
            }
            return .skipThenRefuse(error)
        }
        // A command whose tag or name is already wrong is refused before its literal, so that
        // a bad command never gets "+".
        guard let tag else { return refuse(IMAPCommandError(tag: nil, text: "invalid tag")) }
        guard let name = Self.commandName(in: command), Self.commandNames.contains(name) else {
            return refuse(IMAPCommandError(tag: tag, text: "unknown command"))
        }
        let isAppend = name == "APPEND"
        let limit = isAppend ? limits.messageSize : limits.stringLiteralSize
        if announcement.count > UInt64(limit)
            || UInt64(command.count) + streamedOctets + announcement.count > UInt64(limits.commandSize)
        {
            return .refuse(tooBig(tag, synchronizing: announcement.synchronizing))
        }
        if !announcement.synchronizing, let maximum = limits.nonSynchronizingLiteralSize,
            announcement.count > UInt64(maximum)
        {
            // RFC 7888 §5: a LITERAL- server refuses larger non-synchronizing literals.
            return .refuse(
                IMAPCommandError(
                    tag: tag, code: .tooBig,
                    text: "non-synchronizing literals are limited to \(maximum) octets (LITERAL-)",
                    closesConnection: true))
        }
        if announcement.binary, !isAppend {
            return refuse(IMAPCommandError(tag: tag, text: "literal8 is only allowed for message data"))
        }
        return isAppend && announcement.count > UInt64(limits.inMemoryLiteralSize) ? .stream : .accept
    }

    private func tooBig(_ tag: String?, synchronizing: Bool) -> IMAPCommandError {
        // RFC 4469 §5 / RFC 7889 §4: NO [TOOBIG]. A non-synchronizing literal is already on the
        // wire: BAD, and close (RFC 7888 §4).
        synchronizing
            ? IMAPCommandError(tag: tag, status: .no, code: .tooBig, text: "literal too large")
            : IMAPCommandError(tag: tag, code: .tooBig, text: "literal too large", closesConnection: true)
    }

    // MARK: - Helpers

    private mutating func consume(_ count: Int) {
        inputStart += count
        scanFrom = inputStart
    }

    private static func withoutCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == IMAPGrammar.cr ? line.dropLast() : line
    }

    /// The tag at the start of a command, when it is a valid tag followed by SP or the end.
    static func tag(in bytes: [UInt8]) -> String? {
        var reader = IMAPCommandReader(bytes: bytes, limits: IMAPLimits(), utf8Enabled: false)
        return IMAPTaggedCommand.readTag(&reader)
    }

    /// The command name after the tag ("UID" for UID commands), upper-cased.
    static func commandName(in bytes: [UInt8]) -> String? {
        guard let space = bytes.firstIndex(of: IMAPGrammar.space) else { return nil }
        let name = bytes[(space + 1)...].prefix { IMAPGrammar.isAtomChar($0) }
        return name.isEmpty ? nil : IMAPGrammar.uppercased(name)
    }

    static let commandNames: Set<String> = [
        "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "ENABLE", "ID", "NAMESPACE", "SELECT",
        "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND", "IDLE",
        "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "UID",
    ]
}

/// `{n}`, `{n+}`, `{n-}` or `~{n}` at the end of a line (RFC 3501 §4.3, RFC 7888 §4, RFC 3516 §4.2).
struct LiteralAnnouncement: Hashable, Sendable {
    init(count: UInt64, synchronizing: Bool, binary: Bool) {
        self.count = count
        self.synchronizing = synchronizing
        self.binary = binary
    }

    /// The announced length; `UInt64.max` when the digits overflow (always too large).
    var count: UInt64
    var synchronizing: Bool
    var binary: Bool

    init?(line: some BidirectionalCollection<UInt8>) {
        let bytes = Array(line)
        guard bytes.last == UInt8(ascii: "}"), let open = bytes.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = bytes[(open + 1)..<(bytes.count - 1)]
        synchronizing = true
        if let last = digits.last, last == UInt8(ascii: "+") || last == UInt8(ascii: "-") {
            synchronizing = false
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(IMAPCommandReader.isDigit) else { return nil }
        count = IMAPGrammar.number64(digits) ?? .max
        binary = open > 0 && bytes[open - 1] == UInt8(ascii: "~")
    }
}
