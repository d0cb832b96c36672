import ArchiveStore
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// `MailStore.backup` and `restore` on an archive of several sealed segments, taken while an
/// import appends: the sealed segments are copied ahead, the rest under the writers' lock, and the
/// restored copy verifies.
@Suite struct BackupTests {
    /// The manifest is a checksum list anyone who can edit the backup can rewrite: the modes it asks
    /// for are capped, so a doctored one cannot make the catalog world-writable, a file set-id, or a
    /// key readable by others.
    @Test func restoredModesAreCappedWhateverTheManifestSays() {
        #expect(MailStore.restoredMode(0o644, path: "catalog.sqlite") == 0o644)
        #expect(MailStore.restoredMode(0o666, path: "catalog.sqlite") == 0o644)
        #expect(MailStore.restoredMode(0o4755, path: "archive/segment-000001.seg") == 0o755)
        #expect(MailStore.restoredMode(0o444, path: "archive/segment-000001.seg") == 0o444)
        #expect(MailStore.restoredMode(0o644, path: "keys/archive.ed25519") == 0o600)
        #expect(MailStore.restoredMode(0o600, path: "keys/dkim/example.org/key.pem") == 0o600)
    }

    @Test func sealedSegmentsAreCopiedAheadAndTheRestoredCopyVerifies() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data", isDirectory: true)
            let keys = data.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            _ = try ArchiveKey.create(inKeysDirectory: keys)
            var small = ArchiveConfiguration()
            small.segmentSizeLimit = 4096  // a few messages a segment, so that some are sealed
            let store = try MailStore(dataDirectory: data, archiveConfiguration: small)
            defer { store.close() }
            try await AnchorTests.importMessages(0..<40, into: store)

            let appending = Task { try await AnchorTests.importMessages(40..<80, into: store) }
            let report = try await store.backup(to: dir.appendingPathComponent("backup"), by: .system("test"))
            try await appending.value

            #expect(report.copiedAhead >= 2)
            #expect(report.copiedUnderLock >= 1)
            #expect(report.manifest.sealKeyOutside == nil)
            let paths = Set(report.manifest.files.map(\.path))
            #expect(paths.isSuperset(of: ["catalog.sqlite", "archive/HEAD", "keys/archive.ed25519", "keys/archive.ed25519.pub"]))
            #expect(!paths.contains("archive/LOCK"))
            // Sealed segments keep their read-only mode in the manifest.
            #expect(report.manifest.files.filter { $0.path.hasPrefix("archive/segment-") }.contains { $0.mode == 0o444 })

            let restored = dir.appendingPathComponent("restored", isDirectory: true)
            let restore = try await MailStore.restore(backup: dir.appendingPathComponent("backup"), into: restored,
                                                      by: .system("test"))
            #expect(restore.manifest == report.manifest)
            let verification = await MailStore.verify(dataDirectory: restored)
            #expect(verification.isValid, "\(verification.findings)")
            let status = try await MailStore.status(dataDirectory: restored, serverRunning: false)
            #expect(status.archive.sealedSegments >= 2)
            #expect(status.archive.messages >= 40)
            #expect(status.archive.lastSeal != nil)
        }
    }
}
