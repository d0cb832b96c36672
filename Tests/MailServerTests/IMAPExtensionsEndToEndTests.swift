import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// The IMAP extensions of RFC 6154 §3 (CREATE-SPECIAL-USE), RFC 8438 (STATUS=SIZE) and RFC 9208
/// (QUOTA), RFC 3502 (MULTIAPPEND) and RFC 5182 (SEARCHRES) through
/// Python's imaplib against the real server and store; raw commands where imaplib has none.
@Suite struct IMAPExtensionsEndToEndTests {
    @Test func createSpecialUseAndStatusSize() async throws {
        let message = Array("From: alice@localhost\r\nSubject: spam\r\nMessage-ID: <ext-1@e2e.test>\r\n\r\nbuy now\r\n".utf8)
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            let port = String(harness.imap)
            let r = try await IMAPEndToEndTests.imap([
                ["a", "connect", port, "plain"],                                              // 0
                ["a", "login", "alice@localhost", "correct horse"],                           // 1
                ["a", "capability"],                                                          // 2
                ["a", "_simple_command", "CREATE", "Spam", "(USE (\\Junk))"],                 // 3
                // Every new account has a \Drafts mailbox; a second one is refused (RFC 6154 §3).
                ["a", "_simple_command", "CREATE", "Drafts2", "(USE (\\Drafts))"],            // 4
                ["a", "_simple_command", "CREATE", "Keep", "(USE (\\Important))"],            // 5
                ["a", "list", "\"\"", "*"],                                                   // 6
                ["a", "append", "Spam", "", IMAPEndToEndTests.b64(message)],                  // 7
                ["a", "append", "Spam", "", IMAPEndToEndTests.b64(message)],                  // 8
                ["a", "status", "Spam", "(MESSAGES SIZE)"],                                   // 9
                ["a", "logout"],                                                              // 10
            ])
            #expect(r.count == 11, "\(r)")
            let capabilities = Set(r[2][1].items.map(\.string))
            #expect(capabilities.isSuperset(of: ["CREATE-SPECIAL-USE", "STATUS=SIZE", "SPECIAL-USE"]), "\(capabilities)")
            #expect(r[3][0].string == "OK", "\(r[3])")
            #expect(r[4][0].string == "NO" && r[4][1].flattened.contains("[USEATTR]"), "\(r[4])")
            #expect(r[5][0].string == "NO" && r[5][1].flattened.contains("[USEATTR]"), "\(r[5])")
            let listing = r[6][1].items.map(\.string)
            #expect(listing.contains { $0.contains("\\Junk") && $0.hasSuffix("\"/\" Spam") }, "\(listing)")
            #expect(!listing.contains { $0.hasSuffix("Drafts2") || $0.hasSuffix("Keep") }, "nothing created: \(listing)")
            // RFC 8438: SIZE is the sum of the messages' RFC822.SIZE.
            #expect(r[9][1].flattened == "Spam (MESSAGES 2 SIZE \(2 * message.count))", "\(r[9])")
        }
    }

    /// RFC 9208 with `[quota] default_storage` and `tresor user quota`'s setting: GETQUOTAROOT,
    /// GETQUOTA, APPEND and COPY over quota refused with [OVERQUOTA], MOVE allowed (the total stays),
    /// delivery over quota still journaled and placed, a user's own limit over the default.
    @Test func quotaFromTheConfigurationAndTheUsersSetting() async throws {
        let filler = String(repeating: "x", count: 2900)
        let big = Array("From: alice@localhost\r\nSubject: big\r\nMessage-ID: <ext-big@e2e.test>\r\n\r\n\(filler)\r\n".utf8)
        var configuration = ServerHarness.configuration()
        configuration.quota.defaultStorage = 4096
        try await ServerHarness.with(users: EndToEndTests.users, configuration: configuration) { harness in
            let port = String(harness.imap)
            let admin = try MailStore(dataDirectory: harness.dataDirectory)
            defer { admin.close() }
            // bob has no limit whatever the default.
            try await admin.accounts.setStorageQuota(.unlimited, of: "bob@localhost", by: .system("test"))
            let r = try await IMAPEndToEndTests.imap([
                ["a", "connect", port, "plain"],                                              // 0
                ["a", "login", "alice@localhost", "correct horse"],                           // 1
                ["a", "capability"],                                                          // 2
                ["a", "getquotaroot", "INBOX"],                                               // 3
                ["a", "append", "INBOX", "", IMAPEndToEndTests.b64(big)],                     // 4
                ["a", "append", "INBOX", "", IMAPEndToEndTests.b64(big)],                     // 5
                ["a", "select", "INBOX"],                                                     // 6
                ["a", "copy", "1", "Archive"],                                                // 7
                ["a", "_simple_command", "MOVE", "1", "Archive"],                             // 8
                ["a", "getquota", "\"\""],                                                    // 9
                ["b", "connect", port, "plain"],                                              // 10
                ["b", "login", "bob@localhost", "battery staple"],                            // 11
                ["b", "getquotaroot", "INBOX"],                                               // 12
                ["b", "append", "INBOX", "", IMAPEndToEndTests.b64(big)],                     // 13
                ["b", "append", "INBOX", "", IMAPEndToEndTests.b64(big)],                     // 14
            ])
            #expect(r.count == 15, "\(r)")
            let capabilities = Set(r[2][1].items.map(\.string))
            #expect(capabilities.isSuperset(of: ["QUOTA", "QUOTA=RES-STORAGE"]), "\(capabilities)")
            #expect(r[3][0].string == "OK" && r[3][1].flattened.contains("INBOX \"\""), "\(r[3])")
            #expect(r[3][1].flattened.contains("\"\" (STORAGE 0 4)"), "\(r[3])")
            #expect(r[4][0].string == "OK", "\(r[4])")
            #expect(r[5][0].string == "NO" && r[5][1].flattened.contains("[OVERQUOTA]"), "\(r[5])")
            #expect(r[7][0].string == "NO" && r[7][1].flattened.contains("[OVERQUOTA]"), "\(r[7])")
            #expect(r[8][0].string == "OK", "MOVE leaves the total as it was: \(r[8])")
            #expect(r[9][1].flattened == "\"\" (STORAGE 3 4)", "\(r[9])")
            // No limit applies to bob: no quota root, nothing refused.
            #expect(r[12][0].string == "OK" && !r[12][1].flattened.contains("STORAGE"), "\(r[12])")
            #expect(r[13][0].string == "OK" && r[14][0].string == "OK", "\(r[13]) \(r[14])")

            // Delivery over quota is journaled and placed all the same.
            let delivered = try await EndToEndTests.send("plain", harness, port: harness.smtp,
                                                         message: EndToEndTests.message(id: "over@e2e.test", subject: "over"))
            #expect(delivered.refused?.isEmpty == true)
            let inbox = try await admin.mailboxes.snapshot("INBOX", of: "alice@localhost")
            #expect(inbox.messages.count == 1, "the delivered message is in INBOX: \(inbox.messages.count)")

            // A limit of alice's own wins over the default.
            try await admin.accounts.setStorageQuota(.octets(1 << 20), of: "alice@localhost", by: .system("test"))
            #expect(try await admin.accounts.storageQuota(of: "alice@localhost") == .octets(1 << 20))
            let again = try await IMAPEndToEndTests.imap([
                ["a", "connect", port, "plain"],
                ["a", "login", "alice@localhost", "correct horse"],
                ["a", "append", "INBOX", "", IMAPEndToEndTests.b64(big)],
                ["a", "getquota", "\"\""],
            ])
            #expect(again[2][0].string == "OK", "\(again)")
            #expect(again[3][1].flattened.hasSuffix(" 1024)"), "\(again)")
        }
    }

    /// MULTIAPPEND over a raw socket (imaplib sends one literal per command): a batch of three with
    /// flags; then a batch whose third message passes the mailbox's keyword limit when the batch is
    /// placed, after all three were journaled — NO [LIMIT], none of the three in INBOX, all three
    /// kept in the archive's record (the legal search finds them).
    static let multiAppend = #"""
