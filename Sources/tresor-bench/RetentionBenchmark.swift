import ArchiveStore
import ArgumentParser
import Catalog
import Foundation
import MailStore

/// `tresor-bench retention`: builds an archive of `--messages` messages (the corpus replicated,
/// each copy distinct), then purges half of them — every message whose SHA-256 starts with 0–7 —
/// through `MailStore.purge`, and reports the purge's time, its peak memory and the bytes the
/// archive folder lost. With `--data-dir` an existing archive is reused (built once with
/// `--build-only`); `--check` verifies a data directory after a purge, finished or killed (the
/// crash test runs it after `kill -9`).
struct RetentionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Purge half of a (built) archive; report time, peak memory and bytes reclaimed."
    )

    @Option(help: "Messages in the archive to build.") var messages = 100_000
    @Option(help: "A folder of .eml/.mbox files (default: ../shared/corpus).") var corpus = "../shared/corpus"
    @Option(help: "Data directory (kept); an archive already there is reused. Default: a temporary one.")
    var dataDir: String?
    @Flag(help: "Only build the archive (and its manifest), do not purge.") var buildOnly = false
    @Flag(help: "Check a data directory after a purge (finished or interrupted): finish it, then check every message.")
    var check = false
    @Option(help: ArgumentHelp("Pause this many milliseconds at each compaction step, logging it (crash tests).",
                               visibility: .hidden))
    var compactionPause = 0

    /// The SHA-256s of the built archive, one a line, in the data directory.
    static let manifestName = "retention-bench.manifest"

    /// The half the benchmark purges.
    static func isPurged(_ sha256: String) -> Bool { (sha256.first?.hexDigitValue ?? 15) < 8 }

    func run() async throws {
        let (directory, cleanup) = try benchDataDirectory(dataDir)
        defer { if cleanup { try? FileManager.default.removeItem(at: directory) } }
        let manifest = directory.appendingPathComponent(Self.manifestName)
        if check { return try await Self.check(directory, manifest: manifest) }
        if !FileManager.default.fileExists(atPath: manifest.path) {
            let (count, seconds) = try await measure { try await Self.build(directory, messages: messages, corpus: corpus) }
            Report.line("archive built", "\(count) distinct messages in \(String(format: "%.1f", seconds)) s")
        }
        if buildOnly { return }
        let hashes = try Self.readManifest(manifest)
        let items = hashes.filter(Self.isPurged).map {
            PurgeItem(sha256: $0, policy: "bench-half", scope: .archiveAndMailboxes)
        }
        let before = try Self.folderSize(directory.appendingPathComponent("archive"))
        var configuration = ArchiveConfiguration()
        if compactionPause > 0 {
            let pause = UInt32(compactionPause) * 1000
            configuration.compactionObserver = { step in
                FileHandle.standardError.write(Data("compaction step \(step)\n".utf8))
                usleep(pause)
            }
        }
        let store = try MailStore(dataDirectory: directory, archiveConfiguration: configuration)
        defer { store.close() }
        PeakMemory.reset()
        // A purge is a governance action: the benchmark's own admin (made once per archive) orders it.
        let admin = GovernanceSigner.operatorKey(try await Self.benchOperator(of: store, in: directory))
        let (report, seconds) = try await measure {
            try await store.compliance.purge(items, reason: "benchmark: purge half", by: admin)
        }
        let peak = PeakMemory.kibibytes()
        let after = try Self.folderSize(directory.appendingPathComponent("archive"))
        Report.line("messages", "\(hashes.count), purging \(items.count)")
        Report.line("purge", "\(String(format: "%.2f", seconds)) s, \(Report.rate(report.messages, seconds)) msg/s")
        Report.line("  removed", "\(report.messages) messages, \(report.deliveries) deliveries")
        Report.line("  segments rewritten", "\(report.segmentsRewritten)")
        Report.line("peak memory (VmHWM)", peak.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "unknown")
        Report.line("archive folder", String(format: "%.1f MB → %.1f MB (%.1f MB reclaimed, report: %.1f MB)",
                                              Double(before) / 1e6, Double(after) / 1e6, Double(before - after) / 1e6,
                                              Double(report.bytesReclaimed) / 1e6))
    }

    /// Imports `messages` messages from the corpus (replicated, each copy varied) without
    /// holding them all, then writes the manifest of the bodies the archive holds.
    static func build(_ directory: URL, messages: Int, corpus: String) async throws -> Int {
        let originals = try BenchCorpus.loadOriginals(URL(fileURLWithPath: corpus))
        guard !originals.isEmpty else { throw ValidationError("no messages found in \(corpus)") }
        let keys = directory.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: keys.appendingPathComponent("archive.ed25519.pub").path) {
            _ = try ArchiveKey.create(inKeysDirectory: keys)
        }
        let store = try MailStore(dataDirectory: directory)
        defer { store.close() }
        var session = ImportSession(store: store, batchSize: 512)
        for index in 0..<messages {
            let copy = index / originals.count, position = index % originals.count
            let raw = copy == 0 ? originals[position] : BenchCorpus.vary(originals[position], copy: copy, index: position)
            try await session.add(ImportCandidate(raw: raw, origin: "bench \(index)", sourceDetail: "bench"))
        }
        try await session.flush()
        var hashes: [String] = []
        // The benchmark reads the files directly, beside the store (it is not a caller of MailStore).
        let archive = try ArchiveStore(dataDirectory: directory)
        defer { archive.close() }
        try archive.forEachRecord { record in
            if record.kind == .body, let sha256 = record.sha256 { hashes.append(sha256) }
        }
        try Data((hashes.joined(separator: "\n") + "\n").utf8)
            .write(to: directory.appendingPathComponent(manifestName), options: .atomic)
        return hashes.count
    }

    /// The benchmark archive's admin: made at the first run, its key kept beside the data directory
    /// (`NAME.operator.key`, passphrase "tresor-bench") for later runs on the same archive.
    static func benchOperator(of store: MailStore, in directory: URL) async throws -> OperatorKey {
        let path = URL(fileURLWithPath: directory.path + ".operator.key")
        if FileManager.default.fileExists(atPath: path.path) {
            return try await OperatorKeyFile.read(from: path, passphrase: "tresor-bench", expecting: "bench")
        }
        let key = try await store.compliance.enrolOperator("bench", role: .admin)
        try await OperatorKeyFile.write(key, passphrase: "tresor-bench", to: path, dataDirectory: directory)
        return key
    }

    static func readManifest(_ url: URL) throws -> [String] {
        String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// After a purge, finished or killed: `recover()` finishes what was interrupted; then every
    /// message of the kept half must be in the archive (its bytes SHA-256 checked on reading) and
    /// in the catalog, and — once a purge is done — none of the purged half may be in either; and
    /// the archive must verify. Exits 1 on any failure.
    static func check(_ directory: URL, manifest: URL) async throws {
        let hashes = try readManifest(manifest)
        let store = try MailStore(dataDirectory: directory)
        defer { store.close() }
        try await store.delivery.recover()
        // Checked against the files themselves, beside the store.
        let archive = try ArchiveStore(dataDirectory: directory)
        defer { archive.close() }
        let catalog = try Catalog(path: MailStore.catalogPath(in: directory))
        let purged = try await catalog.governance.purges().contains { $0.phase == .done }
        var failures: [String] = []
        var kept = 0, gone = 0
        for sha256 in hashes {
            let body = try archive.readBody(sha256: sha256)
            let indexed = try await catalog.messages.message(id: sha256) != nil
            if purged && isPurged(sha256) {
                if body != nil || indexed { failures.append("\(sha256) should be purged (archive \(body != nil), catalog \(indexed))") }
                gone += 1
            } else {
                if body == nil || !indexed { failures.append("\(sha256) is missing (archive \(body != nil), catalog \(indexed))") }
                kept += 1
            }
        }
        let verification = ArchiveVerifier.verify(dataDirectory: directory)
        if let problem = verification.problem { failures.append("verify: \(problem)") }
        Report.line("purge finished", purged ? "yes" : "no (nothing was journaled)")
        Report.line("kept and readable", "\(kept - failures.count(where: { $0.contains("missing") }))/\(kept)")
        Report.line("purged", "\(gone)")
        Report.line("verify", verification.problem == nil ? "ok, \(verification.purges.count) purges" : "FAILED")
        for failure in failures.prefix(20) { print("FAILED: \(failure)") }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    /// Bytes of the files directly in `folder`.
    static func folderSize(_ folder: URL) throws -> Int64 {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }
}

/// The process's peak resident set size (VmHWM, proc(5)), reset before the measured step by
/// writing 5 to /proc/self/clear_refs (Linux 4.0+), so the build's peak does not count.
enum PeakMemory {
    static func reset() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        try? handle.write(contentsOf: Data("5".utf8))
        try? handle.close()
    }

    static func kibibytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
