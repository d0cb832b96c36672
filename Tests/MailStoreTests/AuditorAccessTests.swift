import Foundation
@testable import MailStore
import StoreModel
import Testing
import TestSupport

/// Auditors' IMAP access is governance: who may set a password, a scope or a saved search, what
/// the fold keeps, what `verify` compares and what `reindex` rebuilds.
@Suite struct AuditorAccessTests {
    static func refused(_ body: () async throws -> Void) async -> Bool {
        do {
            try await body()
            return false
        } catch ComplianceError.governance(.refused) {
            return true
        } catch {
            return false
        }
    }

    @Test func onlyTheOperatorOrAnAdminSetsAPasswordAndOnlyGovernorsSetAScope() async throws {
        try await ResolutionTests.withAccounts { store in
            let compliance = store.compliance
            let admin = GovernanceSigner.operatorKey(try await compliance.enrolOperator("root", role: .admin))
            let carol = GovernanceSigner.operatorKey(try await compliance.enrolOperator("carol", role: .auditor, by: admin))
            let erin = GovernanceSigner.operatorKey(try await compliance.enrolOperator("erin", role: .auditor, by: admin))
            let officer = GovernanceSigner.operatorKey(try await compliance.enrolOperator("olga", role: .compliance, by: admin))
            _ = try await compliance.placeHold("acme", query: "subject:contract", reason: "lawsuit", by: admin)

            // Another auditor, or a compliance officer, cannot give themselves carol's login.
            #expect(await Self.refused { try await compliance.setOperatorPassword("carol", password: "x", by: erin) })
            #expect(await Self.refused { try await compliance.setOperatorPassword("carol", password: "x", by: officer) })
            // An admin has no IMAP access of their own.
            #expect(await Self.refused { try await compliance.setOperatorPassword("root", password: "x", by: admin) })
            // An auditor does not widen their own scope.
            #expect(await Self.refused { try await compliance.setAuditorScope("carol", cases: ["acme"], query: nil, by: carol) })
            try await compliance.setOperatorPassword("carol", password: "first", by: carol)
            try await compliance.setOperatorPassword("carol", password: "second", by: admin)
            try await compliance.setAuditorScope("carol", cases: ["acme"], query: "from:boss@example.org", by: officer)
            try await compliance.saveAuditorSearch("carol", search: "mine", query: "subject:invoice", by: carol)
            try await compliance.saveAuditorSearch("carol", search: "gone", query: "subject:x", by: admin)
            try await compliance.removeAuditorSearch("carol", search: "gone", by: carol)
            await #expect(throws: ComplianceError.self) {
                try await compliance.setAuditorScope("carol", cases: ["no such case"], query: nil, by: officer)
            }

            // The fold keeps the newest password: the second one logs in, the first no longer.
            #expect(await compliance.authenticateAuditor("carol", password: "second", client: "192.0.2.1",
                                                         protocolName: "test") == "carol")
            #expect(await compliance.authenticateAuditor("carol", password: "first", client: "192.0.2.1",
                                                         protocolName: "test") == nil)
            let chain = try await compliance.governanceFromArchive()
            let access = try #require(chain.access["carol"])
            #expect(access.scope == AuditorScopeDefinition(cases: ["acme"], query: "from:boss@example.org"))
            #expect(access.searches == ["mine": "subject:invoice"])
            #expect(chain.problems.isEmpty, "\(chain.problems)")
            let (differences, _) = try await compliance.governanceDifferences(from: chain)
            #expect(differences.isEmpty, "\(differences)")

            // Revoked: no login, no scope.
            try await compliance.revokeOperator("carol", reason: "done", by: admin)
            #expect(await compliance.authenticateAuditor("carol", password: "second", client: "192.0.2.1",
                                                         protocolName: "test") == nil)
            #expect(try await compliance.auditorScope(of: "carol") == nil)
        }
    }

    @Test func aScopeOnlyTheCatalogHasIsADifferenceAndReindexRestoresTheChainsOwn() async throws {
        try await ResolutionTests.withAccounts { store in
            let compliance = store.compliance
            let admin = GovernanceSigner.operatorKey(try await compliance.enrolOperator("root", role: .admin))
            _ = try await compliance.enrolOperator("carol", role: .auditor, by: admin)
            try await compliance.setOperatorPassword("carol", password: "pw", by: admin)
            try await compliance.setAuditorScope("carol", cases: [], query: "subject:contract", by: admin)
            // Someone with the catalog file widens carol's scope by hand.
            _ = try await ChildProcess.python(
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                    + "c.execute(\"UPDATE operator_access SET scope = '{\\\"cases\\\":[],\\\"query\\\":\\\"from:*\\\"}'\"); c.commit()",
                [store.dataDirectory.appendingPathComponent("catalog.sqlite").path])
            let chain = try await compliance.governanceFromArchive()
            let (differences, _) = try await compliance.governanceDifferences(from: chain)
            #expect(differences.contains { $0.contains("carol's scope differs") }, "\(differences)")
            _ = try await store.delivery.reindex()
            #expect(try await compliance.auditorScope(of: "carol")?.definition.query == "subject:contract")
            #expect(try await compliance.governanceDifferences(from: chain).differences.isEmpty)
        }
    }

    @Test func restrictedAndPrivateMailStayOutOfAScopeUnlessItIncludesRestrictedMail() async throws {
        try await ResolutionTests.withAccounts { store in
            let compliance = store.compliance
            let admin = GovernanceSigner.operatorKey(try await compliance.enrolOperator("root", role: .admin))
            _ = try await compliance.enrolOperator("carol", role: .auditor, by: admin)
            try await compliance.setOperatorPassword("carol", password: "pw", by: admin)
            func deliver(_ subject: String, from sender: String) async throws -> String {
                let raw = Array("From: \(sender)\r\nTo: anna@example.org\r\nSubject: \(subject)\r\n"
                                    .appending("Message-ID: <\(subject.replacingOccurrences(of: " ", with: "."))@example.org>\r\n\r\nbody\r\n").utf8)
                let outcome = try await store.delivery.deliver(message: raw, envelope: DeliveryTests.envelope(to: ["anna@example.org"]))
                return outcome.receipt.sha256
            }
            let plain = try await deliver("contract one", from: "ben@remote.test")
            let restricted = try await deliver("contract two", from: "jane@remote.test")
            let personal = try await deliver("contract three", from: "mum@remote.test")
            _ = try await store.mailboxes.createMailbox("Privat", of: "anna@example.org")
            let inbox = try await store.mailboxes.snapshot("INBOX", of: "anna@example.org").messages
            let personalUID = try #require(inbox.first { $0.sha256 == personal }?.uid)
            _ = try await store.mailboxes.moveMessages(uids: [personalUID...personalUID], from: "INBOX", to: "Privat",
                                                       of: "anna@example.org", by: .system("test"))
            _ = try await compliance.placeRestriction("dsr-1", query: "from:jane@remote.test", reason: "Art. 18", by: admin)
            _ = try await compliance.setPrivateMailRule(PrivateMailRule(folder: "Privat"), by: admin)

            func shown() async throws -> Set<String> {
                let scope = try #require(try await compliance.auditorScope(of: "carol"))
                var seen: Set<String> = []
                for folder in try await compliance.auditorFolders(of: scope) {
                    for message in try await compliance.auditorFolder(folder, of: scope)?.messages ?? [] {
                        seen.insert(message.sha256)
                    }
                }
                return seen
            }
            try await compliance.setAuditorScope("carol", cases: [], query: "subject:contract", by: admin)
            #expect(try await shown() == [plain])
            try await compliance.setAuditorScope("carol", cases: [], query: "subject:contract", includeRestricted: true,
                                                 by: admin)
            #expect(try await shown() == [plain, restricted])
            // A guessed UID of private mail reads nothing either.
            let scope = try #require(try await compliance.auditorScope(of: "carol"))
            let ids = try await compliance.auditorFolder(.search("x"), of: scope)
            #expect(ids == nil)
        }
    }

    @Test func foldersAreNamedAndParsedBothWays() {
        for folder in [AuditorFolder.inbox, .caseFolder("acme/2024"), .month(year: 2026, month: 3), .search("mine")] {
            #expect(AuditorFolder(name: folder.name) == folder)
        }
        #expect(AuditorFolder(name: "Archive/2026/13") == nil)
        #expect(AuditorFolder(name: "Drafts") == nil)
        #expect(AuditorFolder(name: "Searches/a/b") == nil)
    }
}
