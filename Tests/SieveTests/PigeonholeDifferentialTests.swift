import Foundation
import MailMessage
import Sieve
import Testing
import TestSupport

/// Tresor's Sieve interpreter against Pigeonhole (Dovecot's, the most used implementation):
/// every script of `DifferentialScripts` on the messages of `DifferentialMessages` and a
/// sample of the shared corpus, run by both, must store into the same mailboxes with the same
/// flags, redirect to the same addresses, and reject, discard or fail alike.
///
/// Needs `sieve-test` (Debian: dovecot-sieve). Without it the comparison is skipped, except
/// under `CI=true`, where its absence is a failure.
@Suite struct PigeonholeDifferentialTests {
    /// At most this many corpus messages (spread over `rfc822/`) and this many from the mbox
    /// files (mailing lists: List-Id, Received chains), to keep the run to seconds.
    static let corpusSingles = 70
    static let corpusListMessages = 30

    /// Differences on malformed input that the RFCs leave to the implementation, by
    /// "script × message", with the reason. Everything else must agree.
    static let acceptedDifferences: [String: String] = [
        "relational × rubymail-plain_emails_raw_email_with_at_display_name.eml": """
            To: smith@gmail.com, Mikel@Lindsaar <raasdnil@gmail.com>, tom@gmail.com — an "@" in an \
            unquoted display name is not RFC 5322 §3.4 syntax; Pigeonhole drops that address (counts 2), \
            Tresor reads the address in angle brackets (counts 3). RFC 5228 §2.7.4 only says invalid \
            addresses never match :localpart or :domain.
            """,
    ]

