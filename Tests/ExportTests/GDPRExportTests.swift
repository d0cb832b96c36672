import Catalog
import Export
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Exports and data protection: a subject-access export (GDPR Art. 15) finds the address in every
/// role across users, restricted messages included, and verifies; a case export leaves out what the
/// private-mail rule marks unless the case names it.
@Suite struct GDPRExportTests {
    static let anna = "anna@example.org", bob = "bob@example.org", jane = "jane@remote.test"

    static func withUsers(_ body: (MailStore, URL, GovernanceSigner) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ExportFixtures.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser(anna, password: "pw", by: .system("test"))
            try await store.accounts.addUser(bob, password: "pw", by: .system("test"))
            let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("admin", role: .admin))
            try await body(store, dir, admin)
        }
    }

    static func header(from: String = "carl@remote.test", to: String = "anna@example.org", cc: String? = nil,
                       bcc: String? = nil, subject: String) -> [UInt8] {
        var text = "From: \(from)\r\nTo: \(to)\r\n"
        if let cc { text += "Cc: \(cc)\r\n" }
        if let bcc { text += "Bcc: \(bcc)\r\n" }
        text += "Subject: \(subject)\r\nDate: Tue, 3 Jun 2025 09:00:00 +0000\r\n"
            + "Message-ID: <\(subject.replacingOccurrences(of: " ", with: "."))@remote.test>\r\n\r\nText.\r\n"
        return Array(text.utf8)
    }

    @discardableResult
    static func deliver(_ raw: [UInt8], mailFrom: String = "carl@remote.test", to recipients: [String],
                        store: MailStore) async throws -> String {
        let envelope = Envelope(mailFrom: mailFrom, recipients: recipients, receivedAt: Date(timeIntervalSince1970: 1_750_000_000),
                                direction: .inbound, source: MessageSource("smtp"))
        return try await store.delivery.deliver(message: raw, envelope: envelope).receipt.sha256
    }

    @Test func subjectAccessFindsTheAddressInEveryRoleAcrossUsers() async throws {
        try await Self.withUsers { store, dir, admin in
            let fromJane = try await Self.deliver(Self.header(from: Self.jane, subject: "from jane"), to: [Self.anna],
                                                  store: store)
            try await Self.deliver(Self.header(to: "Jane <JANE@remote.test>", subject: "to jane"), to: [Self.bob],
                                   store: store)
            try await Self.deliver(Self.header(cc: Self.jane, subject: "cc jane"), to: [Self.bob], store: store)
            try await Self.deliver(Self.header(bcc: Self.jane, subject: "bcc jane"), to: [Self.anna], store: store)
            // Only the envelope names her: as sender, and as a recipient the headers do not show.
            try await Self.deliver(Self.header(subject: "envelope sender"), mailFrom: Self.jane, to: [Self.bob],
                                   store: store)
            try await Self.deliver(Self.header(subject: "envelope recipient"), to: [Self.anna, Self.jane], store: store)
            try await Self.deliver(Self.header(subject: "unrelated"), to: [Self.anna, Self.bob], store: store)
            _ = try await store.compliance.placeRestriction("dsr", query: "subject:\"from jane\"", reason: "Art. 18",
                                                            by: admin)

            let out = dir.appendingPathComponent("access")
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .subjectAccess(address: "Jane@Remote.test"), format: .eml, destination: out,
                              actor: .system("dpo")))
            #expect(summary.record.selection.kind == .subjectAccess)
            #expect(summary.record.counts.messages == 6)
            let rows = try ManifestCSV.decode(Array(try Data(contentsOf: out.appendingPathComponent("manifest.csv"))))
            #expect(Set(rows.map(\.subject)) == ["from jane", "to jane", "cc jane", "bcc jane", "envelope sender",
                                                  "envelope recipient"])
            #expect(rows.contains { $0.sha256 == fromJane }, "restricted, yet part of the access export")

            let access = try #require(summary.record.selection.subjectAccess)
            #expect(access.address == Self.jane)
            #expect(access.messages == 6 && access.restrictedMessages == 1)
            let roles = Dictionary(uniqueKeysWithValues: access.byRole.map { ($0.name, $0.messages) })
            #expect(roles["from"] == 1 && roles["to"] == 1 && roles["cc"] == 1)
            #expect(roles["envelope-from"] == 1)
            #expect(roles["envelope-to"] == 1)
            #expect(roles["bcc"] == 2, "the header Bcc and the recipient only the envelope names")
            let folders = Dictionary(uniqueKeysWithValues: access.byFolder.map { ($0.name, $0.messages) })
            #expect(folders["anna@example.org:INBOX"] == 3 && folders["bob@example.org:INBOX"] == 3)
            #expect(access.byYear.map(\.name) == ["2025"])

            // The summary is inside the signed record: verify-export checks it like any export.
            #expect(ExportVerifier.verify(directory: out).isValid)
            let decoded = try ExportRecord.decode(Array(try Data(contentsOf: out.appendingPathComponent("export.json"))))
            #expect(decoded.selection.subjectAccess == access)
            let audit = try await store.catalog.governance.auditLog()
            #expect(audit.contains { $0.action == "export start" && $0.detail.contains("subject-access=") })
        }
    }

    @Test func aCaseExportLeavesPrivateMailOutUnlessTheCaseNamesIt() async throws {
        try await Self.withUsers { store, dir, admin in
            let personal = try await Self.deliver(Self.header(subject: "contract personal"), to: [Self.anna], store: store)
            let business = try await Self.deliver(Self.header(subject: "contract business"), to: [Self.anna], store: store)
            try await store.mailboxes.createMailbox("Privat", of: Self.anna)
            _ = try await store.mailboxes.moveMessages(uids: [1...1], from: "INBOX", to: "Privat", of: Self.anna,
                                                       by: .system("test"))
            _ = try await store.compliance.placeHold("case-7", query: "subject:contract", reason: "audit", by: admin)
            #expect(try await store.compliance.privateMessages().isEmpty, "no rule, nothing private")
            _ = try await store.compliance.setPrivateMailRule(PrivateMailRule(folder: "Privat"), by: admin)
            #expect(try await store.compliance.privateMessages() == [personal])

            let out = dir.appendingPathComponent("case")
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .legalHold(name: "case-7"), format: .eml, destination: out, actor: .system("counsel")))
            let rows = try ManifestCSV.decode(Array(try Data(contentsOf: out.appendingPathComponent("manifest.csv"))))
            #expect(rows.map(\.sha256) == [business])
            #expect(summary.record.selection.privateMessagesLeftOut == 1)
            #expect(ExportVerifier.verify(directory: out).isValid)

            let named = dir.appendingPathComponent("case-named")
            let all = try await Exporter(store: store).export(
                ExportRequest(selection: .legalHold(name: "case-7"), format: .eml, destination: named,
                              actor: .system("counsel"), includePrivate: true))
            #expect(all.record.counts.messages == 2)
            #expect(all.record.selection.includePrivate == true && all.record.selection.privateMessagesLeftOut == nil)
            #expect(ExportVerifier.verify(directory: named).isValid)
            let audit = try await store.catalog.governance.auditLog()
            #expect(audit.contains { $0.action == "export start" && $0.detail.contains("private=included") })

            // A keyword rule; every version of the rule stays in the chain, and the catalog agrees.
            _ = try await store.mailboxes.storeFlags(["$Private"], mode: .add, uids: [2...2], in: "INBOX", of: Self.anna)
            _ = try await store.compliance.setPrivateMailRule(PrivateMailRule(keyword: "$private"), by: admin)
            #expect(try await store.compliance.privateMessages() == [business])
            await #expect(throws: ComplianceError.self) {
                _ = try await store.compliance.setPrivateMailRule(PrivateMailRule(keyword: "\\Seen"), by: admin)
            }
            let chain = try await store.compliance.governanceFromArchive()
            #expect(chain.privateMail?.rule == PrivateMailRule(keyword: "$private"))
            let (differences, _) = try await store.compliance.governanceDifferences(from: chain)
            #expect(differences.isEmpty, "\(differences)")
        }
    }
}
