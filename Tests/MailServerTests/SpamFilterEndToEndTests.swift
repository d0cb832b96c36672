import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// rspamd at the end of DATA, end to end: a real rspamd (started by the test with a minimal
/// configuration and test rules, `RspamdDaemon`), the real server, Python's smtplib.
@Suite struct SpamFilterEndToEndTests {
    static let users = [("alice@localhost", "correct horse"), ("bob@localhost", "battery staple")]

    static func configuration(rspamd port: Int, fail: FilterFailMode? = nil, timeout: Duration? = nil)
        -> TresorConfiguration
    {
        var configuration = ServerHarness.configuration()
        configuration.spam.rspamd = .tcp(host: "127.0.0.1", port: port)
        if let fail { configuration.spam.fail = fail }
        if let timeout { configuration.spam.timeout = timeout }
        return configuration
    }

    /// Every action of rspamd, each from a rule of the test's configuration: GTUBE and a reject
    /// rule → 550; add header → 250, filed into Junk with X-Spam-Status/X-Spam-Score, archived
    /// with those fields; greylist and soft reject → 451; no action → INBOX untouched. Mail from
    /// an authenticated user (submission) is not asked by default.
    @Test func rspamdsActionsDecideAtTheEndOfDATA() async throws {
        _ = try await RspamdDaemon.with { rspamd in
            let clean = FilterClient.message(id: "clean@spam.test", subject: "lunch on friday")
            let junk = FilterClient.message(id: "junk@spam.test", subject: "zqjunkme cheap watches")
            try await ServerHarness.with(users: Self.users, configuration: Self.configuration(rspamd: rspamd.port)) { harness in
                let gtube = try await FilterClient.send(
                    FilterClient.message(id: "gtube@spam.test", subject: "test", body: FilterClient.gtube), to: harness)
                #expect(gtube.code == 550 && gtube.text.hasPrefix("5.7.1"), "\(gtube)")
                let rejected = try await FilterClient.send(
                    FilterClient.message(id: "reject@spam.test", subject: "zqrejectme"), to: harness)
                #expect(rejected.code == 550, "\(rejected)")
                let greylisted = try await FilterClient.send(
                    FilterClient.message(id: "grey@spam.test", subject: "zqgreyme"), to: harness)
                #expect(greylisted.code == 451 && greylisted.text.hasPrefix("4.7.1"), "\(greylisted)")
                let soft = try await FilterClient.send(
                    FilterClient.message(id: "soft@spam.test", subject: "zqsoftme"), to: harness)
                #expect(soft.code == 451 && soft.text.hasPrefix("4.7.1"), "\(soft)")
                #expect(try await FilterClient.send(junk, to: harness).code == 250)
                #expect(try await FilterClient.send(clean, to: harness).code == 250)
                let submitted = try await FilterClient.send(
                    FilterClient.message(id: "submitted@spam.test", subject: "zqrejectme"), mode: "submission", to: harness)
                #expect(submitted.code == 250, "\(submitted)")
            } after: { store in
                for id in ["gtube@spam.test", "reject@spam.test", "grey@spam.test", "soft@spam.test"] {
                    #expect(try await FilterPlacements.of(id, in: store).archived == 0, "\(id) is not stored")
                }
                let filed = try await FilterPlacements.of("junk@spam.test", in: store)
                #expect(filed.mailboxes == ["alice@localhost/Junk"])
                let text = String(decoding: filed.raw ?? [], as: UTF8.self)
                #expect(text.contains("\r\nX-Spam-Status: Yes, score=7.00"), "\(text)")
                #expect(text.contains("TRESOR_TEST_JUNK") && text.contains("\r\nX-Spam-Score: 7.00\r\n"), "\(text)")
                #expect(text.hasPrefix("Return-Path: <sender@remote.test>\r\nReceived: "), "trace fields stay first")
                #expect(filed.raw.map { Array($0.suffix(junk.count)) == junk } == true, "the sent bytes follow unchanged")
                let passed = try await FilterPlacements.of("clean@spam.test", in: store)
                #expect(passed.mailboxes == ["alice@localhost/INBOX"])
                #expect(!String(decoding: passed.raw ?? [], as: UTF8.self).contains("X-Spam-"))
                #expect(try await FilterPlacements.of("submitted@spam.test", in: store).mailboxes == ["bob@localhost/INBOX"])
            }
        }
    }

    /// rspamd not listening: accepted and logged by default; 451 with `fail = "defer"`.
    @Test func rspamdDownAcceptsByDefaultOrDefersWhenConfigured() async throws {
        let port = try await FilterDaemons.freePort()
        try await ServerHarness.with(users: Self.users, configuration: Self.configuration(rspamd: port)) { harness in
            let reply = try await FilterClient.send(FilterClient.message(id: "unfiltered@spam.test", subject: "x"), to: harness)
            #expect(reply.code == 250, "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("unfiltered@spam.test", in: store)
            #expect(placed.mailboxes == ["alice@localhost/INBOX"])
        }
        try await ServerHarness.with(users: Self.users, configuration: Self.configuration(rspamd: port, fail: .defer)) { harness in
            let reply = try await FilterClient.send(FilterClient.message(id: "deferred@spam.test", subject: "x"), to: harness)
            #expect(reply.code == 451 && reply.text.hasPrefix("4.7.1"), "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("deferred@spam.test", in: store)
            #expect(placed.archived == 0)
        }
    }

    /// An rspamd that takes the request and never answers: after the timeout the fail mode
    /// decides, and the connection to the filter is given up.
    @Test func aSilentRspamdRunsIntoTheTimeout() async throws {
        let silent = try await TSAServer.startSilent()
        do {
            let configuration = Self.configuration(rspamd: silent.port, fail: .defer, timeout: .seconds(1))
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let reply = try await FilterClient.send(FilterClient.message(id: "slow@spam.test", subject: "x"), to: harness)
                #expect(reply.code == 451, "\(reply)")
            }
            await silent.stop()
        } catch {
            await silent.stop()
            throw error
        }
    }
}
