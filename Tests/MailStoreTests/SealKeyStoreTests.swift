import Foundation
@testable import MailStore
import Testing
import TestSupport

/// The store's seal keys: a data directory made with the private key elsewhere, the trusted keys
/// after a rotation, the rotation audited, and what exports are signed with.
@Suite struct SealKeyStoreTests {
    @Test func trustedKeysFollowARotationAndExportsSignWithTheNewKey() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let sealKey = dir.appendingPathComponent("secret/seal.key").path
            let root = try await MailStore.initialise(dataDirectory: data, sealKeyPath: sealKey, by: .system("test"))
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("keys/archive.ed25519").path))
            #expect(MailStore.sealKeyPath(dataDirectory: data) == sealKey)

            let store = try MailStore(dataDirectory: data)
            defer { store.close() }
            #expect(try await store.trustedSealKeys().map(\.hex) == [root])
            let rotation = try await store.rotateSealKey(by: .system("custodian"))
            #expect(rotation.record.old == root)
            #expect(try await store.trustedSealKeys().map(\.hex) == [root, rotation.record.new])
            #expect(try MailStore.sealKeyChain(dataDirectory: data).keys.map(\.hex) == [root, rotation.record.new])
            #expect(try await store.compliance.exportSigner().publicKeyHex == rotation.record.new)
            let head = try #require(try await store.compliance.signedHead())
            #expect(head.isSigned(by: try #require(ArchivePublicKey(hex: rotation.record.new))))
            let audit = try await store.catalog.governance.auditLog()
            #expect(audit.contains { $0.action == "key rotate" && $0.actor == "system:custodian"
                && $0.detail.contains(rotation.record.new) })
            let report = await MailStore.verify(dataDirectory: data, publicKey: root)
            #expect(report.isValid, "\(String(describing: report.archive.problem)) \(report.findings)")
        }
    }
}
