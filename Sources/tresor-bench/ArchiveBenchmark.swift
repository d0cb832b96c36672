import ArchiveStore
import ArgumentParser
import Foundation
import MailMessage
import MailStore

/// `tresor-bench archive`: appends every message (durably, with group commit) and compares the
/// rate with deflate alone at the same level and dictionary, on the same messages, in the same
/// run — compression is the physical limit of this step, fsync the other.
struct ArchiveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Append a corpus to a fresh archive; report msg/s, MB/s, on-disk ratio and a deflate-only baseline."
    )

    @Option(help: "A folder of .eml/.mbox files, or one mbox or .eml file.") var corpus: String
    @Option(help: "Replicate the corpus this many times (each copy with a varied header).") var times = 1
    @Option(help: "Concurrent appenders (they share fsyncs through group commit).") var concurrency = 32
    @Option(help: "Deflate level 1–9.") var level: Int32 = 6
    @Option(help: "Archive data directory (default: a fresh temporary one, removed afterwards).") var dataDir: String?

    func run() async throws {
        let corpus = try BenchCorpus.load(path: self.corpus, times: times)
        let messages = corpus.messages
        Report.line("messages", "\(messages.count) (\(String(format: "%.1f", Double(corpus.bytes) / 1e6)) MB raw, \(concurrency) appenders)")

        let (directory, cleanup) = try benchDataDirectory(dataDir)
        defer { if cleanup { try? FileManager.default.removeItem(at: directory) } }
        let keys = directory.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        _ = try ArchiveKey.create(inKeysDirectory: keys)
        var configuration = ArchiveConfiguration()
        configuration.compressionLevel = level
        let store = try ArchiveStore(dataDirectory: directory, configuration: configuration)

        // 1. Durable appends: `concurrency` tasks, each appending its share one by one.
        let receivedAt = Date()
        let tasks = max(1, concurrency)
        let (_, appendSeconds) = try await measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<tasks {
                    group.addTask {
                        var index = worker
                        while index < messages.count {
                            let envelope = Envelope(mailFrom: "bench@example.test", recipients: ["archive@example.test"],
                                                    receivedAt: receivedAt, direction: .inbound, source: .other("bench"))
                            _ = try await store.append(message: messages[index], envelope: envelope)
                            index += tasks
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let statistics = store.statistics
        store.close()
        let onDisk = try Self.archiveBytes(in: directory)

        // 2. Deflate alone, same level and dictionary, spread over the cores.
        let dictionary = configuration.dictionary
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let (compressedSize, deflateSeconds) = await measure {
            await Self.deflateAll(messages, level: level, dictionary: dictionary, workers: cores)
        }
        let (_, deflateOneCoreSeconds) = await measure {
            await Self.deflateAll(messages, level: level, dictionary: dictionary, workers: 1)
        }
        let (plainSize, _) = await measure {
            await Self.deflateAll(messages, level: level, dictionary: .none, workers: cores)
        }

        Report.line("archive append", "\(Report.rate(messages.count, appendSeconds)) msg/s, \(Report.megabytesPerSecond(corpus.bytes, appendSeconds)) (\(String(format: "%.2f", appendSeconds)) s)")
        Report.line("  fsyncs", "\(statistics.fsyncs) (\(String(format: "%.1f", Double(messages.count) / Double(max(statistics.fsyncs, 1)))) messages per fsync)")
        Report.line("  on disk per raw byte", String(format: "%.3f (%d bytes in segments)", Double(onDisk) / Double(corpus.bytes), onDisk))
        Report.line("deflate alone (\(cores) cores)", "\(Report.rate(messages.count, deflateSeconds)) msg/s, \(Report.megabytesPerSecond(corpus.bytes, deflateSeconds))")
        Report.line("deflate alone (1 core)", "\(Report.rate(messages.count, deflateOneCoreSeconds)) msg/s, \(Report.megabytesPerSecond(corpus.bytes, deflateOneCoreSeconds))")
        Report.line("archive / deflate-alone rate", String(format: "%.2f", deflateSeconds / appendSeconds))
        Report.line("compressed per raw byte", String(format: "%.3f with dictionary v%d, %.3f without (dictionary saves %.1f%%)",
                                                         Double(compressedSize) / Double(corpus.bytes), dictionary.version,
                                                         Double(plainSize) / Double(corpus.bytes),
                                                         100 * (1 - Double(compressedSize) / Double(max(plainSize, 1)))))
    }

    /// Compresses every message on its own (as the archive does); returns the total size.
    static func deflateAll(_ messages: [[UInt8]], level: Int32, dictionary: DeflateDictionary, workers: Int) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for worker in 0..<max(1, workers) {
                group.addTask {
                    var total = 0
                    var index = worker
                    while index < messages.count {
                        total += Deflate.compress(messages[index], level: level, dictionary: dictionary).count
                        index += workers
                    }
                    return total
                }
            }
            return await group.reduce(0, +)
        }
    }

    static func archiveBytes(in directory: URL) throws -> Int {
        let archive = directory.appendingPathComponent("archive", isDirectory: true)
        return try FileManager.default.contentsOfDirectory(at: archive, includingPropertiesForKeys: [.fileSizeKey])
            .filter { $0.pathExtension == "tsa" }
            .reduce(0) { $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
    }
}
