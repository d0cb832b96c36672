import ArgumentParser
import Foundation
import MailServer
import MailStore

/// `tresor backup DIR`: a consistent copy of the whole data directory, taken while `serve` runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the data directory (catalog, keys, archive) into a new folder, while the server runs.",
        discussion: """
            Copies the catalog through SQLite's online backup, then the archive's sealed segments, \
            then — holding the archive writers off for a moment — the active segment, HEAD, keys/, \
            anchors/ and tls/, so that the copy's catalog never names a record its segments lack. \
            Mail keeps flowing meanwhile. DIR must be new or empty. DIR/backup.json lists every \
            file with its SHA-256 (DIR/SHA256SUMS too, for `sha256sum -c`). A private seal key \
            kept outside the data directory is not copied: the output says where it is. Restore \
            with `tresor restore DIR NEWDIR`. Audited.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Argument(help: ArgumentHelp("The new or empty folder to write the backup into.", valueName: "dir"))
    var directory: String

    func run() async throws {
        let located = try data.configuration()
        let configuration = located.configuration
        let url = try data.location(located).requireInitialised()
        let destination = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        let started = ContinuousClock.now
        let store = try MailStore(dataDirectory: url, sealKeyPath: configuration.archive.sealKey?.path)
        defer { store.close() }
        let report: BackupReport
        do { report = try await store.backup(to: destination, by: actor.auditActor) } catch { throw CommandError("\(error)") }
        let elapsed = ContinuousClock.now - started
        let manifest = report.manifest
        let segments = manifest.files.filter { $0.path.hasPrefix("archive/segment-") }.count
        print("backup of \(url.path) written to \(destination.path): \(manifest.files.count) files, "
              + "\(ByteSize.text(manifest.totalBytes)) (catalog, \(segments) segment(s), HEAD, keys, anchors, tls)")
        if let archive = manifest.archive {
            print("archive: up to segment \(archive.segment) byte \(archive.length), \(archive.records) records, chain \(archive.chain)")
        }
        print("manifest: \(destination.appendingPathComponent(BackupManifest.fileName).path) "
              + "(SHA-256 of every file; \(BackupManifest.sumsFileName) for sha256sum -c)")
        if let outside = manifest.sealKeyOutside {
            print("note: the private seal key is kept outside the data directory, at \(outside); it is NOT in this "
                  + "backup — keep a copy of it safe separately, or restored archives cannot be sealed")
        }
        print("took \(Self.seconds(elapsed)) (\(report.copiedAhead) sealed segment(s) copied while mail flowed, "
              + "\(report.copiedUnderLock) with the archive writers held off for "
              + String(format: "%.2f s", report.writersHeldOff) + ")")
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}

/// `tresor restore BACKUP NEWDIR`: a backup checked against its manifest, then copied into a new
/// data directory.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Check a backup against its manifest and restore it into a new data directory.",
        discussion: """
            Refuses a backup whose files differ from backup.json (each altered, missing or added \
            file is named) and a NEWDIR that is not empty; nothing is overwritten. Copies every \
            file with its permissions, then opens the new data directory once: deliveries and \
            audit events the archive copy holds beyond the catalog copy are completed, as \
            `tresor serve` does at every start, and the restore is audited there. Then run \
            `tresor verify --data-dir NEWDIR` and point data_dir at NEWDIR.
            """
    )

    @OptionGroup var actor: ActorOption
    @Argument(help: ArgumentHelp("The backup folder (written by `tresor backup`).", valueName: "backup"))
    var backup: String
    @Argument(help: ArgumentHelp("The new or empty folder to restore into.", valueName: "newdir"))
    var directory: String

    func run() async throws {
        let source = URL(fileURLWithPath: backup, isDirectory: true).standardizedFileURL
        let destination = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        let report: RestoreReport
        do {
            report = try await MailStore.restore(backup: source, into: destination, by: actor.auditActor)
        } catch {
            throw CommandError("\(error)")
        }
        let manifest = report.manifest
        print("checked \(manifest.files.count) files against \(BackupManifest.fileName): all match")
        print("restored the backup of \(manifest.source) taken \(manifest.created) into \(destination.path) "
              + "(\(ByteSize.text(manifest.totalBytes)))")
        if report.recovery.indexed > 0 || report.recovery.auditListed > 0 {
            print("completed \(report.recovery.indexed) delivery(ies) and \(report.recovery.auditListed) audit event(s) "
                  + "the archive copy held beyond the catalog copy")
        }
        if let outside = manifest.sealKeyOutside {
            print("note: the private seal key is read from \(outside), outside the data directory")
        }
        print("next: tresor verify --data-dir \(destination.path)")
    }
}
