import Foundation
import Synchronization

/// The steps of `tresor-bench imap` against one server, on one thread, printing each result as
/// it is measured. Every read and write obeys one deadline (`--timeout`).
struct IMAPBenchRun: Sendable {
    let target: IMAPBenchTarget
    let plan: IMAPBenchPlan

    func run() -> IMAPBenchResult {
        var result = IMAPBenchResult()
        let deadline = BenchDeadline(secondsFromNow: plan.timeout)
        do {
            // fflush after each step: a long run shows each result as it ends, also into a file.
            if plan.loadMessages > 0 { try load(deadline: deadline) }
            fflush(nil)
            let client = try loginAndSelect(into: &result, deadline: deadline)
            fflush(nil)
            guard result.exists > 0 else {
                throw IMAPBenchClient.Failure(description: "\(target.mailbox) is empty: fill it first (--load-messages)")
            }
            try fetch(client, items: "(FLAGS ENVELOPE)", into: &result.fetchEnvelope)
            fflush(nil)
            try fetch(client, items: "BODY.PEEK[]", into: &result.fetchBody)
            fflush(nil)
            try search(client, into: &result)
            fflush(nil)
            client.logout()
            if plan.idleSessions > 0 { try idle(into: &result, deadline: deadline) }
        } catch {
            result.failure = "\(error)"
        }
        return result
    }

    // MARK: Steps

