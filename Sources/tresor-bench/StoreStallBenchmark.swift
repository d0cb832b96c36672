import ArgumentParser
import Foundation
import Synchronization

/// `tresor-bench store-stall`: one IMAP session floods a folder with new keywords (STORE +FLAGS of
/// thousands of keywords on every message, round after round) while another connection delivers
/// mail over SMTP; reports what the STOREs were answered and how long each delivery waited. Drives
/// any server, so Dovecot can be measured the same way.
struct StoreStallBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-stall",
        abstract: "SMTP delivery latency while another session STOREs thousands of new keywords per round."
    )

    @Option(help: "Server host.") var host = "127.0.0.1"
    @Option(help: "IMAP port.") var imapPort = 2143
    @Option(help: "SMTP port.") var smtpPort = 2525
    @Option(help: "IMAP user.") var user = "bench@localhost"
    @Option(help: "IMAP password.") var password: String
    @Option(help: "Envelope recipient of the deliveries (another user than the IMAP one, for a fair test).")
    var to = "bench2@localhost"
    @Option(help: "Messages in the flooded folder (appended when fewer).") var messages = 20
    @Option(help: "STORE rounds.") var rounds = 8
    @Option(help: "New keywords per round.") var keywords = 5000

    func run() throws {
        let deadline = BenchDeadline(secondsFromNow: 3600)
        let imap = try IMAPBenchClient(host: host, port: imapPort, deadline: deadline)
        try imap.login(user: user, password: password)
        var count = try imap.select("INBOX")
        while count < messages {
            try imap.append("INBOX", message: Array("From: a@bench.test\r\nSubject: stall \(count)\r\n\r\nbody\r\n".utf8))
            count += 1
        }
        count = try imap.select("INBOX")

        let stop = Atomic<Bool>(false)
        let latencies = Mutex<[Double]>([])
        let failures = Mutex<[String]>([])
        let finished = DispatchSemaphore(value: 0)
        let (host, smtpPort, to) = (self.host, self.smtpPort, self.to)
        Thread.detachNewThread {
            defer { finished.signal() }
            do {
                let smtp = try SMTPBenchClient(host: host, port: smtpPort)
                try smtp.open(helo: "bench.test")
                var index = 0
                while !stop.load(ordering: .relaxed) {
                    let message = SMTPBenchmark.wireForm(Array(
                        "From: <s@bench.test>\r\nTo: <\(to)>\r\nSubject: during stall \(index)\r\nMessage-ID: <stall.\(index).\(UUID().uuidString)@bench.test>\r\n\r\nhello\r\n".utf8))
                    let start = DispatchTime.now().uptimeNanoseconds
                    let reply = try smtp.deliver(from: "s@bench.test", to: to, data: message)
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    if reply.code / 100 == 2 {
                        latencies.withLock { $0.append(seconds) }
                    } else {
                        failures.withLock { $0.append("\(reply.code)") }
                    }
                    index += 1
                    usleep(50_000)
                }
                smtp.quit()
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }

        var answers: [String: Int] = [:]
        var storeSeconds: [Double] = []
        for round in 0..<rounds {
            let list = (0..<keywords).map { "r\(round)k\($0)" }.joined(separator: " ")
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try imap.command("STORE 1:* +FLAGS.SILENT (\(list))")
            storeSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            // "NO [LIMIT] …": the status and its response code, if any.
            let words = outcome.completion.textString.split(separator: " ", maxSplits: 2)
            let code = words.count > 1 && words[1].hasPrefix("[") ? " " + words[1] : ""
            answers[outcome.status + code, default: 0] += 1
        }
        stop.store(true, ordering: .relaxed)
        finished.wait()
        imap.logout()

        let sorted = latencies.withLock { $0 }.sorted()
        Report.line("folder", "\(count) messages")
        Report.line("STORE rounds", "\(rounds) × \(keywords) new keywords: "
                    + answers.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        Report.line("STORE time", String(format: "max %.2f s, total %.2f s", storeSeconds.max() ?? 0,
                                         storeSeconds.reduce(0, +)))
        Report.line("deliveries meanwhile", "\(sorted.count) (failed \(failures.withLock { $0.count }))")
        for (label, fraction) in [("delivery p50", 0.5), ("delivery p99", 0.99), ("delivery max", 1.0)] {
            let value = sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
            Report.line(label, value.map { String(format: "%.1f ms", $0 * 1000) } ?? "-")
        }
    }
}
