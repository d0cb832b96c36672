import ArchiveStore
import Catalog
import Delivery
import Foundation
import Logging
import MailMessage
@testable import MailStore
import Synchronization
import Testing
import TestSupport

/// The wall clock plus an offset the test moves by hand, so that rows queued "now" are due at
/// once however long the set-up took, and hours pass without sleeping. Once set (or frozen) it
/// stops following the wall clock, so that a test's waits and deadlines do not drift with the
/// real time a loaded machine takes between two steps.
final class TestClock: Sendable {
    private struct State { var offset: TimeInterval = 0; var frozen: Date? }
    private let state = Mutex(State())
    var now: Date { state.withLock { $0.frozen ?? Date().addingTimeInterval($0.offset) } }
    /// Stands still at `date` until moved.
    func set(_ date: Date) { state.withLock { $0.frozen = date } }
    /// Stands still at the present time until moved.
    func freeze() { state.withLock { $0.frozen = Date().addingTimeInterval($0.offset) } }
    func advance(_ seconds: TimeInterval) {
        state.withLock { state in
            if let frozen = state.frozen { state.frozen = frozen.addingTimeInterval(seconds) } else { state.offset += seconds }
        }
    }
}

/// A signer that prepends a recognisable field for a.test only.
struct MarkerSigner: OutboundSigner {
    func signatureFields(for message: [UInt8], domain: String) throws -> [UInt8]? {
        guard domain == "a.test" else { return nil }
        return Array("DKIM-Signature: v=1; d=a.test; s=test; b=marker-\(message.count)\r\n".utf8)
    }
}

/// The queue workers against the aiosmtpd sink, with a hand-moved clock: retries, expiry,
/// bounces, connection reuse, DKIM, Return-Path removal.
@Suite(.serialized) struct OutboundDeliveryTests {
    struct Fixture {
        let store: MailStore
        let sink: SMTPSink
        let clock: TestClock
        let delivery: OutboundDelivery
    }

