import ArgumentParser
import Delivery
import Foundation
import Synchronization

/// `tresor-bench smtp`: drives any SMTP server with `--concurrency` persistent connections
/// (one blocking client per thread) until `--count` messages are sent, then prints messages/s
/// and the latency of a transaction (MAIL to the final reply after DATA) at p50/p95/p99.
/// The same options and messages against Tresor and another server make the two comparable.
struct SMTPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp",
        abstract: "Throughput and latency of SMTP delivery to any server (Tresor, Postfix, …)."
    )

    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 2525
    @Option(help: "Messages to send in all.") var count = 1000
    @Option(help: "Concurrent connections, each persistent.") var concurrency = 1
    @Option(help: "Generated messages of about this many bytes (default 4096).") var size: Int?
    @Option(help: "Send the messages of this corpus (folder of .eml or mbox), cycling through them.")
    var corpus: String?
    @Option(help: "Envelope recipient.") var to = "bench@localhost"
    @Option(help: "Envelope sender.") var from = "sender@bench.test"
    @Option(help: ArgumentHelp(
        "Serve DNS for the sender's domain on this UDP host:port (SPF for 127.0.0.1, a DKIM key, DMARC p=reject), "
            + "DKIM-sign every message, and report each check's time. Point the server's [delivery] dns_resolver here "
            + "and set [auth_checks] enabled = true.", valueName: "host:port"))
    var authDNS: String?
    @Option(help: "Share of the generated messages (0 to 1) that carry a small PDF attachment.") var pdfShare = 0.0
    @Option(help: ArgumentHelp("Watch the attachment indexer of the Tresor serving this data directory: how far it is behind during the run and until it caught up.",
                               valueName: "dir"))
    var lagDataDir: String?

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard (1...1000).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1000") }
        if size != nil && corpus != nil { throw ValidationError("give --size or --corpus, not both") }
        if let size, size < 200 { throw ValidationError("--size must be at least 200 bytes") }
        if authDNS != nil && corpus != nil { throw ValidationError("--auth-dns signs generated messages; not with --corpus") }
        if let authDNS, ResolverAddress(parsing: authDNS) == nil { throw ValidationError("--auth-dns must be host:port") }
        guard (0...1).contains(pdfShare) else { throw ValidationError("--pdf-share must be from 0 to 1") }
        if pdfShare > 0 && corpus != nil { throw ValidationError("--pdf-share applies to generated messages, not --corpus") }
    }

    func run() async throws {
        var authDNSServer: BenchAuthDNS?
        if let authDNS, let address = ResolverAddress(parsing: authDNS) {
            let domain = String(from[from.index(after: from.lastIndex(of: "@") ?? from.startIndex)...]).lowercased()
            authDNSServer = try await BenchAuthDNS.start(host: address.host, port: address.port, domain: domain)
        }
        defer { if let authDNSServer { Task { await authDNSServer.stop() } } }
        let messages = try prepareMessages(signedBy: authDNSServer)
        let bytes = messages.reduce(0) { $0 + $1.count }
        Report.line("server", "\(host):\(port)")
        if let authDNSServer, let first = try prepareMessages(signedBy: authDNSServer, count: 1, unstuffed: true).first {
            Report.line("auth DNS", "udp \(authDNS ?? ""), messages DKIM-signed (rsa-sha256) for \(authDNSServer.domain)")
            for (check, milliseconds) in await authDNSServer.timeChecks(first, mailFrom: from, rounds: 200) {
                Report.line("\(check) per message", String(format: "%.3f ms (in the bench process, mean of 200)", milliseconds))
            }
        }
        Report.line("messages", "\(count) (\(bytes / max(count, 1)) bytes on average), \(concurrency) connection(s)")
        let results = SMTPLoad(messages: messages)
        let watcher = lagDataDir.map { AttachmentLagWatcher(dataDirectory: URL(fileURLWithPath: $0, isDirectory: true)) }
        let watching = watcher.map { watcher in Task { await watcher.watch() } }
        let start = DispatchTime.now().uptimeNanoseconds
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let remaining = Mutex(concurrency)
            for worker in 0..<concurrency {
                let (host, port, from, to) = (self.host, self.port, self.from, self.to)
                Thread.detachNewThread {
                    results.work(worker: worker, host: host, port: port, from: from, to: to)
                    let last = remaining.withLock { count -> Bool in count -= 1; return count == 0 }
                    if last { done.resume() }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let (latencies, failures) = results.outcome()
        Report.line("delivered (2xx)", "\(latencies.count)")
        if !failures.isEmpty {
            Report.line("failed", "\(failures.count), first: \(failures[0])")
        }
        Report.line("wall time", String(format: "%.2f s", seconds))
        Report.line("messages/s", Report.rate(latencies.count, seconds))
        Report.line("throughput", Report.megabytesPerSecond(bytes * latencies.count / max(count, 1), seconds))
        let sorted = latencies.sorted()
        for (label, fraction) in [("latency p50", 0.50), ("latency p95", 0.95), ("latency p99", 0.99)] {
            Report.line(label, sorted.isEmpty ? "-" : String(format: "%.2f ms", percentile(sorted, fraction) * 1000))
        }
        if let watcher, let watching {
            watcher.stopWhenCaughtUp()
            await watching.value
            watcher.report()
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// The wire form of each message: CRLF line ends, dot-stuffed (RFC 5321 §4.5.2), and the
    /// end-of-data line. Every message is distinct, so deduplication cannot flatter a server.
    private func prepareMessages(signedBy dns: BenchAuthDNS? = nil, count: Int? = nil,
                                 unstuffed: Bool = false) throws -> [[UInt8]] {
        let count = count ?? self.count
        let run = UUID().uuidString.prefix(8).lowercased()
        if let corpus {
            let originals = try BenchCorpus.loadOriginals(URL(fileURLWithPath: corpus))
            guard !originals.isEmpty else { throw ValidationError("no messages found in \(corpus)") }
            return (0..<count).map { index in
                let original = originals[index % originals.count]
                let header = Array("X-Tresor-Bench: \(run).\(index)\r\n".utf8)
                return Self.wireForm(header + original)
            }
        }
        let target = size ?? 4096
        let line = Array(("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor." + "\r\n").utf8)
        // Every n-th message carries a PDF, so that the share holds for any --count.
        let pdfEvery = pdfShare > 0 ? max(1, Int((1 / pdfShare).rounded())) : 0
        return try (0..<count).map { index in
            var message = Array("""
                From: Bench <\(from)>\r
                To: <\(to)>\r
                Subject: tresor-bench message \(index)\r
                Date: Mon, 1 Jan 2024 12:00:00 +0000\r
                Message-ID: <\(run).\(index)@bench.test>\r

                """.utf8)
            var text: [UInt8] = []
            while message.count + text.count + line.count <= target { text += line }
            if pdfEvery > 0, index % pdfEvery == 0 {
                message += Self.withPDF(text: text, marker: "zqbench\(run)x\(index)")
            } else {
                message += Array("\r\n".utf8) + text
            }
            if let dns { message = try dns.sign(message) }
            return unstuffed ? message : Self.wireForm(message)
        }
    }

    /// The rest of a message (from its MIME header fields on) whose text is followed by a one-page
    /// PDF attachment holding `marker` (RFC 2046 §5.1 multipart/mixed, the PDF in base64).
    static func withPDF(text: [UInt8], marker: String) -> [UInt8] {
        let pdf = BenchPDF.document(lines: ["Invoice \(marker)", "Amount due within thirty days of delivery.",
                                            "This document was generated by tresor-bench."])
        let base64 = Data(pdf).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let boundary = "=_bench_\(marker)"
        let head = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n\r\n"
            + "--\(boundary)\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        let tail = "\r\n--\(boundary)\r\nContent-Type: application/pdf\r\n"
            + "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64 + "\r\n--\(boundary)--\r\n"
        return Array(head.utf8) + text + Array(tail.utf8)
    }

    static func wireForm(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 40 + 5)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            atLineStart = byte == 0x0A
            previous = byte
        }
        if !atLineStart { out += [0x0D, 0x0A] }
        out += Array(".\r\n".utf8)
        return out
    }

    private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// The work queue and results shared by the worker threads.
final class SMTPLoad: Sendable {
    private let messages: [[UInt8]]
    private struct State { var next = 0; var latencies: [Double] = []; var failures: [String] = [] }
    private let state = Mutex(State())

    init(messages: [[UInt8]]) { self.messages = messages }

    private func take() -> Int? {
        state.withLock { state in
            guard state.next < messages.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// One worker: a persistent connection, transactions until the queue is empty.
    func work(worker: Int, host: String, port: Int, from: String, to: String) {
        do {
            let client = try SMTPBenchClient(host: host, port: port)
            try client.open(helo: "bench\(worker).test")
            while let index = take() {
                let start = DispatchTime.now().uptimeNanoseconds
                let reply = try client.deliver(from: from, to: to, data: messages[index])
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                state.withLock { state in
                    if (200..<300).contains(reply.code) {
                        state.latencies.append(seconds)
                    } else {
                        state.failures.append(reply.lines.joined(separator: " / "))
                    }
                }
            }
            client.quit()
        } catch {
            state.withLock { $0.failures.append("worker \(worker): \(error)") }
        }
    }

    func outcome() -> (latencies: [Double], failures: [String]) {
        state.withLock { ($0.latencies, $0.failures) }
    }
}
