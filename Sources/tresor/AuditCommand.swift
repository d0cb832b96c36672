import ArgumentParser
import Foundation
import MailStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List who searched, showed, imported, exported or verified what, and when.",
        discussion: """
            Every entry is also an audit event record in the archive, covered by the hash chain, \
            so `tresor verify` shows when the log was tampered with. Reading the log is itself audited.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Option(help: "Only entries at or after this date (YYYY-MM-DD, UTC).") var since: String?
    @Option(name: .customLong("by"), help: "Only entries of this actor.") var byActor: String?
    @Option(help: "Only the newest this many entries (listed oldest first).") var limit: Int?
    @Flag(help: "JSON instead of a table.") var json = false

    func run() async throws {
        let url = try data.requireInitialised()
        var sinceDate: Date?
        if let since {
            guard let date = try? Date(since + "T00:00:00Z", strategy: .iso8601) else {
                throw ValidationError("--since wants a date like 2025-01-31, not \(since)")
            }
            sinceDate = date
        }
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        let entries = try await store.compliance.auditLog(since: sinceDate, actor: byActor, limit: limit,
                                                          by: actor.auditActor)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
        } else {
            for entry in entries {
                let count = entry.resultCount.map { " (\($0))" } ?? ""
                print("\(entry.time.formatted(.iso8601))  \(entry.actor)  \(entry.action)\(count)  \(entry.detail)")
            }
        }
    }
}
