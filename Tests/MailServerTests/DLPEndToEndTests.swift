import DataLossPrevention
import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// Data-loss prevention end to end: rule files in a folder, the real server, Python's smtplib
/// submitting as alice (authenticated, STARTTLS) to a remote and a local recipient.
@Suite struct DLPEndToEndTests {
    static let users = [("alice@localhost", "correct horse"), ("bob@localhost", "battery staple"),
                        ("compliance@localhost", "audit trail")]

    static let script = #"""
import json, smtplib, ssl, sys
port, cafile, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
recipients = sys.argv[4:]
s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=180)
s.ehlo()
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False
s.starttls(context=ctx)
s.ehlo()
s.login('alice@localhost', 'correct horse')
s.mail('alice@localhost')
for r in recipients:
    s.rcpt(r)
try:
    code, text = s.data(open(path, 'rb').read())
except smtplib.SMTPDataError as error:
    code, text = error.smtp_code, error.smtp_error
print(json.dumps([code, text.decode()]))
s.quit()
"""#

    static func submit(_ message: [UInt8], to recipients: [String], harness: ServerHarness) async throws
        -> FilterClient.Reply
    {
        let file = harness.dataDirectory.deletingLastPathComponent().appendingPathComponent("dlp-\(UUID().uuidString).eml")
        try Data(message).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await ChildProcess.python(
            script, [String(harness.submission), harness.certificate.path, file.path] + recipients)
        let parts = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [Any]
        return FilterClient.Reply(code: parts?.first as? Int ?? 0, text: parts?.last as? String ?? output)
    }

    static func message(id: String, subject: String, body: String) -> [UInt8] {
        Array("""
            From: Alice <alice@localhost>\r
            To: Partner <partner@remote.test>\r
            Subject: \(subject)\r
            Date: Tue, 2 Jan 2024 10:00:00 +0000\r
            Message-ID: <\(id)>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body)\r

            """.utf8)
    }

    /// A server configuration whose `[dlp]` folder holds `rules` as one file.
    static func withRules(_ rules: String, _ body: (TresorConfiguration) async throws -> Void) async throws {
        try await withTemporaryDirectory { folder in
            let dlp = folder.appendingPathComponent("dlp", isDirectory: true)
            try FileManager.default.createDirectory(at: dlp, withIntermediateDirectories: true)
            try rules.write(to: dlp.appendingPathComponent("rules.toml"), atomically: true, encoding: .utf8)
            var configuration = ServerHarness.configuration()
            configuration.dlp.rulesFolder = dlp
            configuration.dlp.rulesPath = "dlp"
            try await body(configuration)
        }
    }

    static let card = "Please charge 4111 1111 1111 1111, exp 12/29."

    static func audit(_ store: MailStore, action: String) async throws -> [AuditEntry] {
        try await store.catalog.governance.auditLog(since: nil, actor: nil, limit: nil).filter { $0.action == action }
    }

    @Test func rejectRefusesWithTheRuleNameAndNeverEchoesTheNumber() async throws {
        try await Self.withRules("""
            [[rule]]
            name = "cards"
            detect = ["payment-card"]
            action = "reject"
            """) { configuration in
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let refused = try await Self.submit(Self.message(id: "card@dlp.test", subject: "order", body: Self.card),
                                                    to: ["partner@remote.test"], harness: harness)
                #expect(refused.code == 550 && refused.text.hasPrefix("5.7.1"), "\(refused)")
                #expect(refused.text.contains("cards"), "\(refused)")
                #expect(!refused.text.contains("4111"), "the reply never carries the number")
                let clean = try await Self.submit(Self.message(id: "clean@dlp.test", subject: "lunch", body: "Lunch at 12?"),
                                                  to: ["partner@remote.test"], harness: harness)
                #expect(clean.code == 250, "\(clean)")
            } after: { store in
                #expect(try await FilterPlacements.of("card@dlp.test", in: store).archived == 0)
                #expect(try await store.queue.list().contains { $0.recipient == "partner@remote.test" })
                let hits = try await Self.audit(store, action: "dlp hit")
                #expect(hits.count == 1 && hits[0].detail.contains("rule cards"), "\(hits)")
            }
        }
    }

    @Test func quarantineArchivesHoldsThenReleaseQueuesAndRejectTellsTheSender() async throws {
        try await Self.withRules("""
            [[rule]]
            name = "ibans-out"
            detect = ["iban", "external-recipient"]
            action = "quarantine"
            """) { configuration in
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                for id in ["held-1@dlp.test", "held-2@dlp.test"] {
                    let reply = try await Self.submit(
                        Self.message(id: id, subject: "payment", body: "IBAN: de89 3704 0044 0532 0130 00"),
                        to: ["partner@remote.test", "bob@localhost"], harness: harness)
                    #expect(reply.code == 250, "\(reply)")
                }
                // Internal mail with an IBAN matches no rule (no external recipient).
                let internalReply = try await Self.submit(
                    Self.message(id: "internal@dlp.test", subject: "payment", body: "IBAN: DE89370400440532013000"),
                    to: ["bob@localhost"], harness: harness)
                #expect(internalReply.code == 250, "\(internalReply)")
            } after: { store in
                let held = try await FilterPlacements.of("held-1@dlp.test", in: store)
                #expect(held.archived == 1, "the record is complete")
                #expect(held.mailboxes == ["bob@localhost/INBOX"], "local recipients get it: \(held.mailboxes)")
                #expect(try await store.queue.list().isEmpty, "nothing leaves before a decision")
                let admin = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("root", role: .admin))
                let officer = GovernanceSigner.operatorKey(
                    try await store.compliance.enrolOperator("olga", role: .compliance, by: admin))
                let entries = try await store.compliance.quarantined(all: false, by: .system("test"))
                #expect(entries.map(\.recipients) == [["partner@remote.test"], ["partner@remote.test"]])
                #expect(entries.allSatisfy { $0.rules == ["ibans-out"] && $0.mailFrom == "alice@localhost" })

                let queued = try await store.compliance.releaseQuarantined(entries[0].id, reason: "invoice approved",
                                                                           by: officer)
                #expect(queued == ["partner@remote.test"])
                let rows = try await store.queue.list()
                #expect(rows.count == 1 && rows[0].recipient == "partner@remote.test" && rows[0].sha256 == entries[0].sha256)

                try await store.compliance.rejectQuarantined(entries[1].id, reason: "account data may not leave",
                                                             by: officer) { bytes, entry in
                    QuarantineRejection.notice(original: bytes, entry: entry, reason: "account data may not leave",
                                               reportingMTA: "mx.tresor.test", date: Date(timeIntervalSince1970: 0))
                }
                #expect(try await store.queue.list().count == 1, "a rejected message is never queued")
                let inbox = try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost")
                #expect(inbox.count == 1, "alice got the delivery status notification")
                if let notice = inbox.first, let bytes = try store.archive.readBody(sha256: notice.sha256) {
                    let text = String(decoding: bytes, as: UTF8.self)
                    #expect(text.contains("Status: 5.7.1") && text.contains("ibans-out"))
                }
                #expect(try await FilterPlacements.of("held-2@dlp.test", in: store).archived == 1,
                        "rejecting keeps the archived record")
                let decided = try await store.compliance.quarantined(all: true, by: .system("test"))
                #expect(decided.map(\.status) == [.released, .rejected])
                await #expect(throws: (any Error).self) {
                    _ = try await store.compliance.releaseQuarantined(entries[1].id, reason: "again", by: officer)
                }
                #expect(try await Self.audit(store, action: "dlp hit").count == 2)
                #expect(try await Self.audit(store, action: "dlp quarantine").count == 2)
                #expect(try await Self.audit(store, action: "quarantine release").count == 1)
                #expect(try await Self.audit(store, action: "quarantine reject").count == 1)

                // verify holds the quarantine to the archive: clean as it is, then two shell edits —
                // a decision turned around without a signature, a held message's row deleted.
                let clean = await MailStore.verify(dataDirectory: store.dataDirectory)
                #expect(!clean.findings.contains { $0.area == "quarantine" }, "\(clean.findings)")
                _ = try await ChildProcess.python("""
                    import sqlite3, sys
                    db = sqlite3.connect(sys.argv[1])
                    db.execute("UPDATE dlp_quarantine SET status = 'rejected' WHERE id = ?", (int(sys.argv[2]),))
                    db.execute("DELETE FROM dlp_quarantine WHERE id = ?", (int(sys.argv[3]),))
                    db.commit()
                    """, [store.dataDirectory.appendingPathComponent("catalog.sqlite").path,
                          String(entries[0].id), String(entries[1].id)])
                let tampered = await MailStore.verify(dataDirectory: store.dataDirectory)
                let findings = tampered.findings.filter { $0.area == "quarantine" }.map(\.detail)
                #expect(findings.contains { $0.hasPrefix("quarantine \(entries[0].id) is listed as rejected, but olga") },
                        "\(findings)")
                #expect(findings.contains { $0.contains("was held by a DLP rule, but the quarantine does not list it") },
                        "\(findings)")
                #expect(findings.contains { $0.contains("decision on quarantine \(entries[1].id)") }, "\(findings)")
            }
        }
    }

    @Test func notifyAndCopyDeliverAndTellCompliance() async throws {
        try await Self.withRules("""
            [[rule]]
            name = "falcon"
            detect = ["regex"]
            pattern = "(?i)project\\\\s+falcon"
            action = "notify"
            notify = "compliance@localhost"

            [[rule]]
            name = "pdf-copy"
            detect = ["attachment-type"]
            types = ["pdf"]
            query = "subject:contract"
            action = "copy"
            copy_to = "compliance@localhost"
            """) { configuration in
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let notified = try await Self.submit(
                    Self.message(id: "falcon@dlp.test", subject: "news", body: "Project  Falcon starts Monday"),
                    to: ["partner@remote.test"], harness: harness)
                #expect(notified.code == 250, "\(notified)")
                let pdf = Array("""
                    From: Alice <alice@localhost>\r
                    To: Partner <partner@remote.test>\r
                    Subject: the contract\r
                    Message-ID: <pdf@dlp.test>\r
                    MIME-Version: 1.0\r
                    Content-Type: multipart/mixed; boundary="b"\r
                    \r
                    --b\r
                    Content-Type: text/plain\r
                    \r
                    attached\r
                    --b\r
                    Content-Type: application/pdf\r
                    Content-Disposition: attachment; filename="contract.pdf"\r
                    Content-Transfer-Encoding: base64\r
                    \r
                    JVBERi0xLjQK\r
                    --b--\r

                    """.utf8)
                let copied = try await Self.submit(pdf, to: ["partner@remote.test"], harness: harness)
                #expect(copied.code == 250, "\(copied)")
            } after: { store in
                let rows = try await store.queue.list()
                #expect(rows.filter { $0.recipient == "partner@remote.test" }.count == 2, "both were sent")
                let inbox = try await store.mailboxes.messages(in: "INBOX", of: "compliance@localhost")
                #expect(inbox.count == 2, "one notice and one copy")
                #expect(try await FilterPlacements.of("pdf@dlp.test", in: store,
                                                      users: ["compliance@localhost"]).mailboxes
                        == ["compliance@localhost/INBOX"], "the copy is the message itself")
                var texts: [String] = []
                for message in inbox {
                    if let bytes = try store.archive.readBody(sha256: message.sha256) {
                        texts.append(String(decoding: bytes, as: UTF8.self))
                    }
                }
                #expect(texts.contains { $0.contains("Subject: DLP rule falcon matched") && !$0.contains("Monday") })
                #expect(try await Self.audit(store, action: "dlp hit").count == 2)
            }
        }
    }

    /// A Sieve redirect to an outside address is outgoing mail too: the card rule keeps the copy
    /// back (audited), the quarantine rule holds it for an operator; the delivery stays archived.
    @Test func sieveRedirectsToOutsideAddressesAreChecked() async throws {
        try await Self.withRules("""
            [[rule]]
            name = "cards"
            detect = ["payment-card"]
            action = "reject"
            [[rule]]
            name = "ibans"
            detect = ["iban"]
            action = "quarantine"
            """) { configuration in
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let admin = try MailStore(dataDirectory: harness.dataDirectory)
                try await admin.rules.put("fwd", source: "redirect \"partner@remote.test\";\nkeep;\n",
                                          of: "alice@localhost", activate: true, by: .system("test"))
                admin.close()
                for (id, body) in [("fwd-card@remote.test", Self.card), ("fwd-iban@remote.test", "DE89370400440532013000"),
                                   ("fwd-plain@remote.test", "nothing to see")] {
                    let reply = try await FilterClient.send(FilterClient.message(id: id, subject: "fwd", body: body),
                                                            to: harness)
                    #expect(reply.code == 250, "\(reply)")
                }
            } after: { store in
                let queued = try await store.queue.list().map(\.recipient)
                #expect(queued == ["partner@remote.test"], "only the plain message was redirected: \(queued)")
                #expect(try await FilterPlacements.of("fwd-card@remote.test", in: store).archived == 1)
                let held = try await store.compliance.quarantined(all: false, by: .system("test"))
                #expect(held.map(\.recipients) == [["partner@remote.test"]] && held.first?.rules == ["ibans"])
                #expect(try await Self.audit(store, action: "dlp hit").count == 2)
            }
        }
    }

    @Test func aRuleFileWithAnErrorStopsTheServerWithFileAndLine() async throws {
        try await Self.withRules("[[rule]]\nname = \"x\"\ndetect = [\"cards\"]\naction = \"reject\"\n") { configuration in
            #expect(throws: DLPLoadError.self) { _ = try configuration.dlp.loadRules() }
            do {
                _ = try configuration.dlp.loadRules()
            } catch let error as DLPLoadError {
                #expect(error.problems.first?.description.hasPrefix("dlp/rules.toml:3: ") == true, "\(error)")
            }
        }
    }
}
