import Foundation
import MailMessage
import MailStore
#if canImport(Glibc)
import Glibc
#endif

/// What one export is to do.
public struct ExportRequest: Sendable {
    public var selection: ExportSelection
    public var format: ExportFormat
    /// The export folder: created, or an existing empty folder.
    public var destination: URL
    /// Who runs it, for `export.json` and the audit log.
    public var actor: AuditActor
    public var tresorVersion: String
    /// For a case export: the case names its private messages explicitly, so they are exported
    /// too (audited as such); otherwise the private-mail rule's messages are left out.
    public var includePrivate: Bool

    public init(selection: ExportSelection, format: ExportFormat, destination: URL, actor: AuditActor,
                tresorVersion: String = TresorVersion.current, includePrivate: Bool = false) {
        self.selection = selection
        self.includePrivate = includePrivate
        self.format = format
        self.destination = destination
        self.actor = actor
        self.tresorVersion = tresorVersion
    }
}

/// How far an export is.
public struct ExportProgress: Sendable, Hashable {
    public var written: Int
    public var total: Int
    public var bytes: Int64
}

/// What an export wrote.
public struct ExportSummary: Sendable {
    public var directory: URL
    public var record: ExportRecord
    /// SHA-256 of `export.json` (also in the audit entry).
    public var recordSHA256: String
}

/// Writes exports (the layout and invariants are in Export.swift).
///
/// Order, so that no interrupted export ever looks complete: refuse a non-empty destination →
/// choose the messages (one catalog read per folder) → read HEAD → `INCOMPLETE` (fsync'd) → write
/// each message (bytes re-hashed; an mbox fsync'd, Maildir and `.eml` files made durable together
/// by `ExportFileSystemSync`) → `manifest.csv` → `SHA256SUMS` →
/// `export.json` → `export.sig` → fsync every directory → audit entry (archive event + catalog
/// row) → remove `INCOMPLETE` → fsync the folder.
///
/// Runs in the calling task; file writes are blocking calls, which suits the CLI and the
/// benchmark that run nothing else (a server would move this off the cooperative pool).
public struct Exporter: Sendable {
    public let store: MailStore

    public static let incompleteMarker = "INCOMPLETE"

    public init(store: MailStore) {
        self.store = store
    }

    /// Writes the export. `progress` is called before the first message and after each; if it
    /// throws (or the task is cancelled), the export stops there and its folder stays marked
    /// `INCOMPLETE`.
    public func export(_ request: ExportRequest, progress: (ExportProgress) throws -> Void = { _ in }) async throws
        -> ExportSummary
    {
        let startedAt = Self.wholeSeconds(store.clock.now())
        let signer = try await store.compliance.exportSigner()
        let publicKeyHex = signer.publicKeyHex
        let root = request.destination.standardizedFileURL.path
        try Self.refuseNonEmpty(root)
        // Chosen before anything is written, so that an unknown user, folder or case leaves no folder.
        let resolved = try await ExportSelector.resolve(request.selection, includePrivate: request.includePrivate,
                                                        store: store, actor: request.actor)
        // After the selection: every chosen message is durable in the archive, so HEAD covers it.
        let head = try await store.compliance.signedHead()
        var directories = ExportDirectories()
        try Self.prepare(root, directories: &directories, actor: request.actor.description, startedAt: startedAt)

        let sync = try ExportFileSystemSync(folder: root)
        var writer = MessageFilesWriter(root: root, format: request.format, directories: directories, sync: sync)
        let total = resolved.groups.reduce(0) { $0 + $1.items.count }
        try progress(ExportProgress(written: 0, total: total, bytes: 0))
        for group in resolved.groups {
            try writer.begin(group)
            // Read, check and parse a batch on every core; write it in order.
            for start in stride(from: 0, to: group.items.count, by: Self.batchSize) {
                try Task.checkCancellation()
                let batch = Array(group.items[start..<min(start + Self.batchSize, group.items.count)])
                for (item, bytes, summary) in try await prepare(batch, user: resolved.user) {
                    try writer.write(item, bytes: bytes, summary: summary)
                    try progress(ExportProgress(written: writer.rows.count, total: total, bytes: writer.bytes))
                }
            }
            try writer.end()
        }
        directories = writer.directories
        try sync.syncPending()

        let manifest = ManifestCSV.encode(writer.rows)
        var sums = writer.sums
        sums["manifest.csv"] = try ExportFile.create(path: root + "/manifest.csv", contents: manifest)
        let sumsBytes = SHA256Sums.encode(sums)
        _ = try ExportFile.create(path: root + "/" + SHA256Sums.fileName, contents: sumsBytes)
        let record = ExportRecord(
            exportVersion: ExportRecord.currentVersion, tresorVersion: request.tresorVersion, format: request.format,
            createdBy: request.actor.description, startedAt: startedAt, completedAt: Self.wholeSeconds(store.clock.now()),
            selection: resolved.record,
            counts: ExportRecord.Counts(
                messages: writer.rows.count, distinctMessages: Set(writer.rows.map(\.sha256)).count,
                drafts: writer.drafts, files: writer.sums.count, bytes: writer.bytes),
            archive: ExportRecord.ArchiveState(publicKey: publicKeyHex, head: head),
            manifestSha256: Hex.sha256(manifest))
        let json = try record.encoded()
        let jsonSHA256 = try ExportFile.create(path: root + "/" + ExportRecord.fileName, contents: json)
        _ = try ExportFile.create(path: root + "/" + ExportSignature.fileName,
                                  contents: ExportSignature.sign(exportJSON: json, sums: sumsBytes, with: signer))
        try directories.syncAll()

        try await store.compliance.record(
            "export",
            detail: "\(Self.describe(resolved.record)) format=\(request.format.rawValue) out=\(root) export.json=\(jsonSHA256)",
            resultCount: writer.rows.count, by: request.actor)
        guard unlink(root + "/" + Self.incompleteMarker) == 0 else {
            throw ExportError.io(operation: "remove", path: root + "/" + Self.incompleteMarker, errno: errno)
        }
        try ExportDirectories.sync(root)
        return ExportSummary(directory: URL(fileURLWithPath: root, isDirectory: true), record: record,
                             recordSHA256: jsonSHA256)
    }

