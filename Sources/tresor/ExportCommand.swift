import ArgumentParser
import Dispatch
import Export
import Foundation
import MailStore
#if canImport(Glibc)
import Glibc
#endif

/// `tresor export`: messages out of the archive as mbox, Maildir or .eml, with a manifest,
/// checksums and a signed record (layout and invariants: Sources/Export/Export.swift).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export messages as mbox, Maildir or .eml files with a signed manifest.",
        discussion: """
            Choose the messages with one of --query (the search language of `tresor search`), \
            --mailbox USER [--folder F] (the user's folders as IMAP shows them, F with the folders \
            below it; drafts included), --case CASE (what the legal hold CASE covers now, without \
            the messages the private-mail rule marks unless --include-private) or --subject ADDRESS \
            (a data subject's access request, GDPR Art. 15: every message in which ADDRESS is \
            sender, recipient, Cc, Bcc, envelope sender or envelope recipient, in every user's \
            mailboxes and the archive, restricted messages included; export.json then carries a \
            summary by folder, year and role). \
            Every message is written byte for byte as archived (mbox only adds its "From " lines, \
            mboxrd ">From " quoting and a final line end a message may lack). Beside the messages: \
            manifest.csv, SHA256SUMS (check with `sha256sum -c SHA256SUMS`), export.json (who, when, \
            what, counts, the archive's chain head and public key) and export.sig, the archive key's \
            Ed25519 signature over them. Check an export anywhere with `tresor verify-export DIR`.
            Until an export has finished, its folder holds a file INCOMPLETE; an interrupted export \
            keeps it, and verify-export refuses such a folder.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @OptionGroup(title: "Operator (needed when the data directory requires one)") var signing: OperatorOption
    @Option(help: ArgumentHelp("Export the messages matching this query.", valueName: "query")) var query: String?
    @Option(help: ArgumentHelp("Export this user's folders.", valueName: "user")) var mailbox: String?
    @Option(help: ArgumentHelp("With --mailbox: only this folder and the folders below it.", valueName: "folder"))
    var folder: String?
    @Option(name: .customLong("case"), help: ArgumentHelp("Export what this legal hold covers.", valueName: "case"))
    var legalCase: String?
    @Option(help: ArgumentHelp("Export every message in which this address takes part (GDPR Art. 15 access).",
                               valueName: "address"))
    var subject: String?
    @Flag(help: "With --case: the case names its private messages explicitly; export them too (audited).")
    var includePrivate = false
    @Option(help: "mbox (mboxrd), maildir or eml.") var format: ExportFormat = .mbox
    @Option(help: ArgumentHelp("The export folder (new or empty).",
                               discussion: "Default: exports_dir of the configuration (else exports/)/<time>-<slug of the query or case>.",
                               valueName: "dir"))
    var out: String?

    func validate() throws {
        if [query != nil, mailbox != nil, legalCase != nil, subject != nil].filter({ $0 }).count != 1 {
            throw ValidationError("choose what to export with exactly one of --query, --mailbox, --case, --subject")
        }
        if includePrivate, legalCase == nil { throw ValidationError("--include-private needs --case") }
        if folder != nil, mailbox == nil { throw ValidationError("--folder needs --mailbox") }
        if let query {
            do { _ = try SearchQuery(parsing: query) } catch { throw ValidationError("--query: \(error)") }
        }
    }

    var selection: ExportSelection {
        if let query { return .query(query) }
        if let mailbox { return .mailbox(user: mailbox, folder: folder) }
        if let subject { return .subjectAccess(address: subject) }
        return .legalHold(name: legalCase ?? "")
    }

    func run() async throws {
        let located = try data.configuration()
        let url = try data.location(located).requireInitialised()
        let destination = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? ExportDestination.default(for: selection, in: located.configuration.effectiveExportsFolder)
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        let interruption = InterruptionNotice(directory: destination.path)
        var reporter = ProgressReporter(label: "exporting", total: nil)
        let summary: ExportSummary
        let reader = try await signing.contentReader(else: actor.auditActor)
        do {
            summary = try await Exporter(store: store).export(
                ExportRequest(selection: selection, format: format, destination: destination, actor: reader,
                              includePrivate: includePrivate)
            ) { progress in
                if reporter.total != progress.total { reporter = ProgressReporter(label: "exporting", total: progress.total) }
                reporter.update(progress.written, force: progress.written == progress.total)
            }
        } catch {
            reporter.finish()
            interruption.cancel()
            if FileManager.default.fileExists(atPath: destination.appendingPathComponent(Exporter.incompleteMarker).path) {
                throw CommandError("\(error)\nthe export in \(destination.path) is incomplete (its INCOMPLETE file says so)")
            }
            throw CommandError("\(error)")
        }
        reporter.finish()
        interruption.cancel()
        let counts = summary.record.counts
        if counts.messages == 0 {
            print("0 messages to export: wrote an empty, valid export to \(summary.directory.path)")
        } else {
            var line = "exported \(counts.messages) message\(counts.messages == 1 ? "" : "s")"
            if counts.distinctMessages != counts.messages { line += " (\(counts.distinctMessages) distinct)" }
            if counts.drafts > 0 { line += ", \(counts.drafts) draft\(counts.drafts == 1 ? "" : "s")" }
            line += ", \(counts.bytes) bytes, as \(format.rawValue) to \(summary.directory.path)"
            print(line)
        }
        if let left = summary.record.selection.privateMessagesLeftOut, left > 0 {
            print("\(left) private message\(left == 1 ? "" : "s") left out (name them with --include-private)")
        }
        if let access = summary.record.selection.subjectAccess { SubjectAccessReport.print(access) }
        print("export.json SHA-256 \(summary.recordSHA256), signed by archive key \(summary.record.archive.publicKey)")
        print("check it with: tresor verify-export \(summary.directory.path)")
    }
}

extension ExportFormat: ExpressibleByArgument {}

/// The default export folder: `<exports_dir>/<UTC time>-<slug>`, `exports_dir` being the
/// configuration's (default: `exports` beside the configuration file, else in the working directory).
enum ExportDestination {
    static func `default`(for selection: ExportSelection, in folder: URL, now: Date = Date()) -> URL {
        let label: String
        switch selection {
        case .query(let text): label = "query-" + text
        case .mailbox(let user, let folder): label = "mailbox-" + user + (folder.map { "-" + $0 } ?? "")
        case .legalHold(let name): label = "case-" + name
        case .subjectAccess(let address): label = "subject-" + address
        }
        let time = now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)
            .dateSeparator(.omitted).timeSeparator(.omitted))
        let base = folder.appendingPathComponent("\(time.replacingOccurrences(of: "Z", with: ""))-\(slug(label))", isDirectory: true)
        var candidate = base
        var n = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = URL(fileURLWithPath: base.path + "-\(n)", isDirectory: true)
            n += 1
        }
        return candidate
    }

    /// Lower-case ASCII letters and digits, everything else one "-", at most 48 characters.
    static func slug(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.hasSuffix("-") {
                out += "-"
            }
        }
        var trimmed = String(out.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(48))
        while trimmed.hasSuffix("-") { trimmed.removeLast() }
        return trimmed.isEmpty ? "export" : trimmed
    }
}

/// On Ctrl-C during an export: say that the folder is incomplete, then exit 130 (the marker file
/// stays, so the folder never looks complete).
final class InterruptionNotice {
    private let source: any DispatchSourceSignal

    init(directory: String) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            FileHandle.standardError.write(Data(
                "\ninterrupted: the export in \(directory) is incomplete (its INCOMPLETE file says so)\n".utf8))
            exit(130)
        }
        source.resume()
        self.source = source
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// The summary of a subject-access export, as `tresor export --subject` prints it.
enum SubjectAccessReport {
    static func print(_ access: ExportRecord.SubjectAccessSummary) {
        Swift.print("subject access for \(access.address): \(access.messages) message(s), "
                    + "\(access.restrictedMessages) of them restricted (\(access.note))")
        for (title, counts) in [("by folder", access.byFolder), ("by year", access.byYear), ("by role", access.byRole)] {
            Swift.print("  \(title):")
            for count in counts { Swift.print("    \(count.name)\t\(count.messages)") }
        }
    }
}
