import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking SMTP client for the load generator. Each worker owns one on its own thread, so
/// blocking reads never sit on the cooperative pool (which has one thread per core here).
/// Speaks just enough RFC 5321 for a benchmark: EHLO, MAIL, RCPT, DATA, QUIT, with
/// PIPELINING (RFC 2920) of MAIL/RCPT/DATA when the server offers it.
final class SMTPBenchClient {
    struct Reply { var code: Int; var lines: [String] }
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var pipelining = false

    init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let info = candidate, connected < 0 {
            let socketFD = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if socketFD >= 0 {
                if connect(socketFD, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    connected = socketFD
                } else {
                    close(socketFD)
                }
            }
            candidate = info.pointee.ai_next
        }
        guard connected >= 0 else { throw Failure(description: "cannot connect to \(host):\(port) (errno \(errno))") }
        var one: Int32 = 1
        setsockopt(connected, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        fd = connected
    }

    deinit { close(fd) }

    /// Greeting and EHLO; remembers whether PIPELINING is offered.
    func open(helo: String) throws {
        try expect(try readReply(), 220, "greeting")
        try send(Array("EHLO \(helo)\r\n".utf8))
        let ehlo = try readReply()
        try expect(ehlo, 250, "EHLO")
        pipelining = ehlo.lines.contains { $0.dropFirst(4).uppercased().hasPrefix("PIPELINING") }
    }

    /// One transaction; `data` is already dot-stuffed and ends with CRLF "." CRLF. Returns the
    /// final reply (250 on success).
    func deliver(from: String, to: String, data: [UInt8]) throws -> Reply {
        let mail = Array("MAIL FROM:<\(from)>\r\n".utf8), rcpt = Array("RCPT TO:<\(to)>\r\n".utf8)
        let dataCommand = Array("DATA\r\n".utf8)
        if pipelining {
            try send(mail + rcpt + dataCommand)
            let replies = [try readReply(), try readReply(), try readReply()]
            guard replies[0].code == 250, replies[1].code == 250 || replies[1].code == 251, replies[2].code == 354 else {
                if replies[2].code == 354 { try send(Array(".\r\n".utf8)); _ = try readReply() }
                try send(Array("RSET\r\n".utf8)); _ = try readReply()
                return replies.first { $0.code >= 400 } ?? replies[2]
            }
        } else {
            try send(mail)
            let mailReply = try readReply()
            guard mailReply.code == 250 else { return mailReply }
            try send(rcpt)
            let rcptReply = try readReply()
            guard rcptReply.code == 250 || rcptReply.code == 251 else {
                try send(Array("RSET\r\n".utf8)); _ = try readReply()
                return rcptReply
            }
            try send(dataCommand)
            let dataReply = try readReply()
            guard dataReply.code == 354 else { return dataReply }
        }
        try send(data)
        return try readReply()
    }

    func quit() {
        try? send(Array("QUIT\r\n".utf8))
        _ = try? readReply()
    }

    private func expect(_ reply: Reply, _ code: Int, _ what: String) throws {
        guard reply.code == code else {
            throw Failure(description: "\(what): expected \(code), got \(reply.lines.joined(separator: " / "))")
        }
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + sent, bytes.count - sent) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "write failed (errno \(errno))") }
            sent += n
        }
    }

    /// A complete reply: lines `ddd-…` up to the first `ddd …` (RFC 5321 §4.2.1).
    func readReply() throws -> Reply {
        var lines: [String] = []
        while true {
            let line = try readLine()
            lines.append(line)
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))) else {
                throw Failure(description: "malformed reply line: \(line)")
            }
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return Reply(code: code, lines: lines) }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let lf = buffer.firstIndex(of: 0x0A) {
                let end = lf > 0 && buffer[lf - 1] == 0x0D ? lf - 1 : lf
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...lf)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "connection closed by the server") }
            buffer += chunk[..<n]
        }
    }
}