    /// ISO 8601 in export.json keeps whole seconds; the summary says the same.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// The selection as one line for the audit log.
    static func describe(_ selection: ExportRecord.Selection) -> String {
        switch selection.kind {
        case .mailbox: "mailbox=\(selection.user ?? "")" + (selection.folder.map { " folder=\($0)" } ?? "")
        case .legalHold: "case=\(selection.legalHold?.name ?? "") query=\(selection.query ?? "")"
        case .query: "query=\(selection.query ?? "")"
        case .subjectAccess: "subject-access=\(selection.subjectAccess?.address ?? "")"
        }
    }

    /// An export goes into a new or empty folder only.
    static func refuseNonEmpty(_ root: String) throws {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: root) {
            guard entries.isEmpty else { throw ExportError.destinationNotEmpty(path: root) }
        } else if FileManager.default.fileExists(atPath: root) {
            throw ExportError.destinationNotEmpty(path: root)
        }
    }

    /// Creates the folder (checked again) and writes the `INCOMPLETE` marker before anything else.
    static func prepare(_ root: String, directories: inout ExportDirectories, actor: String, startedAt: Date) throws {
        try refuseNonEmpty(root)
        try directories.make(root)
        let note = """
            This export was started at \(Timestamp.string(startedAt)) by \(actor) and has not completed.
            It is incomplete: do not use it. Run the export again into a new folder.

            """
        _ = try ExportFile.create(path: root + "/" + incompleteMarker, contents: Array(note.utf8))
        try ExportDirectories.sync(root)
        try ExportDirectories.sync(parentPath(root).isEmpty ? "." : parentPath(root))
    }

    /// Messages read and parsed ahead of the writer: enough to keep every core busy, few enough
    /// that a batch of large messages stays small in memory.
    static let batchSize = 32

    /// The batch's bytes (checked) and header summaries, in order, computed concurrently.
    func prepare(_ batch: [ExportItem], user: String?) async throws -> [(ExportItem, [UInt8], MessageSummary)] {
        try await withThrowingTaskGroup(of: (Int, [UInt8], MessageSummary).self) { group in
            for (index, item) in batch.enumerated() {
                group.addTask {
                    let bytes = try await read(item, user: user)
                    return (index, bytes, MessageSummary(bytes))
                }
            }
            var results = [(ExportItem, [UInt8], MessageSummary)?](repeating: nil, count: batch.count)
            for try await (index, bytes, summary) in group { results[index] = (batch[index], bytes, summary) }
            return results.map { $0! }
        }
    }

    /// The item's bytes, checked against its SHA-256.
    func read(_ item: ExportItem, user: String?) async throws -> [UInt8] {
        let bytes: [UInt8]?
        if let entry = item.entry, item.isDraft, let user {
            bytes = try await store.reader.bytes(of: entry, user: user)
        } else {
            bytes = try await store.reader.content(sha256: item.sha256)
        }
        guard let bytes else { throw ExportError.messageMissing(sha256: item.sha256) }
        let actual = Hex.sha256(bytes)
        guard actual == item.sha256 else { throw ExportError.digestMismatch(expected: item.sha256, actual: actual) }
        return bytes
    }
}