    @Test func tresorDecidesAsPigeonholeDoes() async throws {
        guard let executable = PigeonholeSieveTest.locate() else {
            if Corpus.isCI { Issue.record("sieve-test (dovecot-sieve) is not installed; required when CI=true") }
            print("skipped: sieve-test (Debian package dovecot-sieve) not on PATH")
            return
        }
        var messages = DifferentialMessages.all
        if let corpus = try Corpus.locate() { messages += try Self.corpusSample(corpus) }

        let workspace = try makeTemporaryDirectory(prefix: "tresor-pigeonhole")
        defer { try? FileManager.default.removeItem(at: workspace) }
        let pigeonhole = try PigeonholeSieveTest(executable: executable, workspace: workspace)
        let library = try Self.writeIncludes(in: workspace)

        var jobs: [Job] = []
        for (index, script) in DifferentialScripts.all.enumerated() {
            let compiled: SieveScript
            do {
                compiled = try SieveScript(source: script.source, name: script.name)
            } catch {
                Issue.record("Tresor does not compile \(script.name): \(error)")
                continue
            }
            let file = workspace.appendingPathComponent(String(format: "s%02d-%@.sieve", index, script.name))
            try Data(script.source.utf8).write(to: file)
            for (number, message) in messages.enumerated() {
                jobs.append(Job(scriptName: script.name, script: compiled, scriptFile: file,
                                message: message, messageFile: workspace.appendingPathComponent("m\(number).eml")))
            }
        }
        for (number, message) in messages.enumerated() {
            try Data(message.raw).write(to: workspace.appendingPathComponent("m\(number).eml"))
        }
        #expect(jobs.count >= 20 * messages.count, "most scripts compile")

        let results = await Self.runAll(jobs, pigeonhole: pigeonhole, library: library)
        var mismatches: [String] = []
        var failures: [String] = []
        var filedByRule = 0
        for result in results {
            switch result {
            case .failure(let error): failures.append("\(error)")
            case .success(let comparison):
                let key = "\(comparison.job.scriptName) × \(comparison.job.message.name)"
                if comparison.pigeonhole != comparison.tresor && Self.acceptedDifferences[key] == nil {
                    mismatches.append("\(key): Pigeonhole: \(comparison.pigeonhole) — Tresor: \(comparison.tresor)")
                }
                if comparison.pigeonhole.stores != [SieveDisposition.Store(mailbox: "INBOX", flags: [])] { filedByRule += 1 }
            }
        }
        #expect(failures.isEmpty, "sieve-test could not run: \(failures.prefix(3).joined(separator: "\n"))")
        #expect(mismatches.isEmpty, """
            \(mismatches.count) of \(results.count) runs differ:
            \(mismatches.prefix(25).joined(separator: "\n"))
            """)
        // The scripts must exercise more than the implicit keep, or agreeing proves little.
        #expect(filedByRule > results.count / 10, "only \(filedByRule) of \(results.count) runs did more than keep")
    }

    /// The parsing of `sieve-test`'s report, on output captured from Pigeonhole 2.3.19.
    @Test func readsPigeonholeReports() {
        let filed = SieveDisposition(pigeonholeOutput: """

            Performed actions:

             * store message in folder: Lists/x
                    + add IMAP flags: \\seen $X
             * redirect message to: <z@example.net>
                    + preserve implicit keep
             * store message in folder: a
                    + create mailbox if it does not exist

            Implicit keep:

             * store message in folder: INBOX
                    + add IMAP flags: \\answered

            sieve-test: Info: final result: success
            """)
        #expect(filed.stores == [SieveDisposition.Store(mailbox: "Lists/x", flags: ["\\Seen", "$x"]),
                                 SieveDisposition.Store(mailbox: "a", flags: []),
                                 SieveDisposition.Store(mailbox: "INBOX", flags: ["\\Answered"])])
        #expect(filed.redirects == ["z@example.net"])
        #expect(!filed.rejected && !filed.failed && filed.other.isEmpty)

        let discarded = SieveDisposition(pigeonholeOutput: """
            Performed actions:

             * discard

            Implicit keep:

              (none)

            """)
        #expect(discarded == SieveDisposition())
        #expect(discarded.description == "discarded")

        let rejected = SieveDisposition(pigeonholeOutput: " * reject message with reason: no thanks\n")
        #expect(rejected.rejected && rejected.stores.isEmpty)

        let failed = SieveDisposition(pigeonholeOutput: """
            error: specified redirect address 'x' is invalid.
            sieve-test: Info: final result: failed; resolved with successful implicit keep
            """)
        #expect(failed.failed)
        #expect(SieveDisposition(pigeonholeOutput: " * notify something\n").other == ["notify something"])
        let vacation = SieveDisposition(pigeonholeOutput: """
             * send vacation message:
                => seconds : 259200
             * track duplicate with handle: lists

            START MESSAGE
            I am away
            END MESSAGE
            """)
        #expect(vacation.vacation && vacation.other.isEmpty)
    }

    /// Tresor's outcome in the same terms: explicit actions, then the implicit keep with its flags.
    @Test func readsTresorOutcomes() {
        let outcome = SieveOutcome(
            actions: [.fileInto(mailbox: "Lists/x", flags: ["\\Seen"], create: true, copy: false),
                      .redirect(address: "z@example.net", copy: true), .discard],
            implicitKeep: true, implicitKeepFlags: ["$Label"])
        let disposition = SieveDisposition(outcome)
        #expect(disposition.stores == [SieveDisposition.Store(mailbox: "Lists/x", flags: ["\\seen"]),
                                       SieveDisposition.Store(mailbox: "INBOX", flags: ["$label"])])
        #expect(disposition.redirects == ["z@example.net"])
        #expect(SieveDisposition(SieveOutcome(actions: [.discard], implicitKeep: false)) == SieveDisposition())
        let error = SieveOutcome(error: SieveError("boom", at: SourceLocation(line: 2, column: 3)))
        #expect(SieveDisposition(error).failed)
        #expect(SieveDisposition(SieveOutcome()) != SieveDisposition(SieveOutcome(implicitKeepFlags: ["\\Seen"])))
    }

    // MARK: - Running

    /// The fields spamtest and virustest read, as `PigeonholeSieveTest` configures Pigeonhole.
    static let scanHeaders = SieveScanHeaders(spamScoreField: "X-Spam-Score", spamScoreMaximum: 10,
                                              virusField: "X-Virus-Status", infectedValues: ["infected"])

    /// Writes `DifferentialScripts.includes` where Pigeonhole looks for them (`personal/` and
    /// `global/`, which it also writes compiled copies into) and compiles them for Tresor.
    static func writeIncludes(in workspace: URL) throws -> SieveIncludeLibrary {
        var library = SieveIncludeLibrary()
        for (location, name, source) in DifferentialScripts.includes {
            let folder = workspace.appendingPathComponent(location == .personal ? "personal" : "global")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if getuid() == 0 { _ = chown(folder.path, 65534, 65534) }
            try Data(source.utf8).write(to: folder.appendingPathComponent("\(name).sieve"))
            library.scripts[SieveIncludeKey(location, name)] = .success(try SieveScript(source: source, name: name))
        }
        return library
    }

    struct Job: Sendable {
        var scriptName: String
        var script: SieveScript
        var scriptFile: URL
        var message: DifferentialMessage
        var messageFile: URL
    }

    struct Comparison: Sendable {
        var job: Job
        var pigeonhole: SieveDisposition
        var tresor: SieveDisposition
    }

    /// Runs every job through both implementations, `sieve-test` processes on all cores, off
    /// the Swift concurrency pool (waiting for a process blocks a thread).
    static func runAll(_ jobs: [Job], pigeonhole: PigeonholeSieveTest,
                       library: SieveIncludeLibrary) async -> [Result<Comparison, PigeonholeError>] {
        let parsed = Dictionary(jobs.map { ($0.message.name, $0.message) }, uniquingKeysWith: { first, _ in first })
            .mapValues { Message(parsing: $0.raw) }
        let now = Date()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let results = ResultSlots(count: jobs.count)
                DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
                    let job = jobs[index]
                    let result: Result<Comparison, PigeonholeError>
                    do {
                        let theirs = try pigeonhole.run(script: job.scriptFile, message: job.messageFile,
                                                        envelopeFrom: job.message.envelopeFrom,
                                                        envelopeTo: job.message.envelopeTo)
                        // `sieve-test` has no mail store: every mailbox "exists" to it.
                        var input = SieveInput(message: parsed[job.message.name]!, envelopeFrom: job.message.envelopeFrom,
                                               envelopeTo: job.message.envelopeTo, currentDate: now,
                                               mailboxExists: { _ in true })
                        input.scan = scanHeaders.results(for: input.message)
                        let ours = SieveDisposition(SieveInterpreter.run([(job.script, .personal)], input: input,
                                                                         includes: library))
                        result = .success(Comparison(job: job, pigeonhole: theirs, tresor: ours))
                    } catch let error as PigeonholeError {
                        result = .failure(error)
                    } catch {
                        result = .failure(PigeonholeError("\(job.scriptName) × \(job.message.name): \(error)"))
                    }
                    results.set(index, result)
                }
                continuation.resume(returning: results.all())
            }
        }
    }

    /// Up to `corpusSingles` `.eml` files spread evenly over the corpus, and the first
    /// `corpusListMessages` messages of its Apache mailing-list mbox files.
    static func corpusSample(_ corpus: URL) throws -> [DifferentialMessage] {
        let files = try Corpus.emlFiles(in: corpus)
        let step = max(1, files.count / corpusSingles)
        var sample: [DifferentialMessage] = []
        for file in stride(from: 0, to: files.count, by: step).map({ files[$0] }).prefix(corpusSingles) {
            sample.append(DifferentialMessage(name: file.lastPathComponent, raw: try Corpus.bytes(of: file),
                                              envelopeFrom: "sender@corpus.test", envelopeTo: "bob+corpus@example.org"))
        }
        let lists = try Corpus.mboxFiles(in: corpus).filter { $0.lastPathComponent.hasPrefix("asf-") }
        let perList = max(1, corpusListMessages / max(1, lists.count))
        for file in lists {
            for (index, entry) in MboxReader(data: try Corpus.bytes(of: file)).prefix(perList).enumerated() {
                sample.append(DifferentialMessage(name: "\(file.lastPathComponent)#\(index)", raw: entry.message,
                                                  envelopeFrom: "sender@corpus.test", envelopeTo: "bob+lists@example.org"))
            }
        }
        // An "mbox From " first line would be taken for an envelope by one side only.
        return sample.filter { !$0.raw.starts(with: Array("From ".utf8)) }
    }
}

/// One result slot per job, filled from the worker threads of `concurrentPerform`.
private final class ResultSlots: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var slots: [Result<PigeonholeDifferentialTests.Comparison, PigeonholeError>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<PigeonholeDifferentialTests.Comparison, PigeonholeError>) {
        lock.lock(); slots[index] = value; lock.unlock()
    }

    func all() -> [Result<PigeonholeDifferentialTests.Comparison, PigeonholeError>] {
        lock.lock(); defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
