import Catalog
import Foundation
import Logging
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// Auditors over IMAP, end to end: operators made and scoped in the chain, then Python's imaplib
/// and mbsync — clients independent of our code — against the real server on 127.0.0.1.
@Suite struct AuditorIMAPEndToEndTests {
    /// Runs `[session, op, args…]` steps on imaplib sessions; prints one JSON list of `[type, data]`.
    /// `select` sends a plain SELECT (imaplib's own raises on READ-ONLY) and answers
    /// `[type, [READ-ONLY|READ-WRITE, EXISTS]]`; literals come back as `[prefix, base64]`.
    static let client = #"""
import base64, imaplib, json, sys
host, port, steps = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
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
            m = imaplib.IMAP4(host, port)
            sessions[name] = m
            out.append(['OK', enc(m.welcome)])
        elif op == 'select':
            m.untagged_responses = {}
            typ, data = m._simple_command('SELECT', args[0])
            if typ == 'OK': m.state = 'SELECTED'
            mode = 'READ-ONLY' if m.untagged_responses.pop('READ-ONLY', None) is not None else 'READ-WRITE'
            out.append([typ, [mode, enc(m.untagged_responses.get('EXISTS', [b''])[-1])]])
        elif op == 'append':
            typ, data = m.append(args[0], None, None, args[1])
            out.append([typ, enc(data)])
        else:
            typ, data = getattr(m, op)(*args)
            out.append([typ, enc(data)])
        # A NO [READ-ONLY] is expected here; imaplib would refuse every later command.
        if m is not None: m.untagged_responses.pop('READ-ONLY', None)
    except (imaplib.IMAP4.error, OSError) as e:
        out.append(['EXC', str(e)])
print(json.dumps(out))
"""#

    static func imap(_ port: Int, _ steps: [[String]]) async throws -> [IMAPEndToEndTests.Value] {
        let json = String(decoding: try JSONEncoder().encode(steps), as: UTF8.self)
        let output = try await ChildProcess.python(client, ["127.0.0.1", String(port), json])
        return try JSONDecoder().decode([IMAPEndToEndTests.Value].self, from: Data(output.utf8))
    }

    static let caseMessages = [
        EndToEndTests.message(id: "case-1@auditor.test", subject: "alpha contract draft"),
        EndToEndTests.message(id: "case-2@auditor.test", subject: "alpha contract signed", body: "Signed.\r\n"),
    ]
    static let otherMessage = EndToEndTests.message(id: "other@auditor.test", subject: "unrelated lunch plans")

    /// What the test knows of the archive after the setup.
    struct Fixture {
        /// The case's messages' archived bytes by UID (the catalog's row id).
        var caseBytes: [UInt32: [UInt8]]
        var caseSHA256: [String]
        /// The UID the other message would have.
        var otherUID: UInt32
        var month: String
    }

    /// Delivers the messages over SMTP; then, as an admin: an auditor `carol` scoped to case
    /// `alpha` (her password set by her own key) with a saved search, a hold `beta` outside her
    /// scope, and an auditor `dave` with a password and the same scope, revoked.
    static func setUp(_ harness: ServerHarness) async throws -> Fixture {
        for message in caseMessages + [otherMessage] {
            let result = try await EndToEndTests.send("plain", harness, port: harness.smtp, message: message)
            #expect(result.refused?.isEmpty == true)
        }
        let store = try MailStore(dataDirectory: harness.dataDirectory)
        defer { store.close() }
        let compliance = store.compliance
        try #require(try await compliance.operators().isEmpty, "tresor init made an operator here")
        let admin = GovernanceSigner.operatorKey(try await compliance.enrolOperator("root", role: .admin))
        let carolKey = try await compliance.enrolOperator("carol", role: .auditor, by: admin)
        _ = try await compliance.enrolOperator("dave", role: .auditor, by: admin)
        _ = try await compliance.placeHold("alpha", query: "subject:alpha", reason: "contract dispute", by: admin)
        _ = try await compliance.placeHold("beta", query: "subject:lunch", reason: "other case", by: admin)
        try await compliance.setAuditorScope("carol", cases: ["alpha"], query: nil, by: admin)
        try await compliance.setOperatorPassword("carol", password: "audit me", by: .operatorKey(carolKey))
        try await compliance.saveAuditorSearch("carol", search: "everything", query: "subject:alpha OR subject:lunch",
                                               by: admin)
        try await compliance.setAuditorScope("dave", cases: ["alpha"], query: nil, by: admin)
        try await compliance.setOperatorPassword("dave", password: "gone soon", by: admin)
        try await compliance.revokeOperator("dave", reason: "left the firm", by: admin)

        var fixture = Fixture(caseBytes: [:], caseSHA256: [], otherUID: 0, month: "")
        for id in ["case-1@auditor.test", "case-2@auditor.test", "other@auditor.test"] {
            let rows = try await store.catalog.messages.scopedMessages(matching: try SearchQuery(parsing: "message-id:\(id)").root)
            let row = try #require(rows.first)
            if id.hasPrefix("other") {
                fixture.otherUID = UInt32(row.id)
            } else {
                guard let bytes = try store.archive.readBody(sha256: row.sha256) else {
                    Issue.record("the archive lacks \(id)")
                    continue
                }
                fixture.caseBytes[UInt32(row.id)] = bytes
                fixture.caseSHA256.append(row.sha256)
                fixture.month = AuditorFolder.month(of: row.archivedAt).name
            }
        }
        return fixture
    }

    @Test func scopedAuditorReadsOnlyTheCaseReadOnlyAndEveryReadIsAudited() async throws {
        var fixture: Fixture?
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            let f = try await Self.setUp(harness)
            fixture = f
            let uids = f.caseBytes.keys.sorted()
            let ids = uids.map(String.init).joined(separator: ",")
            let message = Array("From: x@y.test\r\nSubject: planted\r\n\r\nno\r\n".utf8)
            let r = try await Self.imap(harness.imap, [
                ["a", "connect"],                                                            // 0
                ["a", "login", "carol", "audit me"],                                         // 1
                ["a", "list", "\"\"", "*"],                                                  // 2
                ["a", "select", "Cases/alpha"],                                              // 3
                ["a", "uid", "FETCH", "1:*", "(UID BODY[])"],                                // 4
                ["a", "uid", "FETCH", "1:*", "(UID FLAGS)"],                                 // 5
                ["a", "uid", "SEARCH", "ALL"],                                               // 6
                ["a", "uid", "SEARCH", "TEXT", "lunch"],                                     // 7
                ["a", "uid", "FETCH", String(f.otherUID), "(BODY.PEEK[])"],                  // 8
                ["a", "uid", "STORE", ids, "+FLAGS", "(\\Seen)"],                            // 9
                ["a", "uid", "COPY", ids, "Cases/alpha"],                                    // 10
                ["a", "uid", "MOVE", ids, "INBOX"],                                          // 11
                ["a", "expunge"],                                                            // 12
                ["a", "append", "Cases/alpha", Self.b64(message)],                           // 13
                ["a", "create", "Notes"],                                                    // 14
                ["a", "delete", "Cases/alpha"],                                              // 15
                ["a", "rename", "Cases/alpha", "Cases/gamma"],                               // 16
                ["a", "select", "Cases/beta"],                                               // 17
                ["a", "select", f.month],                                                    // 18
                ["a", "uid", "SEARCH", "ALL"],                                               // 19
                ["a", "select", "Searches/everything"],                                      // 20
                ["a", "uid", "SEARCH", "ALL"],                                               // 21
                ["a", "select", "INBOX"],                                                    // 22
                ["a", "logout"],                                                             // 23
                ["b", "connect"],                                                            // 24
                ["b", "login", "carol", "wrong"],                                            // 25
                ["c", "connect"],                                                            // 26
                ["c", "login", "dave", "gone soon"],                                         // 27
            ])
            try #require(r.count == 28, "\(r)")
            #expect(r[1][0].string == "OK", "\(r[1])")
            // Each LIST line ends in the name, quoted or not.
            let listed = Set(r[2][1].items.map { $0.string.split(separator: " ").last.map { $0.replacingOccurrences(of: "\"", with: "") } ?? "" })
            #expect(listed.isSuperset(of: ["Cases/alpha", "Searches/everything", f.month, "INBOX"]), "\(listed)")
            #expect(!listed.contains("Cases/beta"), "\(listed)")
            #expect(r[3][0].string == "OK" && r[3][1][0].string == "READ-ONLY", "\(r[3])")
            #expect(r[3][1][1].string == "2", "\(r[3])")
            // FETCH BODY[] returns the archived bytes exactly, in UID order.
            #expect(r[4][0].string == "OK", "\(r[4])")
            #expect(r[4][1].literals == uids.map { f.caseBytes[$0]! }, "\(r[4])")
            // Read-only: the FETCH of BODY[] set no \Seen.
            #expect(r[5][0].string == "OK" && !r[5][1].flattened.contains("\\Seen"), "\(r[5])")
            #expect(r[6][1].flattened == uids.map(String.init).joined(separator: " "), "\(r[6])")
            #expect(r[7][0].string == "OK" && r[7][1].flattened.isEmpty, "\(r[7])")
            // A guessed UID of a message outside the folder returns nothing.
            #expect(r[8][0].string == "OK" && r[8][1].literals.isEmpty, "\(r[8])")
            // Every write is refused with NO (imaplib raises on NO: EXC).
            for index in 9...16 {
                #expect(r[index][0].string == "NO", "write \(index): \(r[index])")
            }
            #expect(r[17][0].string == "NO", "a case outside the scope: \(r[17])")
            #expect(r[18][0].string == "OK" && r[18][1][0].string == "READ-ONLY", "\(r[18])")
            #expect(r[19][1].flattened == uids.map(String.init).joined(separator: " "), "\(r[19])")
            // The saved search is narrowed to the scope: the lunch message stays out.
            #expect(r[20][0].string == "OK" && r[20][1][0].string == "READ-ONLY", "\(r[20])")
            #expect(r[21][1].flattened == uids.map(String.init).joined(separator: " "), "\(r[21])")
            #expect(r[22][0].string == "OK" && r[22][1][1].string == "0", "\(r[22])")
            #expect(r[25][0].string == "EXC", "a wrong password: \(r[25])")
            #expect(r[27][0].string == "EXC", "a revoked operator: \(r[27])")
        } after: { store in
            let fixture = try #require(fixture)
            let fetches = try await store.catalog.governance.auditLog().filter { $0.action == "auditor fetch" }
            for sha256 in fixture.caseSHA256 {
                let reads = fetches.filter { $0.detail.contains(sha256) }
                #expect(!reads.isEmpty, "no audit entry for \(sha256): \(fetches)")
                for read in reads {
                    #expect(read.actor == "operator:carol" && read.client == "127.0.0.1", "\(read)")
                }
            }
            #expect(fetches.allSatisfy { $0.actor == "operator:carol" }, "\(fetches)")
            // `tresor audit` shows each read with the operator and the client's address.
            let audit = try CommandRunner.run("tresor", ["audit", "--data-dir", store.dataDirectory.path])
            let lines = audit.stdout.split(separator: "\n").filter { $0.contains("auditor fetch") }
            for sha256 in fixture.caseSHA256 {
                #expect(lines.contains { $0.contains(sha256) && $0.contains("operator:carol from 127.0.0.1") },
                        "\(audit.stdout)")
            }
            // The chain says what the catalog says about auditors' access.
            let chain = try await store.compliance.governanceFromArchive()
            let (differences, _) = try await store.compliance.governanceDifferences(from: chain)
            #expect(differences.isEmpty, "\(differences)")
            #expect(chain.access["carol"]?.scope?.cases == ["alpha"])
        }
    }


    /// mbsync (isync) pulls the case into a Maildir. IMAP sends lines ending in CRLF (RFC 3501
    /// §2.3.4); mbsync stores them with LF and adds one `X-TUID:` header line of its own. So, once
    /// that line is taken out, a message archived with LF line ends (imported from .eml files) is
    /// byte for byte the archived one, and one archived with CRLF is the archived bytes with each
    /// CRLF written as LF. (The imaplib test checks that the server sends the archived bytes exactly.)
    @Test func mbsyncPullsTheCaseByteForByte() async throws {
        guard let mbsync = Self.executable("mbsync") else {
            if Corpus.isCI { Issue.record("mbsync is required when CI=true") }
            print("skipped: mbsync is not installed")
            return
        }
        let appended = [
            Array("From: alice@localhost\nSubject: alpha appended one\nMessage-ID: <lf-1@auditor.test>\n\nline one\nline two\n".utf8),
            Array("From: alice@localhost\nSubject: alpha appended two\nMessage-ID: <lf-2@auditor.test>\n\nanother\n".utf8),
        ]
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            // Imported .eml files keep their LF line ends in the archive.
            try await withTemporaryDirectory { folder in
                var paths: [String] = []
                for (index, message) in appended.enumerated() {
                    let file = folder.appendingPathComponent("old-\(index).eml")
                    try Data(message).write(to: file)
                    paths.append(file.path)
                }
                let imported = try CommandRunner.run("tresor", ["import", "--data-dir", harness.dataDirectory.path] + paths)
                #expect(imported.status == 0, "tresor import: \(imported.stderr)")
            }
            let fixture = try await Self.setUp(harness)
            let store = try MailStore(dataDirectory: harness.dataDirectory)
            var archived: [[UInt8]] = []
            for row in try await store.catalog.messages.scopedMessages(matching: try SearchQuery(parsing: "subject:alpha").root) {
                guard let bytes = try store.archive.readBody(sha256: row.sha256) else {
                    Issue.record("the archive lacks \(row.sha256)")
                    continue
                }
                archived.append(bytes)
            }
            store.close()
            #expect(archived.count == 4)
            try await withTemporaryDirectory { folder in
                let maildir = folder.appendingPathComponent("mail", isDirectory: true)
                try FileManager.default.createDirectory(at: maildir, withIntermediateDirectories: true)
                let config = folder.appendingPathComponent("mbsyncrc")
                try """
                    IMAPAccount auditor
                    Host 127.0.0.1
                    Port \(harness.imap)
                    User carol
                    Pass "audit me"
                    SSLType None
                    AuthMechs LOGIN

