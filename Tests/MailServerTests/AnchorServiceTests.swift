import Foundation
import Logging
import MailStore
import Synchronization
import Testing
import TestSupport
@testable import MailServer

/// `AnchorService` against a real TSA (`openssl ts -reply` behind Python's http.server): its ticks
/// on a hand-set wall clock, the tokens it journals (which openssl accepts), the witness mail, and
/// a server that keeps delivering while its TSA never answers.
@Suite struct AnchorServiceTests {
    /// A wall clock the test sets.
    final class HandClock: Sendable {
        private let current: Mutex<Date>
        init(_ date: Date) { current = Mutex(date) }
        var wall: WallClock { WallClock { [self] in current.withLock { $0 } } }
        func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    static func settings(_ authority: OpenSSLAuthority, url: String, witness: [String] = [])
        -> TresorConfiguration.AnchorSettings
    {
        var settings = TresorConfiguration.AnchorSettings()
        settings.authorities = [.init(url: url, caFile: authority.caCertificate, key: "anchor.tsa[0]")]
        settings.witnessAddresses = witness
        return settings
    }

    /// A data directory with `alice@localhost`, a store on `clock`, and a service for `settings`.
    static func withService(_ settings: TresorConfiguration.AnchorSettings, clock: HandClock,
                            _ body: (AnchorService, MailStore, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "pw")])
            let store = try MailStore(dataDirectory: data, clock: clock.wall)
            defer { store.close() }
            let stamper = try AnchorStamper(store: store, settings: settings.authorities)
            let service = AnchorService(store: store, stamper: stamper, settings: settings, hostname: "mx.tresor.test",
                                        logger: Logger(label: "tresor.test"))
            do {
                try await body(service, store, data)
            } catch {
                await stamper.shutdown()
                throw error
            }
            await stamper.shutdown()
        }
    }

    static func deliver(_ n: Int, to user: String = "alice@localhost", store: MailStore) async throws {
        let raw = Array("From: s@remote.test\r\nTo: \(user)\r\nSubject: note \(n)\r\nMessage-ID: <n\(n)@remote.test>\r\n\r\nHi.\r\n".utf8)
        _ = try await store.delivery.deliver(message: raw, envelope: Envelope(
            mailFrom: "s@remote.test", recipients: [user], receivedAt: store.clock.now(), clientAddress: "192.0.2.1",
            helo: "remote.test", direction: .inbound, source: .smtp))
    }

    @Test func stampsWhenTheArchiveMovedAndTheIntervalPassed() async throws {
        try await withTestTSA { authority, server in
            let clock = HandClock(Date())
            try await Self.withService(Self.settings(authority, url: server.url), clock: clock) { service, store, data in
                var schedule = await service.initialSchedule()
                // `tresor init` and the accounts left records: the first look stamps them.
                await service.tick(&schedule)
                let first = try await store.anchors.newestPerAuthority()
                #expect(first.count == 1 && first.first?.record.tsa == server.url)
                // Nothing moved but the anchor itself: nothing to stamp, however long one waits.
                clock.advance(by: 7200)
                await service.tick(&schedule)
                #expect(try await store.anchors.newestPerAuthority() == first)
                // A delivery moves the archive, and the last stamp is older than the interval: stamped at once.
                try await Self.deliver(1, store: store)
                await service.tick(&schedule)
                let second = try #require(try await store.anchors.newestPerAuthority().first)
                #expect(second.location > first[0].location)
                // The next delivery waits for the interval since that stamp.
                try await Self.deliver(2, store: store)
                let delivered = try #require(store.anchors.tip.lastNonAnchor)
                clock.advance(by: 3599)
                await service.tick(&schedule)
                #expect(try await store.anchors.newestPerAuthority() == [second])
                clock.advance(by: 1)
                await service.tick(&schedule)
                let third = try #require(try await store.anchors.newestPerAuthority().first)
                #expect(third.location > second.location && third.record.location >= delivered)

                // openssl accepts the journaled token for the point's digest.
                let copy = data.appendingPathComponent(AnchorLedger.copyPath(of: third) + ".tsr")
                let digest = try #require(third.record.point).anchorDigest
                let checked = try await OpenSSLAuthority.run(
                    ["ts", "-verify", "-digest", Hex.string(digest), "-in", copy.path, "-token_in",
                     "-CAfile", "ca.pem", "-untrusted", "tsa.pem"], in: authority.folder)
                #expect(checked.status == 0, "openssl ts -verify: \(checked.stdout) \(checked.stderr)")

                // And verify checks every stamp against the configured CA.
                let checker = try AnchorTokenVerifier(settings: Self.settings(authority, url: server.url).authorities,
                                                      extraCAFiles: [])
                let report = await MailStore.verify(dataDirectory: data, anchoring: AnchorVerification(
                    tokens: checker, interval: .seconds(3600), expectsAnchors: true, now: clock.wall.now()))
                #expect(report.isValid, "\(report.findings)")
                #expect(report.anchors.anchors.count == 3)
                #expect(report.anchors.anchors.allSatisfy { if case .valid? = $0.verdict { $0.pointHolds } else { false } })
            }
        }
    }

    @Test func theWitnessMailReachesTheAuditorOnceADay() async throws {
        try await withTestTSA { authority, server in
            let clock = HandClock(Date())
            let settings = Self.settings(authority, url: server.url, witness: ["alice@localhost"])
            try await Self.withService(settings, clock: clock) { service, store, _ in
                var schedule = await service.initialSchedule()
                await service.tick(&schedule)
                await service.tick(&schedule)
                let inbox = try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost")
                #expect(inbox.count == 1, "one witness mail a day")
                let first = try #require(inbox.first)
                let raw = try #require(try await store.reader.content(sha256: first.sha256))
                let text = String(decoding: raw, as: UTF8.self)
                #expect(text.contains("Subject: Tresor witness of mx.tresor.test"))
                #expect(text.contains("Auto-Submitted: auto-generated"))
                // The attachment is the witness file, signed with the archive key.
                let parts = text.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n")
                let encoded = try #require(parts.last?.components(separatedBy: "\r\n--").first)
                let json = try #require(Data(base64Encoded: encoded.replacingOccurrences(of: "\r\n", with: "")))
                let witness = try Witness.decode(Array(json))
                #expect(witness.isSigned(by: try #require(ArchivePublicKey(hex: witness.key))))
                #expect(witness.anchors.count == 1 && witness.anchors.first?.tsa == server.url)
                // A restart the same day does not mail it again; the next day does.
                var resumed = await service.initialSchedule()
                await service.tick(&resumed)
                #expect(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").count == 1)
                clock.advance(by: 86_400)
                await service.tick(&resumed)
                #expect(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").count == 2)
            }
        }
    }

    /// The TSA accepts the connection and never answers: each stamp waits for its timeout, in the
    /// anchor service's own task, while SMTP deliveries get their 250 as always.
    @Test func aTSAThatNeverAnswersDelaysNoDelivery() async throws {
        try await withTestTSA { authority, _ in
            let silent = try await TSAServer.startSilent()
            var configuration = ServerHarness.configuration()
            configuration.anchor = Self.settings(authority, url: silent.url)
            do {
                try await ServerHarness.with(users: [("alice@localhost", "pw")], configuration: configuration) { harness in
                    for n in 0..<3 {
                        let sent = try await EndToEndTests.send(
                            "plain", harness, port: harness.smtp,
                            message: EndToEndTests.message(id: "silent-tsa-\(n)@remote.test", subject: "while the TSA hangs \(n)"))
                        #expect(sent.refused?.isEmpty == true, "\(sent)")
                    }
                } after: { store throws in
                    #expect(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").count == 3)
                    #expect(try await store.anchors.newestPerAuthority().isEmpty)
                }
            } catch {
                await silent.stop()
                throw error
            }
            await silent.stop()
        }
    }
}
