import Foundation
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// clamd at the end of DATA, end to end: a real clamd (started by the test, with the test's own
/// EICAR signature), the real server, Python's smtplib.
@Suite struct AntivirusEndToEndTests {
    static let users = [("alice@localhost", "correct horse"), ("bob@localhost", "battery staple")]

    static func configuration(clamd: FilterEndpoint, infected: TresorConfiguration.InfectedAction = .reject,
                              fail: FilterFailMode? = nil) -> TresorConfiguration {
        var configuration = ServerHarness.configuration()
        configuration.antivirus.clamd = clamd
        configuration.antivirus.infected = infected
        if let fail { configuration.antivirus.fail = fail }
        return configuration
    }

    @Test func infectedMailIsRefusedWithTheSignatureNameAndCleanMailPasses() async throws {
        _ = try await ClamdDaemon.with { clamd in
            let configuration = Self.configuration(clamd: .tcp(host: "127.0.0.1", port: clamd.port))
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let infected = try await FilterClient.send(EICAR.message(id: "eicar@av.test"), to: harness)
                #expect(infected.code == 554, "\(infected)")
                #expect(infected.text.hasPrefix("5.7.1") && infected.text.contains(EICAR.signature), "\(infected)")
                // Submission is scanned too: malware from a user's account does not leave.
                let outgoing = try await FilterClient.send(EICAR.message(id: "eicar-out@av.test"), mode: "submission",
                                                           to: harness)
                #expect(outgoing.code == 554, "\(outgoing)")
                let clean = try await FilterClient.send(FilterClient.message(id: "clean@av.test", subject: "lunch"),
                                                        to: harness)
                #expect(clean.code == 250, "\(clean)")
            } after: { store in
                for id in ["eicar@av.test", "eicar-out@av.test"] {
                    let refused = try await FilterPlacements.of(id, in: store)
                    #expect(refused.archived == 0 && refused.mailboxes.isEmpty, "a refused message is not stored")
                }
                #expect(try await FilterPlacements.of("clean@av.test", in: store).mailboxes == ["alice@localhost/INBOX"])
            }
        }
    }

    /// Quarantine: refused with the same 554, but archived as evidence and in no mailbox —
    /// here over clamd's Unix socket.
    @Test func quarantineArchivesInfectedMailIntoNoMailbox() async throws {
        _ = try await ClamdDaemon.with { clamd in
            let configuration = Self.configuration(clamd: .unixSocket(path: clamd.socketPath), infected: .quarantine)
            let message = EICAR.message(id: "quarantined@av.test")
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let reply = try await FilterClient.send(message, to: harness)
                #expect(reply.code == 554 && reply.text.contains(EICAR.signature), "\(reply)")
                let clean = try await FilterClient.send(FilterClient.message(id: "clean-q@av.test", subject: "hi"),
                                                        to: harness)
                #expect(clean.code == 250, "\(clean)")
            } after: { store in
                let quarantined = try await FilterPlacements.of("quarantined@av.test", in: store)
                #expect(quarantined.archived == 1)
                #expect(quarantined.mailboxes.isEmpty, "\(quarantined.mailboxes)")
                #expect(quarantined.raw.map { Array($0.suffix(message.count)) == message } == true,
                        "the archive holds the message as sent")
                #expect(try await FilterPlacements.of("clean-q@av.test", in: store).mailboxes == ["alice@localhost/INBOX"])
            }
        }
    }

    /// clamd refuses a stream above its StreamMaxLength with an error: that is no verdict, so
    /// the fail mode (defer) answers — the message is never taken as clean.
    @Test func aMessageAboveClamdsStreamLimitIsNotTakenAsClean() async throws {
        _ = try await ClamdDaemon.with(streamMaxLength: "1M") { clamd in
            let configuration = Self.configuration(clamd: .tcp(host: "127.0.0.1", port: clamd.port))
            let big = FilterClient.message(id: "big@av.test", subject: "big",
                                           body: String(repeating: "0123456789abcdef0123456789abcdef\r\n", count: 64 * 1024))
            try await ServerHarness.with(users: Self.users, configuration: configuration) { harness in
                let reply = try await FilterClient.send(big, to: harness)
                #expect(reply.code == 451 && reply.text.hasPrefix("4.7.1"), "\(reply)")
            } after: { store in
                let placed = try await FilterPlacements.of("big@av.test", in: store)
                #expect(placed.archived == 0)
            }
        }
    }

    /// Nothing listens where clamd should: 451 by default (the client retries), or with
    /// `fail = "accept"` the message is taken unscanned.
    @Test func clamdDownDefersByDefaultOrAcceptsWhenConfigured() async throws {
        let port = try await FilterDaemons.freePort()
        let down = FilterEndpoint.tcp(host: "127.0.0.1", port: port)
        try await ServerHarness.with(users: Self.users, configuration: Self.configuration(clamd: down)) { harness in
            let reply = try await FilterClient.send(FilterClient.message(id: "deferred@av.test", subject: "x"), to: harness)
            #expect(reply.code == 451 && reply.text.hasPrefix("4.7.1"), "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("deferred@av.test", in: store)
            #expect(placed.archived == 0)
        }
        try await ServerHarness.with(users: Self.users, configuration: Self.configuration(clamd: down, fail: .accept)) { harness in
            let reply = try await FilterClient.send(FilterClient.message(id: "unscanned@av.test", subject: "x"), to: harness)
            #expect(reply.code == 250, "\(reply)")
        } after: { store in
            let placed = try await FilterPlacements.of("unscanned@av.test", in: store)
            #expect(placed.mailboxes == ["alice@localhost/INBOX"])
        }
    }
}
