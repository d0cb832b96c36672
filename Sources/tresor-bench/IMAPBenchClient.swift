import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A point in time after which every read and write of the benchmark fails (`--timeout`).
struct BenchDeadline: Sendable {
    let uptimeNanoseconds: UInt64

    init(secondsFromNow seconds: Double) {
        uptimeNanoseconds = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    }

    /// Milliseconds left, at least 0, at most `Int32.max` (for poll(2)).
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard uptimeNanoseconds > now else { return 0 }
        return Int32(min(UInt64(Int32.max), (uptimeNanoseconds - now) / 1_000_000))
    }
}

/// A blocking IMAP client for the benchmark, plaintext only (loopback). It speaks just what the
/// benchmark needs: tagged commands, responses with literals (through `IMAPResponseFramer`),
/// LOGIN, SELECT, FETCH, UID SEARCH, STATUS, IDLE/DONE and LOGOUT. Each instance is used by one
/// thread; reads wait in poll(2) no longer than the deadline.
final class IMAPBenchClient {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// What a command produced: its tagged completion and totals over its untagged responses.
    struct Outcome {
        var completion: IMAPBenchResponse
        var untaggedCount = 0
        var wireBytes = 0
        var literalBytes = 0
        var status: String { completion.status }
    }

    private let fd: Int32
    /// Every read waits no longer than this; the IDLE step gives the closing of its sessions a
    /// budget of their own, so that a run that timed out still logs out.
    var deadline: BenchDeadline
    private var framer = IMAPResponseFramer()
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    private var nextTag = 0
    /// The tag of the IDLE command in progress, if any.
    private var idleTag: String?
    /// Set by `logout()`: the server's `* BYE` is then expected.
    private var loggingOut = false

    /// Connects (from `sourceAddress`, an IPv4 address, if given) and reads the greeting, which
    /// must be `* OK` (RFC 9051 §7.1.1); `* PREAUTH` or `* BYE` are failures for a benchmark.
    init(host: String, port: Int, sourceAddress: String? = nil, deadline: BenchDeadline) throws {
        self.deadline = deadline
        fd = try Self.connect(host: host, port: port, sourceAddress: sourceAddress, deadline: deadline)
        let greeting: IMAPBenchResponse
        do {
            greeting = try readResponse()
        } catch {
            close(fd)
            throw error
        }
        guard greeting.kind == .untagged, greeting.textString.uppercased().hasPrefix("OK") else {
            close(fd)
            throw Failure(description: "unexpected greeting: \(greeting.textString.prefix(200))")
        }
    }

    deinit { close(fd) }

    // MARK: Commands

    /// LOGIN with quoted strings (RFC 9051 §6.2.3); a NO or BAD is a failure.
    func login(user: String, password: String) throws {
        try expectOK(try command("LOGIN \(Self.quoted(user)) \(Self.quoted(password))"), "LOGIN")
    }

    /// SELECT (RFC 9051 §6.3.2); returns the number of messages from `* n EXISTS`.
    func select(_ mailbox: String) throws -> Int {
        var exists = 0
        let outcome = try command("SELECT \(Self.quoted(mailbox))") { response in
            if let count = Self.count(in: response, before: "EXISTS") { exists = count }
        }
        try expectOK(outcome, "SELECT")
        return exists
    }

    /// STATUS mailbox (MESSAGES) (RFC 9051 §6.3.11), used to wait for deliveries.
    func messageCount(_ mailbox: String) throws -> Int {
        var messages: Int?
        let outcome = try command("STATUS \(Self.quoted(mailbox)) (MESSAGES)") { response in
            let text = response.textString.uppercased()
            guard text.hasPrefix("STATUS "), let range = text.range(of: "MESSAGES ") else { return }
            messages = Int(text[range.upperBound...].prefix { $0.isNumber })
        }
        try expectOK(outcome, "STATUS")
        guard let messages else { throw Failure(description: "STATUS without MESSAGES") }
        return messages
    }

    /// CREATE (RFC 9051 §6.3.4); false when the server says NO (typically: it exists already).
    @discardableResult
    func create(_ mailbox: String) throws -> Bool {
        try command("CREATE \(Self.quoted(mailbox))").status == "OK"
    }

    /// APPEND with a synchronizing literal (RFC 9051 §6.3.12, §4.3): the message goes out only
    /// after the server's `+`. `message` has CRLF line ends.
    func append(_ mailbox: String, message: [UInt8]) throws {
        let tag = makeTag()
        try send(Array("\(tag) APPEND \(Self.quoted(mailbox)) {\(message.count)}\r\n".utf8))
        waiting: while true {
            let response = try readResponse()
            switch response.kind {
            case .continuation: break waiting
            case .untagged: continue
            case .tagged: throw Failure(description: "APPEND refused: \(response.textString.prefix(200))")
            }
        }
        try send(message + [0x0D, 0x0A])
        try expectOK(try awaitCompletion(of: tag, onUntagged: { _ in }), "APPEND")
    }

    /// UID SEARCH (RFC 9051 §6.4.4, §6.4.9): the UIDs of the `* SEARCH` response (RFC 3501 §7.2.5;
    /// the benchmark enables nothing, so servers answer with SEARCH rather than ESEARCH).
    func uidSearch(_ criteria: String) throws -> (uids: [Int], outcome: Outcome) {
        var uids: [Int] = []
        let outcome = try command("UID SEARCH \(criteria)") { response in
            let words = response.text.split(separator: UInt8(ascii: " "))
            guard let first = words.first, String(decoding: first, as: UTF8.self).uppercased() == "SEARCH" else { return }
            uids += words.dropFirst().compactMap { Int(String(decoding: $0, as: UTF8.self)) }
        }
        try expectOK(outcome, "UID SEARCH")
        return (uids, outcome)
    }

