import ArgumentParser
import Foundation
import AttachmentText
import MailStore

struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild the catalog from the archive alone.",
        discussion: """
            Throws away the catalog's derived data (message metadata and the full-text index; the \
            audit log is kept) and reads every archive record again, then reads every attachment \
            document again (PDF, Office, OpenDocument, RTF, ZIP). Search results afterwards are \
            the same as before. With --attachments only the attachment documents are read again \
            (after installing pdftotext, say). Stop `tresor serve` first on a busy server.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Flag(help: "Only read every attachment document again; the rest of the catalog stays.") var attachments = false

    func run() async throws {
        let url = try data.requireInitialised()
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        let started = ContinuousClock.now
        var count = 0
        if attachments {
            try await store.delivery.restartAttachmentReading()
        } else {
            var progress = ProgressReporter(label: "reindexing", total: nil)
            count = try await store.delivery.reindex { done in progress.update(done) }
            progress.finish()
        }
        var reading = ProgressReporter(label: "reading attachments", total: nil)
        let pass = try await store.delivery.readAttachments(extractor: AttachmentExtractor()) { reading.update($0) }
        reading.finish()
        print("read the attachments of \(pass.messages) messages: \(pass.attachments) attachments, "
              + "\(pass.unextracted) not extracted (tresor search has:unextracted lists them)")
        let seconds = Double(started.duration(to: .now).components.seconds)
            + Double(started.duration(to: .now).components.attoseconds) / 1e18
        print("reindexed \(count) deliveries in \(String(format: "%.1f", seconds)) s")
        try await store.compliance.record("reindex", detail: url.path, resultCount: count, by: actor.auditActor)
    }
}
