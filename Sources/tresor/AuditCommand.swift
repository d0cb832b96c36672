import ArgumentParser
import Foundation
import MailStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List who searched, showed, imported, exported or verified what, and when.",
        discussion: """
            Every entry is also an audit event record in the archive, covered by the hash chain, \
            so `tresor verify` shows when the archive was tampered with, and `--verify` compares \
            the catalog's readable copy with it. Reading the log is itself audited.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Option(help: "Only entries at or after this date (YYYY-MM-DD, UTC).") var since: String?
    @Option(name: .customLong("by"), help: "Only entries of this actor.") var byActor: String?
    @Option(help: "Only the newest this many entries (listed oldest first).") var limit: Int?
    @Flag(help: "JSON instead of a table.") var json = false
    @Flag(help: ArgumentHelp("Compare the trail the archive journals with the catalog's copy.",
                             discussion: "Names every row that was removed, altered or made up; exits 1 if any."))
    var verify = false

    func run() async throws {
        let url = try data.requireInitialised()
        if verify {
            try await verifyTrail(url)
            return
        }
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
            encoder.dateEncodingStrategy = Timestamp.jsonEncoding
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
        } else {
            for entry in entries {
                let count = entry.resultCount.map { " (\($0))" } ?? ""
                // A protocol session's entries name the client's address beside the actor.
                let who = entry.client.map { "\(entry.actor) from \($0)" } ?? entry.actor
                print("\(Timestamp.string(entry.time))  \(who)  \(entry.action)\(count)  \(entry.detail)")
            }
        }
    }

    /// `--verify`: every difference between the archive's audit events and the catalog's rows.
    private func verifyTrail(_ url: URL) async throws {
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        let report = try await store.compliance.verifyAuditTrail(by: actor.auditActor)
        func line(_ entry: AuditEntry) -> String {
            "\(Timestamp.string(entry.time)) \(entry.actor) \(entry.action): \(entry.detail)"
        }
        for (record, entry) in report.removed {
            print("REMOVED  record \(record) is not in the catalog's log: \(line(entry))")
        }
        for (row, record, listed, journaled) in report.altered {
            print("ALTERED  row \(row) (record \(record)) reads \"\(line(listed))\"; the archive journals \"\(line(journaled))\"")
        }
        for (row, entry) in report.unbacked {
            print("UNBACKED row \(row) names no audit event in the archive: \(line(entry))")
        }
        for (record, entry) in report.badSignatures {
            print("BAD SIGNATURE record \(record) is not signed by the operator it names: \(line(entry))")
        }
        print("audit trail: \(report.journaled) event(s) in the archive, \(report.listed) row(s) in the catalog"
              + (report.catalogOnly > 0 ? " (\(report.catalogOnly) kept in the catalog only)" : "")
              + (report.signed > 0 ? ", \(report.signed) signed by operators" : ""))
        guard report.isValid else {
            print("FAILED: \(report.removed.count) removed, \(report.altered.count) altered, \(report.unbacked.count) unbacked, "
                  + "\(report.badSignatures.count) with a bad signature")
            throw ExitCode(1)
        }
        print("OK: the catalog's audit log matches the archive's")
    }
}
