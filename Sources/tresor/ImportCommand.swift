import ArgumentParser
import AttachmentText
import MailMessage
import MailStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Journal old mail into the archive and index it: mbox, Maildir, .eml files, stdin.",
        discussion: """
            Each PATH is an mbox file (mboxo or mboxrd "From " lines), a Maildir (cur/ and new/, \
            with Maildir++ subfolders), a folder of .eml files (searched recursively), a single \
            message file, or - for standard input. Every message is archived byte for byte with \
            source "import". Messages already in the archive are counted, not archived again, so \
            importing the same data twice archives nothing new. A malformed message is archived \
            as it is and reported.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Argument(help: ArgumentHelp("What to import.", valueName: "path")) var paths: [String]
    @Flag(name: .shortAndLong, help: "List every malformed message and its problems.") var verbose = false
    @Flag(help: "Leave attachment documents for the server's background indexer instead of reading them here.")
    var skipAttachments = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one mbox, Maildir, folder, file or -") }
    }

    func run() async throws {
        let url = try data.requireInitialised()
        let sources = try paths.map { try ImportSource.classify($0) }
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        if try await !store.compliance.fullTextIsCurrent() {
            FileHandle.standardError.write(Data("full-text index: building every document anew from the archive (new index format)\n".utf8))
            _ = try await store.delivery.bringFullTextUpToDate()
        }
        var session = ImportSession(store: store)
        let extents = sources.map { $0.extent() }
        let totalMessages = extents.allSatisfy { $0.messages != nil } ? extents.reduce(0) { $0 + ($1.messages ?? 0) } : nil
        let totalBytes = extents.allSatisfy { $0.bytes != nil } ? extents.reduce(0) { $0 + ($1.bytes ?? 0) } : nil
        var progress = ProgressReporter(label: "importing", total: totalMessages, totalBytes: totalBytes)
        var bytesRead = 0
        for source in sources {
            try await source.forEachMessage { message in
                bytesRead += message.raw.count
                try await session.add(ImportCandidate(raw: message.raw, origin: message.origin,
                                                      sourceDetail: message.fileName, hint: message.hint))
                progress.update(session.totals.offered, bytes: bytesRead)
            }
        }
        try await session.flush()
        progress.finish()
        if !skipAttachments {
            // The attachment documents of what was imported (and of anything not read before), in
            // archive order, as the server's background indexer would.
            var reading = ProgressReporter(label: "reading attachments", total: nil)
            let pass = try await store.delivery.readAttachments(extractor: AttachmentExtractor()) { reading.update($0) }
            reading.finish()
            if pass.attachments > 0 {
                print("read \(pass.attachments) attachments of \(pass.messages) messages; \(pass.unextracted) not extracted "
                      + "(tresor search has:unextracted lists them)")
            }
        }
        let totals = session.totals
        let seconds = max(Date().timeIntervalSince(progress.started), 0.001)
        print("read \(totals.offered) messages (\(Self.megabytes(totals.bytesOffered))) from \(sources.count) source(s) in \(String(format: "%.1f", seconds)) s")
        print("archived \(totals.archived) new messages (\(Self.megabytes(totals.bytesArchived))); \(totals.alreadyArchived) already archived")
        if totals.offered == 0 {
            print("warning: no messages found in \(paths.joined(separator: " ")) (a folder is read as Maildir when it has cur/ or new/, else for .eml files)")
        } else if totals.archived == 0 {
            print("nothing new to archive")
        }
        if !totals.malformed.isEmpty {
            print("\(totals.malformed.count) malformed message(s) archived as they are:")
            for report in totals.malformed.prefix(verbose ? Int.max : 10) {
                let problems = report.problems.map { "byte \($0.offset): \($0.kind)" }.joined(separator: "; ")
                print("  \(report.origin) [\(report.sha256.prefix(12))]: \(problems)")
            }
            if !verbose && totals.malformed.count > 10 { print("  … \(totals.malformed.count - 10) more (use --verbose)") }
        }
        try await store.compliance.record("import", detail: paths.joined(separator: " "), resultCount: totals.archived,
                                          by: actor.auditActor)
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
