import ArchiveStore
import Catalog
import StoreModel
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `backup` copied.
public struct BackupReport: Sendable {
    public var manifest: BackupManifest
    /// Segments copied before the writers were held off, and those copied (again) while they were.
    public var copiedAhead: Int
    public var copiedUnderLock: Int
    /// How long the archive writers were held off (deliveries waited at most this long), by the
    /// store's clock.
    public var writersHeldOff: TimeInterval
}

/// What `restore` did.
public struct RestoreReport: Sendable {
    public var manifest: BackupManifest
    /// Journaled deliveries and audit events the catalog copy lacked, completed as `serve` does at
    /// start (see `backup` for why a consistent copy can have some).
    public var recovery: RecoveryReport
}

/// Backup and restore of a whole data directory, online: `tresor serve` may deliver meanwhile.
///
/// Order, and why the copy is consistent:
/// 1. The catalog first, through SQLite's online backup from one read transaction (`Catalog.backup`).
///    Everything it lists was durable in the archive before it was indexed (delivery order:
///    journal, fsync, then index), so every record it names is already in the segments.
/// 2. The sealed segments, without holding anyone up: they are never written again (a purge's
///    compaction may replace one by a new file, which step 3 notices by its inode).
/// 3. With every archive writer held off (`ArchiveFiles.withWritersExcluded`, the writers' own
///    flock): the segments that are new or changed since step 2 — at least the active one — then
///    HEAD, `keys/`, `anchors/` and `tls/`. Under the lock each segment ends at a record boundary
///    and HEAD names exactly the end of the newest one, so `verify` finds the copy whole.
/// The archive copy may hold records the catalog copy does not list yet (appended after step 1);
/// `restore` completes them exactly as `serve` does at every start (`DeliveryPipeline.recover`).
///
/// Not copied: `catalog.sqlite-wal`/`-shm` (the copy is one file), `archive/LOCK`, leftover
/// `.compacting` files, `spool/` (literals of APPENDs in flight), `serve.lock`.
/// The private seal key is copied only when it is kept in `keys/`; one kept elsewhere is named in
/// the manifest (`sealKeyOutside`) and must be kept safe on its own.
extension MailStore {
    /// Folders under `keys/` (the seal key, DKIM keys) are 0700 as `init` and `dkim keygen` make
    /// them; the others 0755.
    static func folderMode(_ relative: String) -> mode_t {
        relative == "keys" || relative.hasPrefix("keys/") ? 0o700 : 0o755
    }

    /// The mode a restored file gets: the manifest's, but never more than the owner may write,
    /// nothing set-id or sticky, and nothing under `keys/` open to anyone else (the manifest is
    /// not signed, so its modes are only a request).
    static func restoredMode(_ mode: mode_t, path: String) -> mode_t {
        path.hasPrefix("keys/") ? mode & 0o700 : mode & 0o755
    }

    /// Folders copied whole, under the writers' lock.
    static let backedUpFolders = ["keys", "anchors", "tls"]