    /// `--load-messages` without an SMTP port: APPEND of the generated messages, in order, into
    /// the mailbox (created if missing) — the same bytes on every server, no trace headers.
    private func append(deadline: BenchDeadline) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        try withClient(deadline: deadline) { client in
            if target.mailbox.uppercased() != "INBOX" { try client.create(target.mailbox) }
            for index in 0..<plan.loadMessages {
                try client.append(target.mailbox, message: IMAPBenchMailbox.message(
                    index, size: plan.messageSize, from: "loader@bench.test", to: target.recipient))
            }
        }
        let elapsed = seconds(since: start)
        Report.line("load: appended", "\(plan.loadMessages) in \(String(format: "%.2f s", elapsed)) (\(Report.rate(plan.loadMessages, elapsed)) msg/s)")
    }

    /// `--load-messages` with an SMTP port: deliveries of the generated messages over 10
    /// connections, then STATUS until the mailbox holds them (delivery may be asynchronous, as
    /// Postfix → LMTP is).
    private func load(deadline: BenchDeadline) throws {
        guard let smtpPort = target.smtpPort else { return try append(deadline: deadline) }
        let before = try withClient(deadline: deadline) { try $0.messageCount(target.mailbox) }
        let messages = (0..<plan.loadMessages).map { index in
            SMTPBenchmark.wireForm(IMAPBenchMailbox.message(index, size: plan.messageSize, from: "loader@bench.test",
                                                            to: target.recipient))
        }
        let load = SMTPLoad(messages: messages)
        let start = DispatchTime.now().uptimeNanoseconds
        let workers = min(10, plan.loadMessages)
        let finished = Mutex(0)
        let threads = (0..<workers).map { worker in
            Thread { [target] in
                load.work(worker: worker, host: target.host, port: smtpPort, from: "loader@bench.test", to: target.recipient)
                finished.withLock { $0 += 1 }
            }
        }
        threads.forEach { $0.start() }
        while finished.withLock({ $0 }) < workers {
            guard deadline.remainingMilliseconds > 0 else { throw IMAPBenchClient.Failure(description: "load timed out") }
            usleep(20_000)
        }
        let accepted = seconds(since: start)
        let (latencies, failures) = load.outcome()
        Report.line("load: accepted", "\(latencies.count) of \(plan.loadMessages) in \(String(format: "%.2f s", accepted)) (\(Report.rate(latencies.count, accepted)) msg/s)")
        guard failures.isEmpty else {
            throw IMAPBenchClient.Failure(description: "\(failures.count) deliveries failed, first: \(failures[0])")
        }
        try withClient(deadline: deadline) { client in
            while try client.messageCount(target.mailbox) < before + plan.loadMessages {
                guard deadline.remainingMilliseconds > 0 else {
                    throw IMAPBenchClient.Failure(description: "timed out waiting for the messages in \(target.mailbox)")
                }
                usleep(250_000)
            }
        }
        let visible = seconds(since: start)
        Report.line("load: in the mailbox", "after \(String(format: "%.2f s", visible)) (\(Report.rate(plan.loadMessages, visible)) msg/s)")
    }

    /// A new connection, LOGIN and SELECT, `--repeat` times; the last connection is kept.
    private func loginAndSelect(into result: inout IMAPBenchResult, deadline: BenchDeadline) throws -> IMAPBenchClient {
        var kept: IMAPBenchClient?
        for run in 0..<plan.repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            let client = try IMAPBenchClient(host: target.host, port: target.port, deadline: deadline)
            try client.login(user: target.user, password: target.password)
            result.exists = try client.select(target.mailbox)
            result.loginSelect.append(seconds(since: start))
            if run < plan.repetitions - 1 { client.logout() } else { kept = client }
        }
        Report.line("messages in \(target.mailbox)", "\(result.exists)")
        Report.line("connect+LOGIN+SELECT", result.loginSelect.summary(milliseconds: true))
        return kept!
    }

    /// `FETCH 1:* items` (RFC 9051 §6.4.5), `--repeat` times; every message must be answered.
    private func fetch(_ client: IMAPBenchClient, items: String, into step: inout IMAPBenchResult.Transfer) throws {
        for _ in 0..<plan.repetitions {
            var fetched = 0
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try client.command("FETCH 1:* \(items)") { response in
                if IMAPBenchClient.count(in: response, before: "FETCH") != nil { fetched += 1 }
            }
            let elapsed = seconds(since: start)
            guard outcome.status == "OK" else {
                throw IMAPBenchClient.Failure(description: "FETCH \(items) failed: \(outcome.completion.textString.prefix(200))")
            }
            step.seconds.append(elapsed)
            step.messages = fetched
            step.wireBytes = outcome.wireBytes
            step.literalBytes = outcome.literalBytes
        }
        let best = step.seconds.min() ?? 0
        Report.line("FETCH 1:* \(items)", step.seconds.summary(milliseconds: false))
        Report.line("  answered", "\(step.messages) messages, \(String(format: "%.1f MB", Double(step.wireBytes) / 1e6))"
                    + (step.literalBytes > 0 ? " (\(String(format: "%.1f MB", Double(step.literalBytes) / 1e6)) in literals)" : ""))
        Report.line("  best rate", "\(Report.rate(step.messages, best)) msg/s, \(Report.megabytesPerSecond(step.wireBytes, best))")
    }

    /// `UID SEARCH TEXT "word"` (RFC 9051 §6.4.4) for every word, `--repeat` rounds.
    private func search(_ client: IMAPBenchClient, into result: inout IMAPBenchResult) throws {
        result.searches = plan.words.map { IMAPBenchResult.Search(word: $0) }
        for _ in 0..<plan.repetitions {
            let roundStart = DispatchTime.now().uptimeNanoseconds
            for index in plan.words.indices {
                let start = DispatchTime.now().uptimeNanoseconds
                let (uids, _) = try client.uidSearch("TEXT \(IMAPBenchClient.quoted(plan.words[index]))")
                result.searches[index].seconds.append(seconds(since: start))
                result.searches[index].hits = uids.count
            }
            result.searchRounds.append(seconds(since: roundStart))
        }
        for search in result.searches {
            Report.line("  UID SEARCH TEXT \(search.word)",
                        String(format: "%6d hits  median %8.2f ms", search.hits, search.seconds.median * 1000))
        }
        Report.line("UID SEARCH × \(plan.words.count) words", result.searchRounds.summary(milliseconds: true) + " per round")
        Report.line("  per search", String(format: "median %.2f ms", result.searches.flatMap(\.seconds).median * 1000))
    }

    /// `--idle-sessions` connections, each LOGIN, SELECT, IDLE until `+`; the memory of the
    /// server processes before and after, then DONE and LOGOUT on every one.
    private func idle(into result: inout IMAPBenchResult, deadline: BenchDeadline) throws {
        let before = target.processes?.sample()
        var sessions: [IMAPBenchClient] = []
        var openFailure: Error?
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<plan.idleSessions {
            do {
                let client = try IMAPBenchClient(host: target.host, port: target.port,
                                                 sourceAddress: sourceAddress(forSession: index), deadline: deadline)
                try client.login(user: target.user, password: target.password)
                _ = try client.select(target.mailbox)
                try client.startIdle()
                sessions.append(client)
            } catch {
                openFailure = error
                break
            }
        }
        let opening = seconds(since: start)
        result.idleSessions = sessions.count
        Report.line("IDLE sessions", "\(sessions.count) of \(plan.idleSessions) in IDLE after \(String(format: "%.2f s", opening))")
        if let processes = target.processes, let before {
            usleep(1_000_000)  // let the server finish whatever a new session sets up lazily
            let after = processes.sample()
            result.memory = IMAPBenchResult.Memory(before: before, after: after, sessions: sessions.count)
            Report.line("  memory of", "\(processes.label): \(before.census) → \(after.census)")
            Report.line("  RSS", "\(before.rssKiB) KiB → \(after.rssKiB) KiB")
            if let perSession = result.memory?.rssPerSession {
                Report.line("  RSS per session", String(format: "%.1f KiB", perSession))
            }
            if let perSession = result.memory?.pssPerSession {
                Report.line("  PSS per session", String(format: "%.1f KiB", perSession))
            }
        } else {
            Report.line("  memory", "not measured (give --server-pid or --server-process-name)")
        }
        var closeFailures = 0
        let closing = BenchDeadline(secondsFromNow: 60)
        for client in sessions {
            client.deadline = closing
            do {
                try client.finishIdle()
                client.logout()
            } catch {
                closeFailures += 1
            }
        }
        sessions.removeAll()
        Report.line("  DONE+LOGOUT", closeFailures == 0 ? "all closed" : "\(closeFailures) failed")
        fflush(nil)
        if let openFailure {
            throw IMAPBenchClient.Failure(description: "IDLE session \(result.idleSessions + 1): \(openFailure)")
        }
        if closeFailures > 0 { throw IMAPBenchClient.Failure(description: "\(closeFailures) IDLE sessions did not end cleanly") }
    }

    // MARK: Helpers

    /// Servers cap connections per client IP (Dovecot: mail_max_userip_connections, Tresor:
    /// limits.connections_per_ip), so the IDLE sessions come from 127.0.0.1, 127.0.0.2, … in
    /// groups of `--sessions-per-address` when the server is on IPv4 loopback.
    func sourceAddress(forSession index: Int) -> String? {
        guard plan.sessionsPerAddress > 0, target.host == "localhost" || target.host.hasPrefix("127.") else { return nil }
        let group = index / plan.sessionsPerAddress
        return "127.0.\(group / 254).\(group % 254 + 1)"
    }

    private func withClient<T>(deadline: BenchDeadline, _ body: (IMAPBenchClient) throws -> T) throws -> T {
        let client = try IMAPBenchClient(host: target.host, port: target.port, deadline: deadline)
        defer { client.logout() }
        try client.login(user: target.user, password: target.password)
        return try body(client)
    }

    private func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
