import Catalog
import Foundation
import Logging
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// IMAP end to end: Python's imaplib, a client independent of our code, against the real
/// server in this process, with mail delivered over SMTP (and filed by Sieve) first.
@Suite struct IMAPEndToEndTests {
    /// Runs the steps given as JSON on named imaplib sessions; prints one JSON list with one
    /// `[type, data]` per step. Bytes are text (UTF-8, replaced); literals come back as
    /// `[prefix, base64]`. `idle` sends IDLE, delivers a message over SMTP while idling, and
    /// returns the untagged lines seen before DONE.
    static let client = #"""
import base64, imaplib, json, smtplib, socket, ssl, sys, time
host, steps = sys.argv[1], json.loads(open(sys.argv[2][1:]).read() if sys.argv[2].startswith('@') else sys.argv[2])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
sessions, out = {}, []
def enc(x):
    if x is None: return ''
    if isinstance(x, bytes): return x.decode('utf-8', 'replace')
    if isinstance(x, tuple): return [enc(x[0]), base64.b64encode(x[1]).decode()]
    if isinstance(x, list): return [enc(i) for i in x]
    return x
def arg(a): return base64.b64decode(a[4:]) if isinstance(a, str) and a.startswith('b64:') else a
for step in steps:
    name, op, args = step[0], step[1], [arg(a) for a in step[2:]]
    m = sessions.get(name)
    try:
        if op == 'connect':
            m = imaplib.IMAP4_SSL(host, int(args[0]), ssl_context=ctx) if args[1] == 'ssl' else imaplib.IMAP4(host, int(args[0]))
            sessions[name] = m
            out.append(['OK', enc(m.welcome)])
        elif op == 'starttls':
            typ, data = m.starttls(ssl_context=ctx)
            out.append([typ, enc(data)])
        elif op == 'capability':
            typ, data = m.capability()
            out.append([typ, sorted(data[0].decode().upper().split())])
        elif op == 'append':
            typ, data = m.append(args[0], args[1] or None, None, args[2])
            out.append([typ, enc(data)])
        elif op == 'untagged':
            out.append(['OK', enc(m.untagged_responses.pop(args[0], []))])
        elif op == 'idle':
            smtp_port, sender, recipient, message = int(args[0]), args[1], args[2], args[3]
            tag = m._new_tag()
            m.send(tag + b' IDLE\r\n')
            first = m.readline()
            s = smtplib.SMTP(host, smtp_port, local_hostname='client.test')
            s.sendmail(sender, [recipient], message)
            s.quit()
            m.sock.settimeout(10)
            seen = []
            while True:
                line = m.readline()
                seen.append(enc(line.rstrip()))
                if b'EXISTS' in line: break
            m.send(b'DONE\r\n')
            while True:
                line = m.readline()
                if line.startswith(tag): break
                seen.append(enc(line.rstrip()))
            m.sock.settimeout(None)
            out.append([enc(first.rstrip()), seen, enc(line.rstrip())])
        else:
            typ, data = getattr(m, op)(*args)
            out.append([typ, enc(data)])
    except (imaplib.IMAP4.error, OSError) as e:
        out.append(['EXC', str(e)])
print(json.dumps(out))
"""#

    /// One step's answer: `[type, data]` with data a string, a list, or `[prefix, base64]`.
    enum Value: Decodable, Equatable {
        case text(String)
        case list([Value])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .text(s) } else { self = .list(try c.decode([Value].self)) }
        }
        var string: String { if case .text(let s) = self { s } else { "" } }
        var items: [Value] { if case .list(let l) = self { l } else { [] } }
        subscript(_ index: Int) -> Value { index < items.count ? items[index] : .text("") }
        /// Every text inside, literals' prefixes included, joined by newlines.
        var flattened: String {
            switch self {
            case .text(let s): s
            case .list(let l): l.map(\.flattened).joined(separator: "\n")
            }
        }
        /// The decoded literals inside, in order.
        var literals: [[UInt8]] {
            guard case .list(let l) = self else { return [] }
            if l.count == 2, case .text(let prefix) = l[0], prefix.hasSuffix("}"), case .text(let b64) = l[1] {
                return [[UInt8](Data(base64Encoded: b64) ?? Data())]
            }
            return l.flatMap(\.literals)
        }
    }

    /// `stepsFile`: pass the steps in that file rather than as an argument (an argument is limited
    /// to 128 KiB on Linux: MAX_ARG_STRLEN).
    static func imap(_ steps: [[String]], stepsFile: URL? = nil) async throws -> [Value] {
        let json = try JSONEncoder().encode(steps)
        var argument = String(decoding: json, as: UTF8.self)
        if let stepsFile {
            try json.write(to: stepsFile)
            argument = "@" + stepsFile.path
        }
        let output = try await ChildProcess.python(client, ["127.0.0.1", argument])
        return try JSONDecoder().decode([Value].self, from: Data(output.utf8))
    }

    static func b64(_ bytes: [UInt8]) -> String { "b64:" + Data(bytes).base64EncodedString() }

    static let sieveScript = """
        require ["fileinto", "mailbox"];
        if header :contains "subject" "invoice" { fileinto :create "Invoices"; }
        """

    static func messages() -> [[UInt8]] {
        [
            EndToEndTests.message(id: "imap-1@e2e.test", subject: "first",
                                  body: "Please confirm the transfer of funds.\r\n"),
            EndToEndTests.message(id: "imap-2@e2e.test", subject: "second"),
            EndToEndTests.message(id: "imap-3@e2e.test", subject: "third"),
        ]
    }

    @Test func imaplibReadsChangesCopiesAppendsAndIdles() async throws {
        let sent = Self.messages()
        let invoice = EndToEndTests.message(id: "imap-invoice@e2e.test", subject: "Your invoice 7")
        let appended = Array("From: alice@localhost\nSubject: appended with bare LF\nMessage-ID: <imap-append@e2e.test>\n\nline one\nline two\n".utf8)
        let draft = Array("From: alice@localhost\r\nSubject: a draft\r\nMessage-ID: <imap-draft@e2e.test>\r\n\r\nnot yet\r\n".utf8)
        let woke = EndToEndTests.message(id: "imap-idle@e2e.test", subject: "wakes the idler")
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            let admin = try MailStore(dataDirectory: harness.dataDirectory)
            try await admin.rules.put("main", source: Self.sieveScript, of: "alice@localhost", activate: true, by: .system("test"))
            admin.close()
            for message in sent + [invoice] {
                let result = try await EndToEndTests.send("plain", harness, port: harness.smtp, message: message)
                #expect(result.refused?.isEmpty == true)
            }
            let port = String(harness.imap)
            let fetchItems = "(FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[] RFC822.SIZE INTERNALDATE)"
            let r = try await Self.imap([
                ["a", "connect", port, "plain"],                                          // 0
                ["a", "login", "alice@localhost", "correct horse"],                       // 1
                ["a", "capability"],                                                      // 2
                ["a", "list", "\"\"", "*"],                                               // 3
                ["a", "select", "INBOX"],                                                 // 4
                ["a", "uid", "FETCH", "1:*", fetchItems],                                 // 5
                ["a", "uid", "STORE", "1", "+FLAGS", "(\\Flagged)"],                      // 6
                ["a", "uid", "SEARCH", "BODY", "ransf"],                                  // 7
                ["a", "uid", "SEARCH", "FLAGGED"],                                        // 8
                ["a", "uid", "COPY", "2", "Archive"],                                     // 9
                ["a", "untagged", "COPYUID"],                                             // 10
                ["a", "uid", "MOVE", "3", "Trash"],                                       // 11
                ["a", "untagged", "COPYUID"],                                             // 12
                ["a", "append", "Archive", "(\\Seen)", Self.b64(appended)],               // 13
                ["a", "append", "Drafts", "", Self.b64(draft)],                           // 14
                ["a", "append", "Nowhere", "", Self.b64(draft)],                          // 15
                ["a", "select", "Invoices"],                                              // 16
                ["a", "uid", "FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"],     // 17
                ["a", "select", "Archive"],                                               // 18
                ["a", "uid", "FETCH", "1:*", "(FLAGS RFC822.SIZE BODY.PEEK[])"],          // 19
                ["b", "connect", port, "plain"],                                          // 20
                ["b", "login", "alice@localhost", "correct horse"],                       // 21
                ["b", "select", "INBOX"],                                                 // 22
                ["a", "select", "INBOX"],                                                 // 23
                ["b", "uid", "STORE", "1", "+FLAGS", "(\\Seen)"],                         // 24
                ["b", "uid", "STORE", "2", "+FLAGS", "(\\Deleted)"],                      // 25
                ["b", "expunge"],                                                         // 26
                ["a", "noop"],                                                            // 27
                ["a", "untagged", "FETCH"],                                               // 28
                ["a", "untagged", "EXPUNGE"],                                             // 29
                ["a", "idle", String(harness.smtp), "sender@remote.test", "alice@localhost", Self.b64(woke)], // 30
                ["a", "logout"],                                                          // 31
                ["b", "logout"],                                                          // 32
                ["c", "connect", port, "plain"],                                          // 33
                ["c", "starttls"],                                                        // 34
                ["c", "login", "alice@localhost", "correct horse"],                       // 35
                ["c", "status", "INBOX", "(MESSAGES UIDNEXT)"],                           // 36
                ["c", "logout"],                                                          // 37
                ["d", "connect", String(harness.imaps), "ssl"],                           // 38
                ["d", "login", "alice@localhost", "wrong"],                               // 39
                ["d", "login", "alice@localhost", "correct horse"],                       // 40
                ["d", "select", "Trash"],                                                 // 41
                ["d", "logout"],                                                          // 42
            ])
            #expect(r.count == 43, "\(r)")
            #expect(r[0][1].string.hasPrefix("* OK"), "\(r[0])")
            #expect(r[1][0].string == "OK", "\(r[1])")
            let capabilities = Set(r[2][1].items.map(\.string))
            #expect(capabilities.isSuperset(of: ["IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE"]), "\(capabilities)")

            // LIST with SPECIAL-USE attributes (RFC 6154) and the folder Sieve created.
            let listing = r[3][1].flattened
            for expected in ["\"/\" INBOX", "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", "Invoices"] {
                #expect(listing.contains(expected), "\(expected) missing from LIST: \(listing)")
            }
            #expect(r[4] == .list([.text("OK"), .list([.text("3")])]), "SELECT INBOX: \(r[4])")

            // FETCH: the delivered bytes (trace fields in front), RFC822.SIZE = length of BODY[].
            let fetched = r[5][1]
            let bodies = fetched.literals
            #expect(bodies.count == 3, "\(fetched)")
            for (body, original) in zip(bodies, sent) {
                POP3EndToEndTests.expectOriginalAfterTrace(body, original)
            }
            let fetchText = fetched.flattened
            for body in bodies { #expect(fetchText.contains("RFC822.SIZE \(body.count)"), "\(fetchText)") }
            #expect(fetchText.contains("ENVELOPE (\"Tue, 2 Jan 2024 10:00:00 +0000\" \"first\""), "\(fetchText)")
            #expect(fetchText.lowercased().contains("bodystructure (\"text\" \"plain\" (\"charset\" \"utf-8\")"),
                    "\(fetchText)")
            #expect(fetchText.contains("INTERNALDATE \""), "\(fetchText)")

            #expect(r[6][1].flattened.contains("\\Flagged"), "STORE: \(r[6])")
            #expect(r[7] == .list([.text("OK"), .list([.text("1")])]), "SEARCH BODY ransf: \(r[7])")
            #expect(r[8] == .list([.text("OK"), .list([.text("1")])]), "SEARCH FLAGGED: \(r[8])")
            // COPYUID (RFC 4315 §3): destination UIDVALIDITY, source UID, destination UID.
            let copied = r[10][1].items.map(\.string)
            #expect(copied.count == 1 && copied.first?.hasSuffix(" 2 1") == true, "COPY: \(r[9]) \(r[10])")
            let moved = r[12][1].items.map(\.string)
            #expect(moved.count == 1 && moved.first?.hasSuffix(" 3 1") == true, "MOVE: \(r[11]) \(r[12])")
            #expect(r[13][1].flattened.contains("[APPENDUID ") && r[13][1].flattened.contains(" 2]"), "APPEND: \(r[13])")
            #expect(r[14][1].flattened.contains("[APPENDUID "), "APPEND Drafts: \(r[14])")
            #expect(r[15][0].string == "NO" && r[15][1].flattened.contains("[TRYCREATE]"), "APPEND missing: \(r[15])")

            // The Sieve-filed message is in its folder.
            #expect(r[16] == .list([.text("OK"), .list([.text("1")])]), "SELECT Invoices: \(r[16])")
            #expect(r[17][1].literals.first.map { String(decoding: $0, as: UTF8.self) } == "Subject: Your invoice 7\r\n\r\n",
                    "\(r[17])")

            // Archive: the copy and the APPENDed message, whose bare LFs are sent as CRLF with a
            // matching RFC822.SIZE.
            #expect(r[18] == .list([.text("OK"), .list([.text("2")])]), "SELECT Archive: \(r[18])")
            let archived = r[19][1].literals
            #expect(archived.count == 2)
            let crlf = Array(String(decoding: appended, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
            #expect(archived.last == crlf, "\(archived.last.map { String(decoding: $0, as: UTF8.self) } ?? "")")
            let archiveText = r[19][1].flattened
            #expect(archiveText.contains("RFC822.SIZE \(crlf.count)") && archiveText.contains("\\Seen"), "\(archiveText)")

            // Two sessions: b's flag change and expunge reach a at its NOOP.
            #expect(r[22] == .list([.text("OK"), .list([.text("2")])]), "b SELECT INBOX: \(r[22])")
            #expect(r[26][0].string == "OK", "\(r[26])")
            #expect(r[28][1].flattened.contains("\\Seen"), "a's NOOP FETCH: \(r[28])")
            #expect(r[29][1].items.map(\.string) == ["2"], "a's NOOP EXPUNGE: \(r[29])")

            // IDLE woken by an SMTP delivery.
            #expect(r[30][0].string.hasPrefix("+"), "\(r[30])")
            #expect(r[30][1].items.contains { $0.string == "* 2 EXISTS" }, "\(r[30])")
            #expect(r[30][2].string.contains(" OK"), "\(r[30])")
            #expect(r[31][0].string == "BYE", "\(r[31])")

            // STARTTLS, then LOGIN and STATUS over TLS; implicit TLS refuses a wrong password.
            #expect(r[34][0].string == "OK", "STARTTLS: \(r[34])")
            #expect(r[35][0].string == "OK", "\(r[35])")
            #expect(r[36][1].flattened.contains("MESSAGES 2"), "\(r[36])")
            #expect(r[38][0].string == "OK", "\(r[38])")
            #expect(r[39][0].string == "EXC", "\(r[39])")
            #expect(r[40][0].string == "OK", "\(r[40])")
            #expect(r[41] == .list([.text("OK"), .list([.text("1")])]), "SELECT Trash: \(r[41])")
        } after: { store in
            // APPEND archives and indexes, except into \Drafts.
            let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:imap-append@e2e.test"))
            #expect(hits.count == 1)
            let drafts = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:imap-draft@e2e.test"))
            #expect(drafts.isEmpty)
            #expect(try await store.catalog.mailboxes.draftCount(of: "alice@localhost") == 1)
            // The expunged message stays in the archive and the catalog.
            let expunged = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:imap-2@e2e.test"))
            #expect(expunged.count == 1)
            #expect(try await store.mailboxes.messages(in: "Trash", of: "alice@localhost").count == 1)
        }
    }

    /// Placements older than catalog schema "v5" have no stored transmitted size: SELECT computes
    /// it once, stores it, and reports it as RFC822.SIZE.
    @Test func sizesMissingFromOlderPlacementsAreComputedAndStored() async throws {
        let lf = Array("From: carol@remote.test\nSubject: bare LF\nMessage-ID: <lf@e2e.test>\n\none\ntwo\n".utf8)
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: EndToEndTests.users)
            let store = try MailStore(dataDirectory: data)
            _ = try await store.mailboxes.append(lf, to: "INBOX", of: "alice@localhost", by: .system("test"))
            store.close()
            // As a catalog from before "v5" has it.
            _ = try await ChildProcess.python("""
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1]); db.execute('UPDATE mailbox_message SET transmitted_size = NULL')
                db.commit()
                """, [data.appendingPathComponent("catalog.sqlite").path])
            let before = try MailStore(dataDirectory: data)
            let entry = try #require(try await before.mailboxes.snapshot("INBOX", of: "alice@localhost").messages.first)
            #expect(entry.transmittedSize == nil && entry.size == lf.count)
            before.close()

            let server = try await POP3EndToEndTests.Running.start(data)
            let r = try await Self.imap([
                ["a", "connect", String(server.ports["imap"]!), "plain"],
                ["a", "login", "alice@localhost", "correct horse"],
                ["a", "status", "INBOX", "(MESSAGES SIZE)"],
                ["a", "select", "INBOX"],
                ["a", "fetch", "1", "(RFC822.SIZE BODY.PEEK[])"],
                ["a", "logout"],
            ])
            try await server.stop()
            let crlfSize = lf.count + lf.filter { $0 == 0x0A }.count
            #expect(r[2][1].flattened.contains("SIZE \(crlfSize)"), "\(r[2])")
            #expect(r[4][1].flattened.contains("RFC822.SIZE \(crlfSize)"), "\(r[4])")
            #expect(r[4][1].literals.first?.count == crlfSize)

            let after = try MailStore(dataDirectory: data)
            defer { after.close() }
            let stored = try #require(try await after.mailboxes.snapshot("INBOX", of: "alice@localhost").messages.first)
            #expect(stored.transmittedSize == crlfSize)
        }
    }

    /// A flood of new keywords is answered NO [LIMIT] (RFC 5530) and changes nothing; the mailbox
    /// keeps working for everyone.
    @Test func aKeywordFloodIsRefusedWithLimit() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: EndToEndTests.users)
            let server = try await POP3EndToEndTests.Running.start(data)
            let flood = "(" + (0...MailboxLimits.keywordsPerMailbox).map { "flood\($0)" }.joined(separator: " ") + ")"
            let long = "(" + String(repeating: "x", count: MailboxLimits.keywordLength + 1) + ")"
            let r = try await Self.imap([
                ["a", "connect", String(server.ports["imap"]!), "plain"],
                ["a", "login", "alice@localhost", "correct horse"],
                ["a", "append", "INBOX", "", Self.b64(Self.messages()[0])],
                ["a", "select", "INBOX"],
                ["a", "store", "1", "+FLAGS.SILENT", flood],
                ["a", "store", "1", "+FLAGS.SILENT", long],
                ["a", "store", "1", "+FLAGS", "($Important)"],
                ["a", "logout"],
            ])
            try await server.stop()
            #expect(r[4][0].string == "NO" && r[4][1].flattened.contains("[LIMIT]"), "\(r[4])")
            #expect(r[5][0].string == "NO" && r[5][1].flattened.contains("[LIMIT]"), "\(r[5])")
            #expect(r[6][0].string == "OK" && r[6][1].flattened.contains("$Important"), "\(r[6])")
            #expect(!r[6][1].flattened.contains("flood"), "\(r[6])")
        }
    }

    /// `[imap]` and `[imaps]` in `tresor.toml`: unprivileged loopback defaults, read like the other listeners.
    @Test func configurationHasIMAPListeners() throws {
        let defaults = TresorConfiguration()
        #expect(defaults.imap == .init(enabled: true, address: "127.0.0.1", port: 2143))
        #expect(defaults.imaps == .init(enabled: true, address: "127.0.0.1", port: 2993))
        let configuration = try TresorConfiguration.parse("""
            [imap]
            address = "0.0.0.0"
            port = 143
            [imaps]
            enabled = false
            port = 993
            """)
        #expect(configuration.imap == .init(enabled: true, address: "0.0.0.0", port: 143))
        #expect(configuration.imaps == .init(enabled: false, address: "127.0.0.1", port: 993))
    }
}