    /// IDLE (RFC 2177 §3, RFC 9051 §6.3.13): returns once the server sent its `+` continuation.
    func startIdle() throws {
        guard idleTag == nil else { throw Failure(description: "IDLE already in progress") }
        let tag = makeTag()
        try send(Array("\(tag) IDLE\r\n".utf8))
        while true {
            let response = try readResponse()
            switch response.kind {
            case .continuation:
                idleTag = tag
                return
            case .untagged:
                continue
            case .tagged(let other):
                throw Failure(description: "IDLE refused (\(other)): \(response.textString.prefix(200))")
            }
        }
    }

    /// DONE ends IDLE; the server then completes the IDLE command (RFC 2177 §3).
    func finishIdle() throws {
        guard let tag = idleTag else { throw Failure(description: "not idling") }
        idleTag = nil
        try send(Array("DONE\r\n".utf8))
        try expectOK(try awaitCompletion(of: tag, onUntagged: { _ in }), "IDLE")
    }

    /// LOGOUT (RFC 9051 §6.1.3); errors are ignored, the connection closes either way.
    func logout() {
        loggingOut = true
        _ = try? command("LOGOUT")
    }

    /// Sends `tag text CRLF` and reads responses until the one tagged `tag`; every untagged
    /// response goes to `onUntagged` (literal contents are not kept).
    @discardableResult
    func command(_ text: String, onUntagged: (IMAPBenchResponse) -> Void = { _ in }) throws -> Outcome {
        let tag = makeTag()
        try send(Array("\(tag) \(text)\r\n".utf8))
        return try awaitCompletion(of: tag, onUntagged: onUntagged)
    }

    private func awaitCompletion(of tag: String, onUntagged: (IMAPBenchResponse) -> Void) throws -> Outcome {
        var untaggedCount = 0, wireBytes = 0, literalBytes = 0
        while true {
            let response = try readResponse()
            wireBytes += response.wireBytes
            literalBytes += response.literalBytes
            switch response.kind {
            case .tagged(let completed) where completed == tag:
                return Outcome(completion: response, untaggedCount: untaggedCount,
                               wireBytes: wireBytes, literalBytes: literalBytes)
            case .tagged(let other):
                throw Failure(description: "response tagged \(other) while waiting for \(tag)")
            case .continuation:
                throw Failure(description: "unexpected continuation request: \(response.textString.prefix(200))")
            case .untagged:
                // BYE before LOGOUT's completion is expected (RFC 9051 §6.1.3); elsewhere the
                // server is closing the connection.
                if response.textString.uppercased().hasPrefix("BYE") && !loggingOut {
                    throw Failure(description: "server said BYE: \(response.textString.prefix(200))")
                }
                untaggedCount += 1
                onUntagged(response)
            }
        }
    }

    private func expectOK(_ outcome: Outcome, _ what: String) throws {
        guard outcome.status == "OK" else {
            throw Failure(description: "\(what) failed: \(outcome.completion.textString.prefix(200))")
        }
    }

    private func makeTag() -> String {
        nextTag += 1
        return "B\(nextTag)"
    }

    // MARK: Grammar helpers

    /// A quoted string (RFC 9051 §4.3): backslash and double quote escaped. The callers refuse
    /// CR, LF and non-ASCII text up front, which a quoted string cannot carry.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// True when `text` fits in a quoted string: 7-bit, no CR, LF or NUL (RFC 9051 §9, QUOTED-CHAR).
    static func isQuotable(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x01 && $0 < 0x80 && $0 != 0x0D && $0 != 0x0A }
    }

    /// n from an untagged `n WORD` response such as `5 EXISTS` or `3 FETCH (…)`.
    static func count(in response: IMAPBenchResponse, before word: String) -> Int? {
        let parts = response.text.split(separator: UInt8(ascii: " "), maxSplits: 2)
        guard parts.count >= 2, String(decoding: parts[1], as: UTF8.self).uppercased() == word else { return nil }
        return Int(String(decoding: parts[0], as: UTF8.self))
    }

    // MARK: Socket

    private func readResponse() throws -> IMAPBenchResponse {
        while true {
            if let response = try framer.nextResponse() { return response }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, deadline.remainingMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { throw Failure(description: "timed out waiting for the server") }
            let n = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "connection closed by the server") }
            readBuffer.withUnsafeBytes { framer.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
    }

    private func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "write failed (errno \(errno))") }
            sent += n
        }
    }

    private static func connect(host: String, port: Int, sourceAddress: String?, deadline: BenchDeadline) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = sourceAddress == nil ? AF_UNSPEC : AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var lastError: Int32 = 0
        while let info = candidate {
            candidate = info.pointee.ai_next
            let socketFD = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard socketFD >= 0 else { lastError = errno; continue }
            // A connect(2) on a blocking socket waits no longer than SO_SNDTIMEO.
            let milliseconds = Int(deadline.remainingMilliseconds)
            var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
            setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let sourceAddress {
                var local = sockaddr_in()
                local.sin_family = sa_family_t(AF_INET)
                guard inet_pton(AF_INET, sourceAddress, &local.sin_addr) == 1 else {
                    close(socketFD)
                    throw Failure(description: "not an IPv4 source address: \(sourceAddress)")
                }
                let bound = withUnsafePointer(to: &local) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard bound == 0 else {
                    let code = errno
                    close(socketFD)
                    throw Failure(description: "cannot bind to \(sourceAddress) (errno \(code))")
                }
            }
            if Glibc.connect(socketFD, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return socketFD
            }
            lastError = errno
            close(socketFD)
        }
        throw Failure(description: "cannot connect to \(host):\(port) (errno \(lastError))")
    }
}
