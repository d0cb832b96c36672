import ArchiveStore
import Foundation
@testable import MailStore
import StoreModel
import Testing
import TestSupport

/// Governance records someone with a shell could append themselves — with the seal key from
/// `DATA/keys`, with a key of their own under an operator's name, or altered after signing — are
/// not applied when the chain is folded, and `tresor verify` names each of them.
@Suite struct GovernanceRecordTests {
    /// Appends `action`, signed by `sign` as `signer` with `key`, straight to the archive.
    static func forge(_ action: GovernanceAction, as signer: String, key: String, store: MailStore,
                      alter: (inout GovernanceRecord) -> Void = { _ in },
                      sign: ([UInt8]) -> [UInt8]) async throws {
        var record = GovernanceRecord(signer: signer, key: key, at: Date(), action: action)
        record.signature = Hex.string(sign(record.signedBytes))
        alter(&record)
        _ = try await store.archive.append(event: .governance, payload: record.canonicalJSON())
    }

    @Test func forgedReleasesAreNotAppliedAndVerifyNamesThem() async throws {
        try await ResolutionTests.withAccounts { store in
            let alice = try await store.compliance.enrolOperator("alice", role: .admin)
            _ = try await store.compliance.placeHold("acme", query: "subject:contract", reason: "lawsuit", by: .operatorKey(alice))
            let release = GovernanceAction.holdReleased(name: "acme", reason: "settled")

            // The seal key signs only what keeps more.
            let seal = try await store.archive.currentSealKey().key
            try await Self.forge(release, as: GovernanceRecord.systemSigner, key: seal.publicKeyHex, store: store,
                                 sign: seal.sign)
            // A key of one's own under alice's name.
            let mallory = OperatorKey(generatingFor: "alice")
            try await Self.forge(release, as: "alice", key: mallory.publicKeyHex, store: store, sign: mallory.sign)
            // Alice's real signature on another action.
            try await Self.forge(.holdReleased(name: "acme", reason: "typo"), as: "alice", key: alice.publicKeyHex,
                                 store: store, alter: { $0.action = release }, sign: alice.sign)
            // A second "first admin" vouching for itself.
            let usurper = OperatorKey(generatingFor: "root")
            try await Self.forge(.operatorAdded(OperatorRecord(name: "root", role: .admin, publicKey: usurper.publicKeyHex)),
                                 as: "root", key: usurper.publicKeyHex, store: store, sign: usurper.sign)

            let chain = try await store.compliance.governanceFromArchive()
            #expect(chain.holds["acme"]?.isActive == true)
            #expect(chain.operators.keys.sorted() == ["alice"])
            let reasons = chain.problems.map(\.reason)
            #expect(reasons.count == 4, "\(reasons)")
            #expect(reasons.contains("hold release needs an operator's key") || reasons.contains { $0.contains("needs an operator") },
                    "\(reasons)")
            #expect(reasons.contains("signed with a key that is not operator alice's"), "\(reasons)")
            #expect(reasons.contains("the signature does not check"), "\(reasons)")
            #expect(reasons.contains("root is no operator"), "\(reasons)")

            let report = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(!report.isValid)
            #expect(report.findings.filter { $0.area == "governance" }.count == 4, "\(report.findings)")
        }
    }

    /// After a rotation of the seal key, what the server signs is signed with the new key, and both
    /// the records signed before and after it are the archive's own.
    @Test func systemRecordsFollowTheChainOfSealKeys() async throws {
        try await ResolutionTests.withAccounts { store in
            let lock = RetentionLockRecord(policy: "gobd", match: "*", retain: "10y", countFrom: "received", action: "purge",
                                           file: "pol/gobd.toml", recordedAt: Date())
            try await store.compliance.updateRetentionLocks(record: [lock], forget: [], by: .system("test"))
            _ = try await store.rotateSealKey(by: .system("test"))
            var longer = lock
            longer.retain = "12y"
            try await store.compliance.updateRetentionLocks(record: [longer], forget: [], by: .system("test"))
            let chain = try await store.compliance.governanceFromArchive()
            #expect(chain.problems.isEmpty, "\(chain.problems)")
            #expect(chain.locks["gobd"]?.retain == "12y")
            let report = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(report.isValid, "\(report.findings) \(String(describing: report.archive.problem))")
        }
    }

    @Test func theChainDecidesWhatAPurgeMayRelyOn() async throws {
        try await ResolutionTests.withAccounts { store in
            let alice = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("alice", role: .admin))
            let delivered = try await PurgeTests.deliver(PurgeTests.large("contract", seed: 9), to: [PurgeTests.anna], store: store)
            _ = try await store.compliance.placeHold("acme", query: "subject:contract", reason: "lawsuit", by: alice)
            // The catalog forgets the hold: a hand edit of its SQLite file.
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM legal_hold'); c.commit()",
                [store.dataDirectory.appendingPathComponent("catalog.sqlite").path])
            #expect(try await store.compliance.holds(includeReleased: true, by: .system("test")).isEmpty)
            let item = PurgeItem(sha256: delivered.receipt.sha256, policy: "p", scope: .archiveAndMailboxes)
            await #expect(throws: ComplianceError.self) {
                _ = try await store.compliance.purge([item], reason: "early", by: alice)
            }
            #expect(try store.archive.readBody(sha256: delivered.receipt.sha256) != nil)
            // The server's own key orders no purge while auto_purge is off.
            try await store.catalog.governance.rebuildGovernance(from: try await store.compliance.governanceFromArchive())
            await #expect(throws: ComplianceError.self) {
                _ = try await store.compliance.purge([item], reason: "auto", by: .system("retention planner"))
            }
            #expect(try store.archive.readBody(sha256: delivered.receipt.sha256) != nil)
        }
    }

    /// A crash between journaling a governance action and caching it (before its audit event):
    /// `verify` counts the record as awaiting recovery, recovery caches it, and from then on the
    /// same row deleted by hand is a finding again.
    @Test func aGovernanceRecordACrashLeftUncachedIsRecoveredNotReported() async throws {
        try await ResolutionTests.withAccounts { store in
            let alice = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("alice", role: .admin))
            _ = try await store.compliance.placeHold("early", query: "subject:a", reason: "r", by: alice)
            // The process dies right after the record is journaled: no catalog row, no audit event.
            _ = try await store.compliance.journalGovernance(.holdPlaced(name: "acme", query: "subject:contract",
                                                                         reason: "lawsuit"), by: alice)
            let crashed = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(crashed.isValid, "\(crashed.findings)")
            #expect(crashed.governanceAwaitingRecovery == 1)

            let report = try await store.delivery.recover()
            #expect(report.governanceMended == 1)
            #expect(try await store.catalog.governance.legalHold(named: "acme") != nil)
            let recovered = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(recovered.isValid && recovered.governanceAwaitingRecovery == 0, "\(recovered.findings)")

            // After recovery the record is behind the checkpoint: deleting its row is tampering.
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"DELETE FROM legal_hold WHERE name = 'acme'\"); c.commit()",
                [store.dataDirectory.appendingPathComponent("catalog.sqlite").path])
            let tampered = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(!tampered.isValid && tampered.findings.contains { $0.detail.contains("hold acme (active) is missing") },
                    "\(tampered.findings)")
            // An older hold's row, followed by its own audit event, is a finding even before any recovery.
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"DELETE FROM legal_hold WHERE name = 'early'\"); c.commit()",
                [store.dataDirectory.appendingPathComponent("catalog.sqlite").path])
            let older = await MailStore.verify(dataDirectory: store.dataDirectory)
            #expect(older.findings.contains { $0.detail.contains("hold early (active) is missing") }, "\(older.findings)")
        }
    }
}
