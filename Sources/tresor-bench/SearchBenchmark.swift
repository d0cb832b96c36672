import ArgumentParser
import Catalog
import Foundation
import MailStore

/// `tresor-bench search`: p50/p95 latency of a mix of queries against a catalog — one made by
/// importing a (replicated) corpus first, or an existing data directory.
struct SearchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Latency of a mix of at least 20 queries (p50/p95), newest first with a limit like the CLI."
    )

    @Option(help: "Corpus to import first (folder or mbox); omit with --data-dir to search an existing archive.")
    var corpus: String?
    @Option(help: "Replicate the corpus this many times.") var times = 1
    @Option(help: "Existing or kept data directory.") var dataDir: String?
    @Option(name: .customLong("repeat"), help: "Runs of each query.") var repetitions = 10
    @Option(help: "Result limit per query, as `tresor search --limit`.") var limit = 50
    @Option(help: "A file with one query per line (default: the built-in mix).") var queries: String?
    @Flag(help: ArgumentHelp("Also run each query as `tresor search` does (total count, audit event journaled in the archive and the catalog), alternating with the bare catalog query, and report both.",
                             valueName: "audited"))
    var compareAudit = false

    /// A mix over every kind of field and operator; words common in mailing-list and business mail.
    static let defaultQueries = [
        "meeting", "subject:re", "body:deadline", "from:enron.com", "domain:apache.org",
        "participant:users@httpd.apache.org", "has:attachment", "attachment:pdf", "larger:100k", "smaller:2k",
        "after:2001-01-01 before:2001-07-01", "on:2000-01-21", "\"conference call\"", "invoice OR contract",
        "subject:maven -subject:re", "releas*", "(build OR test) has:attachment",
        "message-id:12435833.1075863606729.JavaMail.evans@thyme",
        "direction:imported source:import", "zebracornnotthere", "cc:enron.com subject:gas", "body:\"please review\"",
    ]

    func validate() throws {
        if corpus == nil && dataDir == nil { throw ValidationError("give --corpus (import first) or --data-dir (existing)") }
    }

    func run() async throws {
        let mix = try queries.map { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").map(String.init) }
            ?? Self.defaultQueries
        let (directory, cleanup) = try benchDataDirectory(dataDir)
        defer { if cleanup { try? FileManager.default.removeItem(at: directory) } }
        if let corpus {
            let loaded = try BenchCorpus.load(path: corpus, times: times)
            let (seconds, _) = try await ImportBenchmark.importCorpus(loaded, into: directory, batch: 512)
            Report.line("imported", "\(loaded.messages.count) messages in \(String(format: "%.1f", seconds)) s")
        }
        let catalog = try Catalog(path: MailStore.catalogPath(in: directory))
        let store = compareAudit ? try MailStore(dataDirectory: directory) : nil
        defer { store?.close() }
        var all: [Double] = [], allAudited: [Double] = []
        for text in mix {
            let query = try SearchQuery(parsing: text)
            var times: [Double] = [], audited: [Double] = []
            var hits = 0
            for _ in 0..<max(1, repetitions) {
                let (count, seconds) = try await measure {
                    let page = try await catalog.messages.search(query, limit: limit, offset: 0)
                    return page.count
                }
                hits = count
                times.append(seconds * 1000)
                if let store {
                    let (_, seconds) = try await measure {
                        try await store.compliance.search(query, limit: limit, by: .system("tresor-bench")).count
                    }
                    audited.append(seconds * 1000)
                }
            }
            all += times
            allAudited += audited
            let name = "  " + (text.count > 31 ? String(text.prefix(30)) + "…" : text)
            if audited.isEmpty {
                Report.line(name, String(format: "p50 %6.2f ms  (%d hits shown)", Self.percentile(times, 0.5), hits))
            } else {
                Report.line(name, String(format: "p50 %6.2f ms, audited %6.2f ms  (%d hits shown)",
                                         Self.percentile(times, 0.5), Self.percentile(audited, 0.5), hits))
            }
        }
        Report.line("all \(mix.count) queries × \(repetitions)", String(format: "p50 %.2f ms, p95 %.2f ms",
                                                                        Self.percentile(all, 0.5), Self.percentile(all, 0.95)))
        if !allAudited.isEmpty {
            Report.line("  audited, as tresor search", String(
                format: "p50 %.2f ms, p95 %.2f ms (p50 ratio audited/bare %.2f)", Self.percentile(allAudited, 0.5),
                Self.percentile(allAudited, 0.95), Self.percentile(allAudited, 0.5) / max(Self.percentile(all, 0.5), 0.001)))
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }
}
