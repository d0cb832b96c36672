import ArchiveStore
import ArgumentParser
import Catalog
import Foundation
import MailMessage
import MailStore
import Sieve

/// `tresor-bench sieve`: what filtering costs a delivery. In one run the same messages go
/// through `MailStore.deliver` (a) to a user without a script and (b) to a user whose active
/// script has 50 rules of the kinds people write (mailing lists by List-Id, senders, subjects,
/// a few body tests, fileinto with flags), each into its own fresh data directory; then the
/// interpreter alone runs the script on the parsed messages, without storage. The ratio of (b)
/// to (a) is the number to watch.
struct SieveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sieve",
        abstract: "Delivery with no script and with a 50-rule Sieve script; the interpreter alone."
    )

    @Option(help: "A folder of .eml/.mbox files, or one file (default: generated mailing-list and personal mail).")
    var corpus: String?
    @Option(help: "Messages to deliver to each of the two users.") var messages = 2000
    @Option(help: "Deliveries in flight at once (concurrent deliveries share group commits).") var concurrency = 16

    func validate() throws {
        guard messages > 0 else { throw ValidationError("--messages must be positive") }
        guard (1...1000).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1000") }
    }

    func run() async throws {
        let raws = try loadMessages()
        let parsed = raws.map { Message(parsing: $0) }
        let source = SieveBenchRules.script(for: parsed)
        let script = try SieveScript(source: source, name: "bench")
        Report.line("messages", "\(raws.count) (\(raws.reduce(0) { $0 + $1.count } / raws.count) bytes on average)")
        Report.line("script", "\(SieveBenchRules.ruleCount) rules, \(source.utf8.count) bytes")

        let plain = try await Self.deliver(raws, scriptSource: nil, concurrency: concurrency)
        let filtered = try await Self.deliver(raws, scriptSource: source, concurrency: concurrency)
        Report.line("delivery, no script", "\(Report.rate(raws.count, plain.seconds)) deliveries/s (\(String(format: "%.2f", plain.seconds)) s)")
        Report.line("delivery, 50 rules", "\(Report.rate(raws.count, filtered.seconds)) deliveries/s (\(String(format: "%.2f", filtered.seconds)) s)")
        Report.line("ratio (with rules ÷ without)", String(format: "%.2f", plain.seconds / max(filtered.seconds, 1e-9)))
        Report.line("  filed outside INBOX", "\(plain.filedElsewhere) without a script, \(filtered.filedElsewhere) with rules")
        Report.line("  mailboxes afterwards", "\(plain.mailboxes) without a script, \(filtered.mailboxes) with rules")

        let (runs, seconds, matched) = Self.interpret(script, on: parsed)
        Report.line("interpreter alone (1 core)", "\(Report.rate(runs, seconds)) runs/s (\(runs) runs)")
        Report.line("  messages a rule acted on", "\(matched) of \(parsed.count)")
    }

    /// `--messages` messages: the corpus cycled (each copy after the first varied, so none
    /// deduplicates), or generated ones.
    private func loadMessages() throws -> [[UInt8]] {
        guard let corpus else { return SieveBenchMessages.generate(count: messages) }
        let originals = try BenchCorpus.loadOriginals(URL(fileURLWithPath: corpus))
        guard !originals.isEmpty else { throw ValidationError("no messages found in \(corpus)") }
        return (0..<messages).map { index in
            let original = originals[index % originals.count]
            let copy = index / originals.count
            return copy == 0 ? original : BenchCorpus.vary(original, copy: copy, index: index % originals.count)
        }
    }

    struct DeliveryRun {
        var seconds: Double
        /// Deliveries with at least one placement outside INBOX.
        var filedElsewhere: Int
        var mailboxes: Int
    }

    /// A fresh data directory with one user (and its script, if any); delivers every message to
    /// it with `concurrency` deliveries in flight.
    static func deliver(_ raws: [[UInt8]], scriptSource: String?, concurrency: Int) async throws -> DeliveryRun {
        let (directory, _) = try benchDataDirectory(nil)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        _ = try ArchiveKey.create(inKeysDirectory: keys)
        let store = try MailStore(dataDirectory: directory)
        defer { store.close() }
        let user = "bench@bench.test"
        let bench = AuditActor.system("tresor-bench")
        try await store.accounts.addDomain("bench.test", by: bench)
        try await store.accounts.addUser(user, password: "bench-password", by: bench)
        if let scriptSource {
            try await store.rules.put("bench", source: scriptSource, of: user, activate: true, by: bench)
        }

        let (filedElsewhere, seconds) = try await measure {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                var next = 0
                var elsewhere = 0
                func start() {
                    let raw = raws[next]
                    next += 1
                    group.addTask {
                        let envelope = Envelope(mailFrom: "sender@bench.test", recipients: [user], receivedAt: Date(),
                                                direction: .inbound, source: .smtp)
                        let outcome = try await store.delivery.deliver(message: raw, envelope: envelope)
                        return outcome.placements.contains { $0.mailbox != "INBOX" }
                    }
                }
                while next < min(concurrency, raws.count) { start() }
                while let filed = try await group.next() {
                    if filed { elsewhere += 1 }
                    if next < raws.count { start() }
                }
                return elsewhere
            }
        }
        let mailboxes = try await store.mailboxes.mailboxes(of: user).count
        return DeliveryRun(seconds: seconds, filedElsewhere: filedElsewhere, mailboxes: mailboxes)
    }

    /// Runs the script over the messages again and again for about a second on this thread;
    /// returns the runs, the seconds, and how many messages got an explicit action.
    static func interpret(_ script: SieveScript, on messages: [Message]) -> (runs: Int, seconds: Double, matched: Int) {
        let inputs = messages.map {
            SieveInput(message: $0, envelopeFrom: "sender@bench.test", envelopeTo: "bench@bench.test",
                       mailboxExists: { _ in true })
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var runs = 0
        var matched = 0
        var elapsed = 0.0
        repeat {
            for input in inputs {
                let acted = !SieveInterpreter.run([script], input: input).actions.isEmpty
                if runs < inputs.count && acted { matched += 1 }
                runs += 1
            }
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < 1.0
        return (runs, elapsed, matched)
    }
}

/// The 50-rule script. Its List-Ids and sender domains are the most frequent ones of the
/// messages (so rules match as often as a real user's do), topped up with ones that never match.
enum SieveBenchRules {
    static let ruleCount = 50
    static let listRules = 20
    static let senderRules = 10

    static func script(for messages: [Message]) -> String {
        let lists = mostFrequent(messages.compactMap(listID), count: listRules, filler: { "list\($0).lists.example.org" })
        let domains = mostFrequent(messages.compactMap { $0.from.first.map { String($0.domain).lowercased() } },
                                   count: senderRules, filler: { "sender\($0).example.com" })
        var rules: [String] = []
        for (index, list) in lists.enumerated() {
            // Half the list rules stop, as people do once a list message is filed.
            rules.append("""
                if header :contains "list-id" \(quoted(list)) { fileinto :create "Lists/\(folderName(list))";\(index.isMultiple(of: 2) ? " stop;" : "") }
                """)
        }
        for (index, domain) in domains.enumerated() {
            let flags = index.isMultiple(of: 3) ? #":flags "\\Flagged" "# : ""
            rules.append("""
                if address :domain :is "from" \(quoted(domain)) { fileinto :create \(flags)"People/\(folderName(domain))"; }
                """)
        }
        rules += [
            #"if header :contains "subject" ["invoice", "rechnung", "receipt"] { fileinto :create :flags "$Invoice" "Finance"; }"#,
            #"if header :matches "subject" "*[JIRA]*" { fileinto :create "Work/Jira"; }"#,
            #"if header :regex "subject" "\\[[a-z]+-[0-9]+\\]" { addflag "$Ticket"; }"#,
            #"if header :contains "subject" ["urgent", "asap", "dringend"] { addflag "\\Flagged"; }"#,
            #"if header :matches "subject" "Re: *" { addflag "$Reply"; }"#,
            #"if header :contains "subject" "[SPAM]" { fileinto :create :flags "\\Seen" "Junk"; stop; }"#,
            #"if header :contains "subject" ["newsletter", "weekly digest"] { fileinto :create "Newsletters"; }"#,
            #"if header :is "subject" "" { addflag "$NoSubject"; }"#,
            #"if header :contains "subject" ["meeting", "invitation", "einladung"] { fileinto :create "Calendar"; }"#,
            #"if header :matches "subject" "*out of office*" { discard; stop; }"#,
            #"if body :text :contains "unsubscribe" { addflag "$Bulk"; }"#,
            #"if body :text :contains ["password reset", "verify your account"] { fileinto :create :flags "\\Flagged" "Security"; }"#,
            #"if body :raw :contains "BEGIN PGP SIGNED MESSAGE" { addflag "$Signed"; }"#,
            #"if body :text :contains "attached invoice" { fileinto :create "Finance"; }"#,
            #"if body :content "text/calendar" :contains "METHOD:REQUEST" { fileinto :create "Calendar"; }"#,
            #"if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto :create "Junk"; stop; }"#,
            #"if header :is "x-spam-flag" "YES" { fileinto :create :flags "\\Seen" "Junk"; stop; }"#,
            #"if size :over 5M { addflag "$Large"; }"#,
            #"if allof (exists "list-unsubscribe", not exists "list-id") { fileinto :create "Promotions"; }"#,
            #"if anyof (header :contains "precedence" ["bulk", "list", "junk"], exists "auto-submitted") { addflag "$Automated"; }"#,
        ]
        precondition(rules.count == ruleCount, "the benchmark script must have \(ruleCount) rules, has \(rules.count)")
        return """
            require ["fileinto", "imap4flags", "mailbox", "body", "regex", "relational", "comparator-i;ascii-numeric"];
            # tresor-bench sieve: \(ruleCount) rules typical of a user's filters.

            """ + rules.joined(separator: "\n") + "\n"
    }

    /// The List-Id's identifier (RFC 2919 §2: the part in angle brackets), lower-cased.
    static func listID(_ message: Message) -> String? {
        guard let value = message.header.first(named: "List-Id") else { return nil }
        let text = String(decoding: value, as: UTF8.self)
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        let id = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
        return id.isEmpty ? nil : id
    }

    /// The `count` most frequent values (ties by name), then `filler(i)` values up to `count`.
    static func mostFrequent(_ values: [String], count: Int, filler: (Int) -> String) -> [String] {
        let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
        var chosen = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(count).map(\.key)
        var index = 0
        while chosen.count < count {
            chosen.append(filler(index))
            index += 1
        }
        return chosen
    }

    /// A mailbox name part: letters, digits, dot and dash; anything else becomes "-".
    static func folderName(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "-") ? Character(scalar) : "-"
        }.prefix(60))
    }

    /// A Sieve quoted string (RFC 5228 §2.4.2).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Generated mail when no corpus is given: three in five from one of 30 mailing lists (a List-Id,
