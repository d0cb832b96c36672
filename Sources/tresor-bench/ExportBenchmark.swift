import ArgumentParser
import Export
import Foundation
import MailStore

/// `tresor-bench export`: messages/s and MB/s of `tresor export` in each format, on an archive
/// built the way `tresor-bench import` builds one (a replicated corpus, or generated messages),
/// and of `verify-export` on what was written.
struct ExportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export N archived messages in each format; report msg/s and MB/s (and verify-export's)."
    )

    @Option(help: "Messages in the archive, all exported.") var messages = 100_000
    @Option(help: "mbox, maildir, eml or all.") var format = "all"
    @Option(help: "A folder of .eml/.mbox files to replicate (default: generated messages of 1–8 KB).")
    var corpus: String?
    @Option(help: "Data directory to build and keep (default: a fresh temporary one, removed afterwards).")
    var dataDir: String?
    @Flag(help: "Keep the exports (under the data directory's exports-bench/).") var keep = false

    func validate() throws {
        if messages < 1 { throw ValidationError("--messages must be at least 1") }
        if format != "all", ExportFormat(rawValue: format) == nil { throw ValidationError("--format: mbox, maildir, eml or all") }
    }

    func run() async throws {
        let formats = format == "all" ? ExportFormat.allCases : [ExportFormat(rawValue: format)!]
        let corpus = try Self.corpus(messages: messages, from: corpus)
        Report.line("messages", "\(corpus.messages.count) (\(String(format: "%.1f", Double(corpus.bytes) / 1e6)) MB raw)")
        let (directory, cleanup) = try benchDataDirectory(dataDir)
        defer { if cleanup { try? FileManager.default.removeItem(at: directory) } }
        let (importSeconds, _) = try await ImportBenchmark.importCorpus(corpus, into: directory, batch: 512)
        Report.line("archive built (import)", "\(Report.rate(corpus.messages.count, importSeconds)) msg/s")

        let store = try MailStore(dataDirectory: directory)
        defer { store.close() }
        let exports = directory.appendingPathComponent("exports-bench", isDirectory: true)
        for format in formats {
            let out = exports.appendingPathComponent(format.rawValue, isDirectory: true)
            let request = ExportRequest(selection: .query("source:import"), format: format, destination: out,
                                        actor: .system("tresor-bench"))
            let (summary, seconds) = try await measure { try await Exporter(store: store).export(request) }
            let counts = summary.record.counts
            guard counts.messages == corpus.messages.count else {
                throw ValidationError("exported \(counts.messages) of \(corpus.messages.count) messages")
            }
            Report.line("export \(format.rawValue)", "\(Report.rate(counts.messages, seconds)) msg/s, "
                            + "\(Report.megabytesPerSecond(Int(counts.bytes), seconds)) (\(String(format: "%.1f", seconds)) s, "
                            + "\(counts.files) files)")
            let (verification, verifySeconds) = await measure { ExportVerifier.verify(directory: out) }
            guard verification.isValid else {
                throw ValidationError("verify-export failed: \(verification.problems.prefix(3))")
            }
            Report.line("  verify-export", "\(Report.rate(counts.messages, verifySeconds)) msg/s, "
                            + "\(Report.megabytesPerSecond(Int(counts.bytes), verifySeconds))")
            if !keep { try? FileManager.default.removeItem(at: out) }
        }
    }

    /// `count` messages: the corpus replicated (`BenchCorpus`) and cut to `count`, or generated
    /// ones of 1–8 KB, each distinct.
    static func corpus(messages count: Int, from path: String?) throws -> BenchCorpus {
        if let path {
            let originals = try BenchCorpus.loadOriginals(URL(fileURLWithPath: path))
            guard !originals.isEmpty else { throw ValidationError("no messages found in \(path)") }
            let times = (count + originals.count - 1) / originals.count
            var corpus = try BenchCorpus.load(path: path, times: times)
            corpus.messages.removeLast(corpus.messages.count - count)
            return corpus
        }
        return BenchCorpus(messages: (0..<count).map { index in
            IMAPBenchMailbox.message(index, size: 1_024 + (index * 7_919) % 7_168, from: "sender\(index % 97)@bench.test",
                                     to: "archive@bench.test")
        })
    }
}