    /// A store with domain a.test and user anna@a.test; the sink as the route for sink.test, a
    /// closed port for dead.test; steps of 60 s, given up after 300 s.
    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        guard try SMTPSink.available() else { return }
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            let keys = data.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            _ = try ArchiveKey.create(inKeysDirectory: keys)
            let store = try MailStore(dataDirectory: data)
            defer { store.close() }
            try await store.accounts.addDomain("a.test", by: .system("test"))
            try await store.accounts.addUser("anna@a.test", password: "pw", by: .system("test"))
            let sinkFolder = dir.appendingPathComponent("sink")
            try FileManager.default.createDirectory(at: sinkFolder, withIntermediateDirectories: true)
            let sink = try await SMTPSink.start(in: sinkFolder)
            let router = OutboundRouter(routes: [
                "sink.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: sink.port)),
                "dead.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: 1)),
                "tls.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: sink.port), requireTLS: true),
            ], resolver: nil)
            let clock = TestClock()
            let delivery = OutboundDelivery(
                store: store,
                configuration: OutboundDeliveryConfiguration(
                    hostname: "mx.a.test", router: router,
                    schedule: RetrySchedule(steps: [.seconds(60)], maximumAge: .seconds(300)),
                    timeouts: SMTPClientTimeouts(connect: .seconds(10), reply: .seconds(60))),
                signer: MarkerSigner(), now: { clock.now }, logger: Self.quietLogger)
            do {
                try await body(Fixture(store: store, sink: sink, clock: clock, delivery: delivery))
            } catch {
                await sink.stop()
                throw error
            }
            await sink.stop()
        }
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "tresor.test.delivery")
        logger.logLevel = .warning
        return logger
    }()

    static func message(_ id: String, subject: String = "Hello", body: String = "Body text.") -> [UInt8] {
        Array("""
            Return-Path: <anna@a.test>\r
            Received: from client by mx.a.test; Mon, 2 Jun 2025 10:00:00 +0000\r
            From: Anna <anna@a.test>\r
            To: someone@sink.test\r
            Subject: \(subject)\r
            Message-ID: <\(id)>\r
            \r
            \(body)\r
            .leading dot\r

            """.utf8)
    }

    /// Queues `message` from `from` to `recipients` the way submission does.
    @discardableResult
    static func submit(_ store: MailStore, _ message: [UInt8], from: String = "anna@a.test",
                       to recipients: [String]) async throws -> DeliveryOutcome {
        try await store.delivery.deliver(message: message, envelope: Envelope(
            mailFrom: from, recipients: recipients, receivedAt: Date(), authenticatedUser: from.isEmpty ? nil : from,
            direction: .outbound, source: MessageSource("submission")))
    }

    @Test func deferredOnceThenDeliveredExactlyOnce() async throws {
        try await Self.withFixture { f in
            try await Self.submit(f.store, Self.message("d1@a.test"), to: ["defer@sink.test"])
            f.clock.freeze()  // the retry's wait below is measured on this clock, not the wall's
            var report = try await f.delivery.deliverDue()
            let afterFirst = try await f.store.queue.list()
            #expect(report.deferred == 1 && report.delivered == 0, "\(afterFirst)")
            var row = try #require(try await f.store.queue.list().first)
            #expect(row.status == "queued" && row.attempts == 1 && row.statusCode == "4.3.0")
            let wait = row.nextAttempt.timeIntervalSince(f.clock.now)
            #expect(abs(wait - 60) < 0.01, "\(wait)")  // the first step, to the stored time's precision
            #expect(row.lastError?.contains("451") == true)

            // Not due yet: nothing is sent.
            f.clock.advance(30)
            report = try await f.delivery.deliverDue()
            #expect(report == OutboundRunReport())
            #expect(try f.sink.entries().count == 1)

            f.clock.advance(31)
            report = try await f.delivery.deliverDue()
            #expect(report.delivered == 1)
            row = try #require(try await f.store.queue.list().first)
            #expect(row.status == "delivered" && row.attempts == 2 && row.deliveredAt != nil && row.remoteMTA == "127.0.0.1")
            f.clock.advance(3600)
            #expect(try await f.delivery.deliverDue() == OutboundRunReport())
            let entries = try f.sink.entries()
            #expect(entries.map(\.outcome) == ["deferred", "accepted"])
            #expect(try f.sink.accepted().count == 1)
        }
    }

    @Test func rejectedRecipientBouncesIntoTheLocalSendersInbox() async throws {
        try await Self.withFixture { f in
            let original = Self.message("r1@a.test", subject: "Figures for Q3")
            try await Self.submit(f.store, original, to: ["ok@sink.test", "reject@sink.test"])
            let report = try await f.delivery.deliverDue()
            let rowsAfter = try await f.store.queue.list().map { "\($0.status) \($0.lastError ?? "")" }
            #expect(report.delivered == 1 && report.failed == 1 && report.bounces == 1, "\(rowsAfter)")
            let accepted = try f.sink.accepted()
            #expect(accepted.count == 1 && accepted.first?.rcpt_tos == ["ok@sink.test"])

            let inbox = try await f.store.mailboxes.messages(in: "INBOX", of: "anna@a.test")
            try #require(inbox.count == 1)
            let dsn = try #require(try await f.store.reader.content(sha256: inbox[0].sha256))
            let text = String(decoding: dsn, as: UTF8.self)
            #expect(Message(parsing: dsn).subject == "Undelivered Mail Returned to Sender: Figures for Q3")
            #expect(text.contains("report-type=delivery-status"))
            #expect(text.contains("Final-Recipient: rfc822; reject@sink.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"))
            #expect(text.contains("Diagnostic-Code: smtp; 550 5.1.1 <reject@sink.test>: no such user here"))
            #expect(!text.contains("Final-Recipient: rfc822; ok@sink.test"))
            // The original header is there (RFC 6522 text/rfc822-headers).
            #expect(text.contains("Content-Type: text/rfc822-headers\r\n\r\nReturn-Path: <anna@a.test>\r\n"))
            #expect(text.contains("Subject: Figures for Q3\r\nMessage-ID: <r1@a.test>\r\n"))
            // Sent from the null reverse-path, once.
            let rows = try await f.store.queue.list()
            #expect(rows.first { $0.recipient == "reject@sink.test" }?.bounce == "sent")
            #expect(try await f.delivery.sendBounces() == 0)
            #expect(try await f.store.mailboxes.messages(in: "INBOX", of: "anna@a.test").count == 1)
        }
    }

    @Test func expiryFailsAfterTheMaximumAgeWithADSN() async throws {
        try await Self.withFixture { f in
            try await Self.submit(f.store, Self.message("e1@a.test"), to: ["x@dead.test"])
            let created = try #require(try await f.store.queue.list().first).created
            f.clock.set(created)
            var attempts = 0
            while try await f.store.queue.list().first?.status == "queued", attempts < 20 {
                let report = try await f.delivery.deliverDue()
                #expect(report.delivered == 0)
                attempts += 1
                f.clock.advance(60)
            }
            // At 0, 60, 120, 180, 240 and the deadline 300 s: six attempts, then failed with 4.4.7.
            let row = try #require(try await f.store.queue.list().first)
            #expect(attempts == 6 && row.attempts == 6)
            #expect(row.status == "failed" && row.statusCode == "4.4.7" && row.bounce == "sent")
            #expect(row.lastError?.contains("connection failed") == true, "\(row.lastError ?? "")")
            let inbox = try await f.store.mailboxes.messages(in: "INBOX", of: "anna@a.test")
            try #require(inbox.count == 1)
            let text = String(decoding: try #require(try await f.store.reader.content(sha256: inbox[0].sha256)), as: UTF8.self)
            #expect(text.contains("Status: 4.4.7") && text.contains("Final-Recipient: rfc822; x@dead.test"))
        }
    }

    @Test func aFailedBounceIsNeverBounced() async throws {
        try await Self.withFixture { f in
            try await Self.submit(f.store, Self.message("n1@a.test"), from: "", to: ["reject@sink.test"])
            let report = try await f.delivery.deliverDue()
            #expect(report.failed == 1 && report.bounces == 0)
            let row = try #require(try await f.store.queue.list().first)
            #expect(row.status == "failed" && row.bounce == "suppressed")
            #expect(try await f.store.mailboxes.messages(in: "INBOX", of: "anna@a.test").isEmpty)
        }
    }

    @Test func remoteSenderGetsTheBounceQueuedFromTheNullPath() async throws {
        try await Self.withFixture { f in
            // A message from a remote sender, forwarded to a remote recipient who is refused.
            try await Self.submit(f.store, Self.message("f1@a.test"), from: "carl@sink.test", to: ["refuse@sink.test"])
            let report = try await f.delivery.deliverDue()
            #expect(report.failed == 1 && report.bounces == 1)
            let queued = try await f.store.queue.list().filter { $0.status == "queued" }
            #expect(queued.count == 1 && queued.first?.recipient == "carl@sink.test" && queued.first?.mailFrom == "")
            // It goes out with MAIL FROM:<>.
            #expect(try await f.delivery.deliverDue().delivered == 1)
            let dsn = try #require(try f.sink.accepted().last)
            #expect(dsn.mail_from == "<>" || dsn.mail_from == "")
            #expect(dsn.rcpt_tos == ["carl@sink.test"] && dsn.message.contains("Status: 5.7.1"))
        }
    }

    @Test func oneConnectionCarriesEveryMessageForADomainSignedWithoutReturnPath() async throws {
        try await Self.withFixture { f in
            var archived: [String: [UInt8]] = [:]
            for n in 0..<3 {
                let raw = Self.message("c\(n)@a.test", body: "Grüße \(n)")
                archived["c\(n)@a.test"] = raw
                try await Self.submit(f.store, raw, to: ["one@sink.test", "two@sink.test"])
            }
            let report = try await f.delivery.deliverDue()
            #expect(report.delivered == 6)
            let accepted = try f.sink.accepted()
            #expect(accepted.count == 3, "one transaction per message")
            #expect(accepted.allSatisfy { $0.rcpt_tos == ["one@sink.test", "two@sink.test"] })
            #expect(Set(accepted.map(\.peer)).count == 1, "one connection: \(accepted.map(\.peer))")
            for entry in accepted {
                #expect(entry.mail_options.contains("BODY=8BITMIME"), "\(entry.mail_options)")
                #expect(entry.mail_options.contains { $0.hasPrefix("SIZE=") }, "\(entry.mail_options)")
                // DKIM first, Return-Path gone, Received kept, dots unstuffed by the server.
                #expect(entry.message.hasPrefix("DKIM-Signature: v=1; d=a.test; s=test; b=marker-"))
                #expect(!entry.message.contains("Return-Path:"))
                #expect(entry.message.contains("\r\nReceived: from client by mx.a.test"))
                #expect(entry.message.contains("\r\n.leading dot\r\n"))
            }
            // The archive keeps the message as it came in.
            for (id, raw) in archived {
                let hits = try await f.store.catalog.messages.search(try SearchQuery(parsing: "message-id:\(id)"))
                #expect(try await f.store.reader.content(sha256: try #require(hits.first).id) == raw)
            }
        }
    }

    @Test func restartQueuesAgainWhatADeadProcessHadClaimed() async throws {
        try await Self.withFixture { f in
            try await Self.submit(f.store, Self.message("k1@a.test"), to: ["ok@sink.test"])
            let claimed = try await f.delivery.claim(excluding: [], maximumDomains: 4)
            #expect(claimed.count == 1 && claimed[0].rows.count == 1)
            #expect(try await f.store.queue.list().first?.status == "sending")
            // Claimed rows are not claimed twice, nor delivered by another run.
            #expect(try await f.delivery.deliverDue() == OutboundRunReport())
            // The process "dies"; the next start releases its claims and delivers.
            try await f.delivery.recoverClaims()
            #expect(try await f.delivery.deliverDue().delivered == 1)
            #expect(try f.sink.accepted().count == 1)
        }
    }

    @Test func requiredTLSSendsNothingToAServerWithoutSTARTTLS() async throws {
        try await Self.withFixture { f in
            try await Self.submit(f.store, Self.message("t1@a.test"), to: ["ok@tls.test"])
            #expect(try await f.delivery.deliverDue().deferred == 1)
            let row = try #require(try await f.store.queue.list().first)
            #expect(row.status == "queued" && row.statusCode == "4.7.5", "\(row)")
            #expect(row.lastError?.contains("does not offer STARTTLS") == true)
            #expect(try f.sink.entries().isEmpty)
        }
    }

    @Test func tooLargeForTheServersSizeFailsWithoutSending() async throws {
        try await Self.withFixture { f in
            let big = Self.message("big@a.test", body: String(repeating: "0123456789abcdef\r\n", count: 8000))
            try await Self.submit(f.store, big, to: ["ok@sink.test"])
            let report = try await f.delivery.deliverDue()
            #expect(report.failed == 1 && report.bounces == 1)
            let row = try #require(try await f.store.queue.list().first)
            #expect(row.statusCode == "5.3.4" && row.lastError?.contains("exceeds the server's limit of 100000") == true)
            #expect(try f.sink.entries().isEmpty)
        }
    }

    @Test func internationalAddressesUseSMTPUTF8() async throws {
        try await Self.withFixture { f in
            try await Self.submit(f.store, Self.message("u1@a.test"), to: ["jörg@sink.test"])
            #expect(try await f.delivery.deliverDue().delivered == 1)
            let entry = try #require(try f.sink.accepted().first)
            #expect(entry.rcpt_tos == ["jörg@sink.test"] && entry.mail_options.contains("SMTPUTF8"), "\(entry.mail_options)")
        }
    }
}
