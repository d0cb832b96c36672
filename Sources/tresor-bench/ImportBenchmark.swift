import ArchiveStore
import ArgumentParser
import Foundation
import MailMessage
import MailStore

/// `tresor-bench import`: the whole import path (hash, parse, journal with group commit, index
/// in SQLite/FTS5) on a replicated corpus, with parsing alone measured in the same run.
struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a (replicated) corpus into a fresh data directory; report msg/s end to end."
    )

    @Option(help: "A folder of .eml/.mbox files, or one mbox or .eml file.") var corpus: String
    @Option(help: "Replicate the corpus this many times (each copy with a varied header).") var times = 1
    @Option(help: "Messages per batch (one group commit and one catalog transaction each).") var batch = 512
    @Option(help: "Data directory to import into and keep (default: a fresh temporary one, removed afterwards).")
    var dataDir: String?

    func run() async throws {
        let corpus = try BenchCorpus.load(path: self.corpus, times: times)
        Report.line("messages", "\(corpus.messages.count) (\(String(format: "%.1f", Double(corpus.bytes) / 1e6)) MB raw)")
        let (directory, cleanup) = try benchDataDirectory(dataDir)
        defer { if cleanup { try? FileManager.default.removeItem(at: directory) } }
        let (seconds, totals) = try await Self.importCorpus(corpus, into: directory, batch: batch)
        Report.line("import end to end", "\(Report.rate(corpus.messages.count, seconds)) msg/s, \(Report.megabytesPerSecond(corpus.bytes, seconds)) (\(String(format: "%.1f", seconds)) s)")
        Report.line("  hashing (all cores)", String(format: "%.1f s", totals.secondsHashing))
        Report.line("  parsing (all cores)", String(format: "%.1f s", totals.secondsParsing))
        Report.line("  journaling (archive)", String(format: "%.1f s", totals.secondsJournaling))
        Report.line("  indexing (catalog, overlapped)", String(format: "%.1f s, of which %.1f s waited for", totals.secondsIndexing, totals.secondsWaitingForIndex))

        let messages = corpus.messages
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let (_, parseSeconds) = await measure {
            await withTaskGroup(of: Int.self) { group in
                for worker in 0..<cores {
                    group.addTask {
                        var count = 0
                        var index = worker
                        while index < messages.count {
                            let message = Message(parsing: messages[index])
                            count += message.plainText().utf8.count > 0 ? 1 : 0
                            index += cores
                        }
                        return count
                    }
                }
                return await group.reduce(0, +)
            }
        }
        Report.line("parse + text alone (\(cores) cores)", "\(Report.rate(messages.count, parseSeconds)) msg/s")
    }

    /// Initialises `directory` and imports the corpus through `ImportSession`; returns seconds
    /// and the session's totals.
    static func importCorpus(_ corpus: BenchCorpus, into directory: URL, batch: Int) async throws -> (Double, ImportTotals) {
        let keys = directory.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        _ = try ArchiveKey.create(inKeysDirectory: keys)
        let store = try MailStore(dataDirectory: directory)
        defer { store.close() }
        let (totals, seconds) = try await measure {
            var session = ImportSession(store: store, batchSize: batch)
            for (index, raw) in corpus.messages.enumerated() {
                try await session.add(ImportCandidate(raw: raw, origin: "bench \(index)", sourceDetail: "bench"))
            }
            try await session.flush()
            return session.totals
        }
        return (seconds, totals)
    }
}
