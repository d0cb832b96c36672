import ArgumentParser
import Foundation

/// `tresor-bench imap`: times what a mail client does to a large mailbox — LOGIN+SELECT,
/// `FETCH 1:* (FLAGS ENVELOPE)`, `FETCH 1:* BODY.PEEK[]`, `UID SEARCH TEXT` for ten words —
/// each `--repeat` times (best and median), then holds `--idle-sessions` connections in IDLE and
/// charges the server processes' memory growth to them. Works against any IMAP server; with
/// `--peer-port` it measures a second server (Dovecot) in the same run and prints the ratios.
struct IMAPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imap",
        abstract: "LOGIN+SELECT, FETCH, UID SEARCH and IDLE memory of any IMAP server (Tresor, Dovecot, …).",
        discussion: """
            Fill both servers with the same messages first: --load-messages 10000 adds generated ~4 KB \
            messages by APPEND to --mailbox (or by SMTP with --smtp-port, --to); the default --words then \
            occur in 100%, 50%, 33%, 10%, 4%, 1%, 0.2%, 0.05%, 0.01% and 0% of them. Or use \
            ../shared/peers/loadgen.py --port 3525 --count 10000 --to bob@peer.test (from the repository's \
            folder; the shared peers sit beside it) for Dovecot and the same with Tresor's SMTP port. \
            Example, Tresor against Dovecot in one run:
              tresor-bench imap --port 2143 --user bob@example.test --password secret --server-pid PID \\
                --peer-port 1143 --peer-user bob@peer.test --peer-password secret \\
                --peer-server-process-name imap --peer-server-process-name imap-login
            """
    )

    @Option(help: "Server host (loopback only unless --allow-non-loopback; plaintext IMAP).") var host = "127.0.0.1"
    @Option(help: "Server IMAP port.") var port = 2143
    @Option(help: "User name for LOGIN.") var user: String
    @Option(help: "Password for LOGIN.") var password: String
    @Option(help: "Mailbox to SELECT and search.") var mailbox = "INBOX"
    @Option(help: "The server's PID: its VmRSS before and after the IDLE sessions (Tresor).") var serverPID: Int32?
    @Option(help: "Sum the memory of every process with this name (repeatable; Dovecot: imap, imap-login).")
    var serverProcessName: [String] = []

    @Option(name: .customLong("repeat"), help: "Runs of each step; best and median are reported.") var repetitions = 3
    @Option(help: "Comma-separated words for UID SEARCH TEXT (default: ten words at known rates, see below).")
    var words: String?
    @Option(help: "Connections held in IDLE to measure memory per session (0 skips the step).") var idleSessions = 200
    @Option(help: "IDLE sessions per loopback source address 127.0.0.N (servers limit connections per IP; 0: all from one).")
    var sessionsPerAddress = 10
    @Option(help: "Seconds the whole run may take, per server.") var timeout = 300.0
    @Flag(help: "Allow a host that is not a loopback address (passwords go in plaintext).") var allowNonLoopback = false

    @Option(help: "First add this many generated messages: by SMTP with --smtp-port, else by APPEND to --mailbox.")
    var loadMessages = 0
    @Option(help: "SMTP port of the server, for --load-messages by SMTP.") var smtpPort: Int?
    @Option(help: "Envelope recipient for --load-messages (default: --user).") var to: String?
    @Option(help: "Size of the generated messages in bytes.") var messageSize = 4096

    @Option(help: "Peer server's IMAP port: measure it too, in the same run, and print the ratios.") var peerPort: Int?
    @Option(help: "Peer host (default: --host).") var peerHost: String?
    @Option(help: "Peer user (default: --user).") var peerUser: String?
    @Option(help: "Peer password (default: --password).") var peerPassword: String?
    @Option(help: "Peer server's PID.") var peerServerPID: Int32?
    @Option(help: "Peer process names (repeatable).") var peerServerProcessName: [String] = []
    @Option(help: "Peer SMTP port, for --load-messages.") var peerSMTPPort: Int?
    @Option(help: "Peer envelope recipient for --load-messages (default: the peer user).") var peerTo: String?

    func validate() throws {
        guard (1...100).contains(repetitions) else { throw ValidationError("--repeat must be from 1 to 100") }
        guard (0...5000).contains(idleSessions) else { throw ValidationError("--idle-sessions must be from 0 to 5000") }
        guard sessionsPerAddress >= 0 else { throw ValidationError("--sessions-per-address must not be negative") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard (0...1_000_000).contains(loadMessages) else { throw ValidationError("--load-messages must be from 0 to 1000000") }
        guard messageSize >= 300 else { throw ValidationError("--message-size must be at least 300 bytes") }
        if serverPID != nil && !serverProcessName.isEmpty || peerServerPID != nil && !peerServerProcessName.isEmpty {
            throw ValidationError("give a server PID or process names, not both")
        }
        if loadMessages > 0 && peerPort != nil && (smtpPort == nil) != (peerSMTPPort == nil) {
            throw ValidationError("--load-messages: give both --smtp-port and --peer-smtp-port, or neither (APPEND)")
        }
        for target in targets() where !allowNonLoopback && !Self.isLoopback(target.host) {
            throw ValidationError("\(target.host) is not a loopback address; IMAP here is plaintext (--allow-non-loopback)")
        }
        for text in [user, password, mailbox, peerUser ?? "", peerPassword ?? ""] + searchWords()
        where !IMAPBenchClient.isQuotable(text) {
            throw ValidationError("user, password, mailbox and words must be 7-bit text without CR or LF")
        }
        guard !searchWords().isEmpty, searchWords().allSatisfy({ !$0.isEmpty }) else {
            throw ValidationError("--words must name at least one word")
        }
    }

    func run() async throws {
        let plan = IMAPBenchPlan(repetitions: repetitions, words: searchWords(), idleSessions: idleSessions,
                                 sessionsPerAddress: sessionsPerAddress, timeout: timeout,
                                 loadMessages: loadMessages, messageSize: messageSize)
        var results: [IMAPBenchResult] = []
        var failed = false
        for target in targets() {
            print("== \(target.name): \(target.host):\(target.port), user \(target.user), mailbox \(mailbox)")
            let run = IMAPBenchRun(target: target, plan: plan)
            let result = await Self.onThread { run.run() }
            results.append(result)
            if let failure = result.failure {
                Report.line("FAILED", failure)
                failed = true
            }
        }
        if results.count == 2 { IMAPBenchResult.printRatios(results[0], results[1]) }
        if failed { throw ExitCode(1) }
    }

    private func searchWords() -> [String] {
        guard let words else { return IMAPBenchMailbox.words.map(\.word) }
        return words.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private func targets() -> [IMAPBenchTarget] {
        let server = IMAPBenchTarget(
            name: "server", host: host, port: port, user: user, password: password, mailbox: mailbox,
            processes: serverPID.map { .pid($0) } ?? (serverProcessName.isEmpty ? nil : .named(serverProcessName)),
            smtpPort: smtpPort, recipient: to ?? user)
        guard let peerPort else { return [server] }
        let peerUser = self.peerUser ?? user
        let peer = IMAPBenchTarget(
            name: "peer", host: peerHost ?? host, port: peerPort, user: peerUser, password: peerPassword ?? password,
            mailbox: mailbox,
            processes: peerServerPID.map { .pid($0) } ?? (peerServerProcessName.isEmpty ? nil : .named(peerServerProcessName)),
            smtpPort: peerSMTPPort, recipient: peerTo ?? peerUser)
        return [server, peer]
    }

    /// localhost, 127.0.0.0/8 or ::1 — what the peers' imapbench.py accepts too.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Runs blocking socket work on its own thread, never on the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}

/// One server to measure.
struct IMAPBenchTarget: Sendable {
    var name: String
    var host: String
    var port: Int
    var user: String
    var password: String
    var mailbox: String
    var processes: ServerProcesses?
    var smtpPort: Int?
    var recipient: String
}

/// What to measure, the same for every server of a run.
struct IMAPBenchPlan: Sendable {
    var repetitions: Int
    var words: [String]
    var idleSessions: Int
    var sessionsPerAddress: Int
    var timeout: Double
    var loadMessages: Int
    var messageSize: Int
}