    /// Takes a backup of this data directory into `destination` (missing or empty), writes
    /// `backup.json` and `SHA256SUMS`, and audits it.
    public func backup(to destination: URL, by actor: AuditActor) async throws(BackupError) -> BackupReport {
        let target = destination.standardizedFileURL.path
        let source = dataDirectory.standardizedFileURL.path
        guard target != source, !target.hasPrefix(source + "/") else {
            throw .io("the backup folder \(target) must not be inside the data directory \(source)")
        }
        guard BackupFiles.isMissingOrEmpty(target) else { throw .destinationNotEmpty(path: target) }
        let catalog = self.catalog
        let created = clock.now()
        let clock = self.clock
        let sealKey = Self.sealKeyPath(dataDirectory: dataDirectory)
        let keysFolder = dataDirectory.appendingPathComponent("keys").standardizedFileURL.path
        let sealKeyOutside = sealKey.hasPrefix(keysFolder + "/") ? nil : sealKey
        // A purge that begins between the catalog copy (step 1) and the lock (step 3) would leave
        // the copy listing messages its segments no longer hold: such a backup is not completed.
        let purgesBefore: Set<String>
        do { purgesBefore = Set(try await catalog.governance.purges().map(\.id)) } catch { throw .io("\(error)") }
        let report: BackupReport
        do {
            report = try await BlockingWork.io.run { () throws -> BackupReport in
                try BackupFiles.makeDirectory(target, mode: 0o700)
                try BackupFiles.writeNew(target + "/" + BackupManifest.incompleteFileName, [])
                var files: [String: BackupManifest.File] = [:]
                // 1. The catalog.
                do {
                    try catalog.backup(to: URL(fileURLWithPath: target + "/catalog.sqlite"))
                } catch {
                    throw BackupError.io("catalog backup: \(error)")
                }
                let catalogCopy = try BackupFiles.hash(target + "/catalog.sqlite")
                files["catalog.sqlite"] = .init(path: "catalog.sqlite", bytes: catalogCopy.bytes, mode: 0o644,
                                                sha256: catalogCopy.sha256)
                try BackupFiles.makeDirectory(target + "/archive", mode: 0o755)
                // 2. Sealed segments, while writers go on.
                var copied: [String: BackupFiles.Identity] = [:]
                for segment in try ArchiveFiles.segments(dataDirectory: URL(fileURLWithPath: source)) where segment.sealed {
                    let result = try BackupFiles.copy(source + "/" + segment.relativePath, to: target + "/" + segment.relativePath)
                    files[segment.relativePath] = .init(path: segment.relativePath, bytes: result.bytes, mode: result.mode,
                                                        sha256: result.sha256)
                    copied[segment.relativePath] = result.source
                }
                let ahead = copied.count
                // 3. Under the writers' lock: what changed, the active segment, HEAD and the small folders.
                var underLock = 0
                var heldOff: TimeInterval = 0
                let head: ArchiveHead? = try ArchiveFiles.withWritersExcluded(dataDirectory: URL(fileURLWithPath: source)) {
                    let locked = clock.now()
                    defer { heldOff = clock.now().timeIntervalSince(locked) }
                    for segment in try ArchiveFiles.segments(dataDirectory: URL(fileURLWithPath: source)) {
                        let from = source + "/" + segment.relativePath
                        if let earlier = copied[segment.relativePath], BackupFiles.identity(of: from) == earlier { continue }
                        unlink(target + "/" + segment.relativePath)
                        let result = try BackupFiles.copy(from, to: target + "/" + segment.relativePath)
                        files[segment.relativePath] = .init(path: segment.relativePath, bytes: result.bytes, mode: result.mode,
                                                            sha256: result.sha256)
                        underLock += 1
                    }
                    var head: ArchiveHead?
                    if BackupFiles.identity(of: source + "/" + ArchiveFiles.headRelativePath) != nil {
                        let path = ArchiveFiles.headRelativePath
                        let result = try BackupFiles.copy(source + "/" + path, to: target + "/" + path)
                        files[path] = .init(path: path, bytes: result.bytes, mode: result.mode, sha256: result.sha256)
                        head = ArchiveHead(file: Array(try Data(contentsOf: URL(fileURLWithPath: target + "/" + path))))
                    }
                    for folder in Self.backedUpFolders {
                        for file in try BackupFiles.listFiles(under: source + "/" + folder, skipping: { $0.hasSuffix(".lock") }) {
                            let path = folder + "/" + file
                            let parent = BackupFiles.parent(of: path)
                            try BackupFiles.makeDirectory(target + "/" + parent, mode: Self.folderMode(parent))
                            let result = try BackupFiles.copy(source + "/" + path, to: target + "/" + path)
                            files[path] = .init(path: path, bytes: result.bytes, mode: result.mode, sha256: result.sha256)
                        }
                    }
                    return head
                }
                let manifest = BackupManifest(
                    format: BackupManifest.currentFormat, created: Timestamp.string(created), source: source,
                    archive: head.map { .init(segment: $0.segment, length: $0.length, records: $0.recordCount, chain: $0.chainHex) },
                    sealKeyOutside: sealKeyOutside, files: files.values.sorted { $0.path < $1.path })
                try BackupFiles.writeNew(target + "/" + BackupManifest.fileName, try manifest.encoded())
                try BackupFiles.writeNew(target + "/" + BackupManifest.sumsFileName, Array(manifest.sums.utf8))
                try BackupFiles.syncDirectories(under: target)
                unlink(target + "/" + BackupManifest.incompleteFileName)
                try BackupFiles.syncDirectories(under: target)
                return BackupReport(manifest: manifest, copiedAhead: ahead, copiedUnderLock: underLock, writersHeldOff: heldOff)
            }
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("\(error)")
        }
        let began: Set<String>
        do { began = Set(try await catalog.governance.purges().map(\.id)).subtracting(purgesBefore) } catch {
            throw .io("\(error)")
        }
        if !began.isEmpty {
            unlink(target + "/" + BackupManifest.fileName)
            unlink(target + "/" + BackupManifest.sumsFileName)
            try? BackupFiles.writeNew(target + "/" + BackupManifest.incompleteFileName, [])
            throw .io("a purge (\(began.sorted().joined(separator: ", "))) began while the backup was taken, so its "
                      + "catalog copy may list messages its segments no longer hold; \(target) is marked INCOMPLETE: "
                      + "remove it and run `tresor backup` again")
        }
        let archive = report.manifest.archive.map { "archive up to segment \($0.segment) byte \($0.length) (\($0.records) records)" }
            ?? "empty archive"
        do {
            try await compliance.record(
                "backup", detail: "to \(target): \(report.manifest.files.count) files, \(report.manifest.totalBytes) bytes, \(archive)",
                resultCount: report.manifest.files.count, by: actor)
        } catch {
            throw .io("the backup is complete, but auditing it failed: \(error)")
        }
        return report
    }