/// list subjects), the rest personal or automated mail from 40 senders, some with typical
/// subjects the rules look for.
enum SieveBenchMessages {
    static func generate(count: Int) -> [[UInt8]] {
        let subjects = ["Re: release planning", "Invoice 2025-0412", "Weekly digest", "URGENT: server down",
                        "Meeting invitation: design review", "[JIRA] (PRJ-123) Crash on start", "lunch?",
                        "Your receipt", "[proj-77] build fails", "Out of office: back Monday"]
        let body = "Hello,\r\n\r\nthis is a generated message for tresor-bench sieve. To unsubscribe, reply.\r\n"
            + String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n", count: 20)
        return (0..<count).map { index in
            var header = "From: Sender \(index % 40) <person\(index % 40)@sender\(index % 40).example.com>\r\n"
                + "To: bench@bench.test\r\n"
                + "Date: Tue, 1 Jul 2025 10:\(String(format: "%02d", index % 60)):00 +0200\r\n"
                + "Message-ID: <sieve-bench-\(index)@bench.test>\r\n"
            if index % 5 < 3 {
                let list = index % 30
                header += "List-Id: List \(list) <list\(list).lists.example.org>\r\n"
                    + "List-Unsubscribe: <mailto:list\(list)-leave@lists.example.org>\r\n"
                    + "Subject: [list\(list)] \(subjects[index % subjects.count])\r\n"
            } else {
                header += "Subject: \(subjects[index % subjects.count])\r\n"
                if index % 7 == 0 { header += "X-Spam-Score: \(index % 10)\r\n" }
            }
            return Array((header + "\r\n" + body).utf8)
        }
    }
}
