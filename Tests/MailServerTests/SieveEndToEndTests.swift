import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// Sieve filing end to end: a message sent with Python's smtplib to the running server is filed as
/// the recipient's Sieve script says — into the folder it names, with the flags it sets — and a
/// script that fails at run time still delivers into INBOX.
@Suite struct SieveEndToEndTests {
    /// Sends each message (a file path) from `sender` to `recipient` over one plain MX session.
    static let sender = #"""
import json, smtplib, sys
host, port, sender, recipient = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = smtplib.SMTP(host, port, local_hostname='client.test')
refused = [s.sendmail(sender, [recipient], open(path, 'rb').read()) for path in sys.argv[5:]]
s.quit()
print(json.dumps(refused))
"""#

    static let script = """
        require ["fileinto", "imap4flags", "mailbox", "variables"];
        if header :contains "subject" "invoice" {
            fileinto :create :flags ["\\\\Flagged", "$Invoice"] "Invoices/2026";
        } elsif header :contains "subject" "broken" {
            fileinto "Archive";
            set "target" "not an address";
            redirect "${target}";
        }
        """

    static func message(_ subject: String, id: String) -> String {
        "From: Carol <carol@remote.test>\r\nTo: alice@localhost\r\nSubject: \(subject)\r\n"
            + "Date: Sun, 29 Nov 2026 10:00:00 +0000\r\nMessage-ID: <\(id)@remote.test>\r\n\r\nHello.\r\n"
    }

    static func send(_ messages: [String], port: Int, in folder: URL) async throws -> String {
        var paths: [String] = []
        for (index, message) in messages.enumerated() {
            let url = folder.appendingPathComponent("message-\(index).eml")
            try Data(message.utf8).write(to: url)
            paths.append(url.path)
        }
        return try await ChildProcess.python(sender, ["127.0.0.1", "\(port)", "carol@remote.test", "alice@localhost"] + paths)
    }

    @Test func smtpDeliveryIsFiledByTheUsersScript() async throws {
        try await withTemporaryDirectory { folder in
            try await ServerHarness.with(users: [("alice@localhost", "correct horse")]) { harness in
                // As `tresor rules` does from another process while the server runs.
                let admin = try MailStore(dataDirectory: harness.dataDirectory)
                try await admin.rules.put("main", source: Self.script, of: "alice@localhost", activate: true, by: .system("test"))
                admin.close()
                let refused = try await Self.send(
                    [Self.message("Your invoice 42", id: "invoice"), Self.message("A broken rule", id: "broken"),
                     Self.message("Lunch?", id: "plain")],
                    port: harness.smtp, in: folder)
                #expect(refused == "[{}, {}, {}]\n")
            } after: { (store: MailStore) async throws in
                let invoice = try await Stored.find(messageID: "invoice@remote.test", user: "alice@localhost", in: store)
                #expect(invoice.inbox.isEmpty)
                let filed = try await store.mailboxes.messages(in: "Invoices/2026", of: "alice@localhost")
                #expect(filed.map(\.sha256) == [invoice.hit.id])
                #expect(filed.first?.flags == ["\\Flagged", "$Invoice"])
                // The run-time error: INBOX, nothing in Archive, nothing redirected.
                let broken = try await Stored.find(messageID: "broken@remote.test", user: "alice@localhost", in: store)
                #expect(broken.inbox.count == 1 && broken.inbox.first?.flags == [])
                #expect(try await store.mailboxes.messages(in: "Archive", of: "alice@localhost").isEmpty)
                #expect(try await store.queue.list().isEmpty)
                let plain = try await Stored.find(messageID: "plain@remote.test", user: "alice@localhost", in: store)
                #expect(plain.inbox.count == 1)
                #expect(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").count == 2)
            }
        }
    }

    /// editheader (RFC 5293) end to end: alice's script adds X-Filed and deletes X-Spam-Flag,
    /// then files; over IMAP her copy shows the edited header while bob, a recipient of the same
    /// SMTP transaction, reads the original; the archive holds both and search finds both.
    @Test func editheaderCopyIsWhatTheUserReadsOverIMAP() async throws {
        let users = [("alice@localhost", "correct horse"), ("bob@localhost", "battery staple")]
        let message = "From: Carol <carol@remote.test>\r\nTo: alice@localhost, bob@localhost\r\n"
            + "Subject: Cheap offer\r\nX-Spam-Flag: YES\r\nMessage-ID: <edited@remote.test>\r\n\r\nBuy now.\r\n"
        try await withTemporaryDirectory { folder in
            try await ServerHarness.with(users: users) { harness in
                let admin = try MailStore(dataDirectory: harness.dataDirectory)
                try await admin.rules.put("main", source: """
                    require ["editheader", "fileinto", "mailbox"];
                    addheader "X-Filed" "yes";
                    deleteheader "X-Spam-Flag";
                    if not exists "X-Spam-Flag" { fileinto :create "Offers"; }
                    """, of: "alice@localhost", activate: true, by: .system("test"))
                admin.close()
                let url = folder.appendingPathComponent("edited.eml")
                try Data(message.utf8).write(to: url)
                let sent = try await ChildProcess.python(#"""
                    import json, smtplib, sys
                    s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), local_hostname='client.test')
                    refused = s.sendmail('carol@remote.test', ['alice@localhost', 'bob@localhost'], open(sys.argv[3], 'rb').read())
                    s.quit()
                    print(json.dumps(refused))
                    """#, ["127.0.0.1", "\(harness.smtp)", url.path])
                #expect(sent == "{}\n")
                let port = "\(harness.imap)"
                let answers = try await IMAPEndToEndTests.imap([
                    ["a", "connect", port, "plain"], ["a", "login", "alice@localhost", "correct horse"],
                    ["a", "select", "Offers"], ["a", "uid", "FETCH", "1:*", "(BODY.PEEK[HEADER])"],
                    ["b", "connect", port, "plain"], ["b", "login", "bob@localhost", "battery staple"],
                    ["b", "select", "INBOX"], ["b", "uid", "FETCH", "1:*", "(BODY.PEEK[HEADER])"],
                ])
                let alice = String(decoding: answers[3][1].literals.first ?? [], as: UTF8.self)
                let bob = String(decoding: answers[7][1].literals.first ?? [], as: UTF8.self)
                #expect(alice.contains("X-Filed: yes\r\n"))
                #expect(!alice.contains("X-Spam-Flag"))
                #expect(alice.contains("Received: "))  // the trace fields stay
                #expect(bob.contains("X-Spam-Flag: YES\r\n"))
                #expect(!bob.contains("X-Filed"))
            } after: { (store: MailStore) async throws in
                var sources: [String] = []
                try store.archive.forEachRecord { record in
                    if let envelope = record.envelope { sources.append(envelope.source.description) }
                }
                #expect(sources == ["smtp", "editheader"])
                let found = try await store.compliance.search(try SearchQuery(parsing: "offer"), by: .system("test"))
                #expect(found.count == 2)
                #expect(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").isEmpty)
            }
        }
    }
}