                    IMAPStore remote
                    Account auditor

                    MaildirStore local
                    Path \(maildir.path)/
                    Inbox \(maildir.path)/INBOX

                    Channel case
                    Far :remote:"Cases/alpha"
                    Near :local:case
                    Create Near
                    Sync Pull
                    SyncState *

                    """.write(to: config, atomically: true, encoding: .utf8)
                let result = try await ChildProcess.run([mbsync, "-c", config.path, "case"])
                #expect(result.status == 0, "mbsync: \(result.stdout) \(result.stderr)")
                let new = maildir.appendingPathComponent("case/new"), cur = maildir.appendingPathComponent("case/cur")
                var files: [[UInt8]] = []
                for directory in [new, cur] {
                    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                        files.append(Self.withoutTUID(Array(try Data(contentsOf: directory.appendingPathComponent(name)))))
                    }
                }
                let expected = archived.map(Self.crlfAsLF)
                #expect(files.count == expected.count, "\(files.count) files")
                #expect(Set(files) == Set(expected), "\(files.map { String(decoding: $0, as: UTF8.self) })")
                #expect(files.allSatisfy { !$0.isEmpty })
                // The LF-archived messages arrive exactly as archived.
                for message in appended where archived.contains(message) {
                    #expect(files.contains(message))
                }
                #expect(archived.filter { appended.contains($0) }.count == 2)
                _ = fixture
            }
        }
    }

    /// A file mbsync wrote, without the one `X-TUID:` header line it adds to every message it
    /// stores (its own marker for finding the message again after an interruption).
    static func withoutTUID(_ bytes: [UInt8]) -> [UInt8] {
        let marker = Array("\nX-TUID: ".utf8)
        guard let start = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }),
            let end = bytes[(start + 1)...].firstIndex(of: 0x0A)
        else { return bytes }
        return Array(bytes[...start]) + Array(bytes[(end + 1)...])
    }

    /// What a Maildir writer that stores LF line ends makes of CRLF.
    static func crlfAsLF(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() where !(byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
            out.append(byte)
        }
        return out
    }

    /// A program on PATH, or nil.
    static func executable(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func b64(_ bytes: [UInt8]) -> String { "b64:" + Data(bytes).base64EncodedString() }
}