import imaplib, json, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.login('alice@localhost', 'correct horse')
def multiappend(mailbox, messages):
    tag = m._new_tag()
    data = tag + b' APPEND ' + mailbox.encode()
    for flags, body in messages:
        data += b' (' + flags.encode() + b') {%d+}\r\n' % len(body) + body
    m.send(data + b'\r\n')
    while True:
        line = m.readline()
        if line.startswith(tag): return line.rstrip().decode()
def msg(marker):
    return ('From: alice@localhost\r\nSubject: %s\r\nMessage-ID: <%s@e2e.test>\r\n\r\n%s\r\n' % (marker, marker, marker)).encode()
def keywords(a, b): return ' '.join('kw%d' % i for i in range(a, b))
out = {}
out['good'] = multiappend('Archive', [('\\Seen', msg('multione')), ('', msg('multitwo')), ('\\Flagged', msg('multithree'))])
out['bad'] = multiappend('INBOX', [(keywords(0, 200), msg('batchfirst')), (keywords(200, 250), msg('batchsecond')),
                                   (keywords(250, 300), msg('batchthird'))])
typ, data = m.select('Archive'); out['archive'] = data[0].decode()
typ, data = m.fetch('1:*', '(FLAGS)'); out['flags'] = [d.decode() for d in data]
typ, data = m.select('INBOX'); out['inbox'] = data[0].decode()
m.logout()
print(json.dumps(out))
"""#

    @Test func multiAppendIsAllOrNone() async throws {
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            let output = try await ChildProcess.python(Self.multiAppend, [String(harness.imap)])
            let out = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
            let good = out["good"] as? String ?? ""
            #expect(good.contains("OK [APPENDUID ") && good.contains(" 1:3]"), "\(output)")
            #expect(out["archive"] as? String == "3", "\(output)")
            let flags = out["flags"] as? [String] ?? []
            #expect(flags.count == 3 && flags[0].contains("\\Seen") && flags[2].contains("\\Flagged"), "\(output)")
            let bad = out["bad"] as? String ?? ""
            #expect(bad.contains("NO [LIMIT]"), "\(output)")
            #expect(out["inbox"] as? String == "0", "no message of the failed batch is placed: \(output)")

            let admin = try MailStore(dataDirectory: harness.dataDirectory)
            defer { admin.close() }
            for (marker, archived) in [("batchfirst", 1), ("batchsecond", 1), ("batchthird", 1), ("multitwo", 1)] {
                let found = try await admin.compliance.search(try SearchQuery(parsing: marker), by: .system("test"))
                #expect(found.count == archived, "\(marker): \(found.count)")
            }
        }
    }

    /// SEARCHRES: SEARCH RETURN (SAVE) answers no SEARCH data, then FETCH, STORE and UID SEARCH
    /// act on "$".
    @Test func searchResultsAreSavedAndReused() async throws {
        func message(_ n: Int) -> String {
            IMAPEndToEndTests.b64(Array("From: alice@localhost\r\nSubject: saved \(n)\r\nMessage-ID: <saved-\(n)@e2e.test>\r\n\r\nsaved\r\n".utf8))
        }
        try await ServerHarness.with(users: EndToEndTests.users) { harness in
            let port = String(harness.imap)
            let r = try await IMAPEndToEndTests.imap([
                ["a", "connect", port, "plain"],                                              // 0
                ["a", "login", "alice@localhost", "correct horse"],                           // 1
                ["a", "append", "INBOX", "", message(1)],                                     // 2
                ["a", "append", "INBOX", "(\\Seen)", message(2)],                             // 3
                ["a", "append", "INBOX", "", message(3)],                                     // 4
                ["a", "select", "INBOX"],                                                     // 5
                ["a", "search", "", "RETURN", "(SAVE)", "UNSEEN"],                            // 6
                ["a", "fetch", "$", "(UID)"],                                                 // 7
                ["a", "store", "$", "+FLAGS", "(\\Flagged)"],                                 // 8
                ["a", "uid", "SEARCH", "FLAGGED"],                                            // 9
                ["a", "uid", "SEARCH", "NOT", "$"],                                           // 10
                ["a", "capability"],                                                          // 11
            ])
            #expect(r.count == 12, "\(r)")
            #expect(r[6][0].string == "OK" && !r[6][1].flattened.contains("1"), "SAVE alone returns no matches: \(r[6])")
            #expect(r[7][1].items.map(\.string) == ["1 (UID 1)", "3 (UID 3)"], "\(r[7])")
            #expect(r[8][0].string == "OK", "\(r[8])")
            #expect(r[9][1].flattened == "1 3", "\(r[9])")
            #expect(r[10][1].flattened == "2", "\(r[10])")
            #expect(Set(r[11][1].items.map(\.string)).contains("SEARCHRES"), "\(r[11])")
        }
    }
}