    /// Checks a backup against its manifest — every listed file there with its size and SHA-256,
    /// nothing else besides the manifest files — and returns the manifest; throws naming every
    /// difference. Changes nothing.
    public static func checkBackup(at backup: URL) async throws(BackupError) -> BackupManifest {
        let root = backup.standardizedFileURL.path
        do {
            return try await BlockingWork.io.run { () throws -> BackupManifest in
                if BackupFiles.identity(of: root + "/" + BackupManifest.incompleteFileName) != nil {
                    throw BackupError.incomplete(path: root)
                }
                guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: root + "/" + BackupManifest.fileName)) else {
                    throw BackupError.notABackup(path: root, reason: "no readable \(BackupManifest.fileName)")
                }
                guard let manifest = BackupManifest.decode(Array(bytes)), manifest.format == BackupManifest.currentFormat else {
                    throw BackupError.notABackup(path: root, reason: "\(BackupManifest.fileName) is not a \(BackupManifest.currentFormat) manifest")
                }
                var problems: [String] = []
                let present = Set(try BackupFiles.listFiles(under: root))
                let listed = Set(manifest.files.map(\.path))
                for extra in present.subtracting(listed).subtracting([BackupManifest.fileName, BackupManifest.sumsFileName]).sorted() {
                    problems.append("\(extra): not in the manifest")
                }
                for file in manifest.files {
                    guard present.contains(file.path) else {
                        problems.append("\(file.path): missing")
                        continue
                    }
                    let actual = try BackupFiles.hash(root + "/" + file.path)
                    if actual.bytes != file.bytes || actual.sha256 != file.sha256 {
                        problems.append("\(file.path): SHA-256 \(actual.sha256) (\(actual.bytes) bytes), the manifest says "
                                        + "\(file.sha256) (\(file.bytes) bytes)")
                    }
                }
                guard problems.isEmpty else { throw BackupError.tampered(problems: problems) }
                return manifest
            }
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("\(error)")
        }
    }

    /// Restores a backup into `destination` (missing or empty): checks it against its manifest
    /// first (nothing is written when a file differs), copies every file with its permission bits,
    /// checking each copy's SHA-256 again, then opens the new data directory, completes what the
    /// catalog copy lacked (`recover`, as `serve` does at start) and audits the restore there.
    public static func restore(backup: URL, into destination: URL, sealKeyPath: String? = nil, by actor: AuditActor,
                               clock: WallClock = .system) async throws(BackupError) -> RestoreReport
    {
        let target = destination.standardizedFileURL.path
        let root = backup.standardizedFileURL.path
        guard BackupFiles.isMissingOrEmpty(target) else { throw .destinationNotEmpty(path: target) }
        let manifest = try await checkBackup(at: backup)
        do {
            try await BlockingWork.io.run { () throws in
                try BackupFiles.makeDirectory(target, mode: 0o700)
                var problems: [String] = []
                for file in manifest.files {
                    let parent = BackupFiles.parent(of: file.path)
                    if !parent.isEmpty {
                        try BackupFiles.makeDirectory(target + "/" + parent, mode: Self.folderMode(parent))
                    }
                    let copied = try BackupFiles.copy(root + "/" + file.path, to: target + "/" + file.path,
                                                      mode: Self.restoredMode(file.mode, path: file.path))
                    if copied.sha256 != file.sha256 { problems.append("\(file.path): changed while it was restored") }
                }
                try BackupFiles.syncDirectories(under: target)
                guard problems.isEmpty else { throw BackupError.tampered(problems: problems) }
            }
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("\(error)")
        }
        let store: MailStore
        do {
            store = try MailStore(dataDirectory: URL(fileURLWithPath: target, isDirectory: true), sealKeyPath: sealKeyPath,
                                  clock: clock)
        } catch {
            throw .io("the files are restored into \(target), but the data directory does not open: \(error)")
        }
        defer { store.close() }
        do {
            let recovery = try await store.delivery.recover()
            try await store.compliance.record(
                "restore", detail: "from \(root): backup of \(manifest.source) taken \(manifest.created), "
                    + "\(manifest.files.count) files", resultCount: manifest.files.count, by: actor)
            return RestoreReport(manifest: manifest, recovery: recovery)
        } catch {
            throw .io("the files are restored into \(target), but completing them failed: \(error)")
        }
    }
}
