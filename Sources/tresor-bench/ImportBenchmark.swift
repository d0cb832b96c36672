import ArchiveStore
import ArgumentParser
import AttachmentText
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
    @Flag(help: "Do not read attachment documents after the import (as `tresor import --skip-attachments`).")
    var skipAttachments = false

    func run() async throws {
        let corpus = try BenchCorpus.load(path: self.corpus, times: times)
        Report.line("messages", "\(corpus.messages.count) (\(String(format: "%.1f", Double(corpus.bytes) / 1e6)) MB raw)")
        let (directory, cleanup) = try benchDataDirectory(dataDir)
        defer { if cleanup { try? FileManager.default.removeItem(at: directory) } }
        let (seconds, totals) = try await Self.importCorpus(corpus, into: directory, batch: batch)
        Report.line("import end to end", "\(Report.rate(corpus.messages.count, seconds)) msg/s, \(Report.megabytesPerSecond(corpus.bytes, seconds)) (\(String(format: "%.1f", seconds)) s)")
        if !skipAttachments {
            // `tresor import` reads the documents after the messages are in: the same pass here.
            let (pass, extraction) = try await Self.readAttachments(in: directory)
            let total = seconds + extraction
            Report.line("attachment extraction", String(
                format: "%.1f s: %d messages, %d attachments, %d unextracted", extraction, pass.messages,
                pass.attachments, pass.unextracted))
            Report.line("import + extraction", "\(Report.rate(corpus.messages.count, total)) msg/s (\(String(format: "%.1f", total)) s, "
                + String(format: "%+.0f%%", (total / seconds - 1) * 100) + " over the import alone)")
            await Self.extractionRates(corpus.messages)
        }
        Report.line("  hashing (all cores)", String(format: "%.1f s", totals.secondsHashing))
        Report.line("  parsing (all cores)", String(format: "%.1f s", totals.secondsParsing))
        Report.line("  journaling (archive)", String(format: "%.1f s", totals.secondsJournaling))
        Report.line("  indexing (catalog, overlapped)", String(format: "%.1f s, of which %.1f s waited for", totals.secondsIndexing, totals.secondsWaitingForIndex))
        // What the data directory costs: bytes on disk per raw byte of mail (the store is closed,
        // so the catalog's write-ahead log is checkpointed into the file).
        let archiveBytes = Self.bytesOnDisk(directory.appendingPathComponent("archive"))
        let catalogBytes = ["", "-wal", "-shm"].reduce(0) {
            $0 + Self.bytesOnDisk(URL(fileURLWithPath: MailStore.catalogPath(in: directory).path + $1))
        }
        let raw = Double(corpus.bytes)
        Report.line("bytes on disk per raw byte", String(
            format: "archive %.2f (%.1f MB), catalog %.2f (%.1f MB), total %.2f", Double(archiveBytes) / raw,
            Double(archiveBytes) / 1e6, Double(catalogBytes) / raw, Double(catalogBytes) / 1e6,
            Double(archiveBytes + catalogBytes) / raw))

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

    /// Reads every imported message's attachments as `tresor import` does after its import.
    static func readAttachments(in directory: URL) async throws -> (DeliveryPipeline.AttachmentPass, Double) {
        let store = try MailStore(dataDirectory: directory)
        defer { store.close() }
        return try await measure { try await store.delivery.readAttachments(extractor: AttachmentExtractor()) }
    }

    /// Each attachment document of the corpus extracted alone, one at a time, grouped by kind:
    /// documents per second and megabytes per second of document per kind.
    static func extractionRates(_ messages: [[UInt8]]) async {
        let extractor = AttachmentExtractor()
        var byKind: [String: (documents: Int, bytes: Int, extracted: Int, seconds: Double)] = [:]
        for raw in messages {
            for attachment in Message(parsing: raw).attachmentDocuments {
                let document = attachment.document
                let kind = DocumentKind(mediaType: document.mediaType, fileName: document.fileName,
                                        leadingBytes: document.bytes.prefix(8))
                let (result, seconds) = await measure { await extractor.extract(document) }
                var entry = byKind[kind.rawValue] ?? (documents: 0, bytes: 0, extracted: 0, seconds: 0)
                entry.documents += 1
                entry.bytes += document.bytes.count
                entry.extracted += result.state == .extracted ? 1 : 0
                entry.seconds += seconds
                byKind[kind.rawValue] = entry
            }
        }
        for (kind, entry) in byKind.sorted(by: { $0.key < $1.key }) {
            Report.line("  extraction \(kind)", "\(entry.documents) documents (\(entry.extracted) extracted), "
                + "\(Report.rate(entry.documents, entry.seconds)) documents/s, \(Report.megabytesPerSecond(entry.bytes, entry.seconds))")
        }
    }

    /// The size of a file, or of every file below a folder (as `du -sb` counts); 0 if absent.
    static func bytesOnDisk(_ url: URL) -> Int {
        func size(_ path: String) -> Int {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { return 0 }
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return 0 }
        guard isFolder.boolValue, let names = try? FileManager.default.subpathsOfDirectory(atPath: url.path) else {
            return size(url.path)
        }
        return names.reduce(0) { $0 + size(url.appendingPathComponent($1).path) }
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
