import ArgumentParser
import Foundation
import MailStore

struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the catalog from the archive alone.",
        discussion: """
            Throws away the catalog's derived data (message metadata and the full-text index; the \
            audit log is kept) and reads every archive record again. Search results afterwards are \
            the same as before. Stop `tresor serve` first on a busy server.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let url = try data.requireInitialised()
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        var progress = ProgressReporter(label: "reindexing", total: nil)
        let started = ContinuousClock.now
        let count = try await store.delivery.reindex { done in progress.update(done) }
        progress.finish()
        let seconds = Double(started.duration(to: .now).components.seconds)
            + Double(started.duration(to: .now).components.attoseconds) / 1e18
        print("reindexed \(count) deliveries in \(String(format: "%.1f", seconds)) s")
        try await store.compliance.record("reindex", detail: url.path, resultCount: count, by: actor.auditActor)
    }
}
