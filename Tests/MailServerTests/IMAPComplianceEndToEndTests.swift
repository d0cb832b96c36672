import Foundation
import Testing
import TestSupport
@testable import MailServer

/// What Dovecot's compliance tests (imaptest) check, through Python's imaplib against the real
/// server: names that are not modified UTF-7, subscriptions without mailboxes (LSUB, LIST
/// SUBSCRIBED, RECURSIVEMATCH), LIST-EXTENDED errors, FLAGS for new keywords, and \Recent.
@Suite struct IMAPComplianceEndToEndTests {
    @Test func namesSubscriptionsListExtendedAndNewKeywords() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: EndToEndTests.users)
            let server = try await POP3EndToEndTests.Running.start(data)
            let port = String(server.ports["imap"]!)
            let r = try await IMAPEndToEndTests.imap([
                ["a", "connect", port, "plain"],                                                   // 0
                ["a", "login", "alice@localhost", "correct horse"],                                // 1
                // RFC 3501 §5.1.3: not modified UTF-7 → NO; the session goes on.
                ["a", "select", "&Jjo!-"],                                                         // 2
                ["a", "list", "\"\"", "INBOX"],                                                    // 3
                ["a", "create", "m/a"],                                                            // 4
                ["a", "create", "m/b/c"],                                                          // 5
                ["a", "subscribe", "m/a"],                                                         // 6
                ["a", "subscribe", "m/b/c"],                                                       // 7
                ["a", "subscribe", "m/gone"],                                                      // 8
                // RFC 3501 §6.3.9: m/b is not subscribed, m/b/c is: "%" shows m/b \Noselect.
                ["a", "lsub", "\"\"", "m/%"],                                                      // 9
                // RFC 5258 §3.4: a subscription without a mailbox is \NonExistent.
                ["a", "_simple_command", "LIST", "(SUBSCRIBED)", "\"\"", "m/*"],                   // 10
                ["a", "untagged", "LIST"],                                                         // 11
                // RFC 5258 §3.5: CHILDINFO for a parent whose subscribed child the pattern misses.
                ["a", "_simple_command", "LIST", "(SUBSCRIBED RECURSIVEMATCH)", "\"\"", "m/b"],    // 12
                ["a", "untagged", "LIST"],                                                         // 13
                // RFC 5258 §3.1: RECURSIVEMATCH alone or with REMOTE is BAD.
                ["a", "_simple_command", "LIST", "(RECURSIVEMATCH REMOTE)", "\"\"", "\"\""],       // 14
                ["a", "_simple_command", "LIST", "(REMOTE)", "\"\"", "%"],                         // 15
                ["a", "append", "INBOX", "", IMAPEndToEndTests.b64(IMAPEndToEndTests.messages()[0])], // 16
                ["a", "select", "INBOX"],                                                          // 17
                ["a", "untagged", "FLAGS"],                                                        // 18
                // RFC 3501 §7.2.6: a keyword new to the mailbox comes with FLAGS.
                ["a", "store", "1", "+FLAGS", "($Hello)"],                                         // 19
                ["a", "untagged", "FLAGS"],                                                        // 20
                ["a", "untagged", "PERMANENTFLAGS"],                                               // 21
                // RFC 3501 §2.3.2: the first session to select m/a after the APPEND sees it recent.
                ["a", "append", "m/a", "", IMAPEndToEndTests.b64(IMAPEndToEndTests.messages()[1])], // 22
                ["b", "connect", port, "plain"],                                                   // 23
                ["b", "login", "alice@localhost", "correct horse"],                                // 24
                ["b", "status", "m/a", "(RECENT)"],                                                // 25
                ["b", "select", "m/a"],                                                            // 26
                ["b", "untagged", "RECENT"],                                                       // 27
                ["b", "fetch", "1", "(FLAGS)"],                                                    // 28
                ["a", "select", "m/a"],                                                            // 29
                ["a", "untagged", "RECENT"],                                                       // 30
                ["a", "fetch", "1", "(FLAGS)"],                                                    // 31
                ["a", "logout"],                                                                   // 32
                ["b", "logout"],                                                                   // 33
            ])
            try await server.stop()
            #expect(r.count == 34, "\(r)")
            #expect(r[2][0].string == "NO", "\(r[2])")
            #expect(r[3][0].string == "OK" && r[3][1].flattened.contains("INBOX"), "\(r[3])")
            let lsub = r[9][1].items.map(\.string)
            #expect(lsub.contains("(\\Noselect) \"/\" m/b"), "\(lsub)")
            #expect(lsub.contains("() \"/\" m/a") && lsub.contains("() \"/\" m/gone"), "\(lsub)")
            #expect(!lsub.contains { $0.hasSuffix("m/b/c") }, "\(lsub)")
            let subscribed = r[11][1].items.map(\.string)
            #expect(subscribed.contains("(\\NonExistent \\Subscribed) \"/\" m/gone"), "\(subscribed)")
            #expect(subscribed.contains("(\\HasNoChildren \\Subscribed) \"/\" m/b/c"), "\(subscribed)")
            #expect(subscribed.count == 3, "\(subscribed)")
            let recursive = r[13][1].items.map(\.string)
            #expect(recursive == ["(\\HasChildren) \"/\" m/b (\"CHILDINFO\" (\"SUBSCRIBED\"))"], "\(recursive)")
            #expect(r[14][0].string == "EXC" && r[14][1].string.contains("BAD"), "\(r[14])")
            #expect(r[15][0].string == "OK", "\(r[15])")
            #expect(!r[18][1].flattened.contains("$Hello"), "\(r[18])")
            #expect(r[19][0].string == "OK", "\(r[19])")
            #expect(r[20][1].flattened.contains("$Hello"), "\(r[20])")
            #expect(r[21][1].flattened.contains("$Hello"), "\(r[21])")
            #expect(r[25][1].flattened.contains("RECENT 1"), "\(r[25])")
            #expect(r[27][1].items.map(\.string) == ["1"], "\(r[27])")
            #expect(r[28][1].flattened.contains("\\Recent"), "\(r[28])")
            #expect(r[30][1].items.map(\.string) == ["0"], "\(r[30])")
            #expect(!r[31][1].flattened.contains("\\Recent"), "\(r[31])")
        }
    }
}
