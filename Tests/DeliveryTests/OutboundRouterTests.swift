import Delivery
import Foundation
import MailMessage
import Testing

/// A resolver that answers from a table, counting its questions.
struct FakeExchangerResolver: MailExchangerResolver {
    var answers: [String: MailExchangerAnswer] = [:]
    var temporary: Set<String> = []

    func mailExchangers(for domain: String) async throws -> MailExchangerAnswer {
        if temporary.contains(domain) { throw DNSResolutionError.temporary("SERVFAIL") }
        return answers[domain] ?? .noSuchDomain
    }
}

@Suite struct OutboundRouterTests {
    let resolver = FakeExchangerResolver(
        answers: [
            "mx.test": .hosts([MailExchanger(name: "a.mx.test", preference: 10, addresses: ["192.0.2.1"]),
                               MailExchanger(name: "b.mx.test", preference: 20, addresses: [])]),
            "null.test": .nullMX,
            "partner.test": .hosts([MailExchanger(name: "mx.partner.test", preference: 0, addresses: ["192.0.2.9"])]),
        ],
        temporary: ["flaky.test"])

    @Test func routeBeatsSmarthostBeatsMX() async {
        var router = OutboundRouter(routes: ["partner.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: 2626),
                                                                           requireTLS: true)],
                                    mxPort: 2525, resolver: resolver)
        #expect(await router.route("Partner.TEST") == .hosts([OutboundHost(name: "127.0.0.1", port: 2626, tls: .required)]))
        #expect(await router.route("mx.test") == .hosts([
            OutboundHost(name: "a.mx.test", addresses: ["192.0.2.1"], port: 2525),
            OutboundHost(name: "b.mx.test", addresses: [], port: 2525),
        ]))
        router.smarthost = RelayAddress(host: "relay.test", port: 587)
        router.smarthostCredentials = SMTPCredentials(user: "u", password: "p")
        #expect(await router.route("mx.test") == .hosts([
            OutboundHost(name: "relay.test", port: 587, credentials: SMTPCredentials(user: "u", password: "p")),
        ]))
        #expect(await router.route("partner.test") == .hosts([OutboundHost(name: "127.0.0.1", port: 2626, tls: .required)]))
    }

    @Test func dnsAnswersDecideFailures() async {
        let router = OutboundRouter(resolver: resolver)
        #expect(await router.route("null.test") == .permanentFailure(
            status: "5.1.10", reason: "null.test accepts no mail (null MX, RFC 7505)"))
        guard case .permanentFailure(let status, _) = await router.route("nowhere.test") else {
            Issue.record("NXDOMAIN is permanent")
            return
        }
        #expect(status == "5.1.2")
        guard case .temporaryFailure(let temporary, _) = await router.route("flaky.test") else {
            Issue.record("SERVFAIL is temporary")
            return
        }
        #expect(temporary == "4.4.3")
        var required = router
        required.requireTLS = true
        guard case .hosts(let hosts) = await required.route("mx.test") else {
            Issue.record("MX hosts expected")
            return
        }
        #expect(hosts.allSatisfy { $0.tls == .required && $0.port == 25 })
    }
}

@Suite struct DeliveryStatusNotificationTests {
    @Test func multipartReportWithOriginalHeaders() throws {
        let original = Array("""
            Return-Path: <anna@a.test>\r
            From: Anna <anna@a.test>\r
            To: <bob@b.test>\r
            Subject: Quarterly figures\r
            Message-ID: <q1@a.test>\r
            \r
            The secret body.\r

            """.utf8)
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let dsn = DeliveryStatusNotification(
            reportingMTA: "mx.a.test", sender: "anna@a.test",
            recipients: [.init(address: "bob@b.test", status: "5.1.1", remoteMTA: "mx.b.test",
                               diagnostic: "550 5.1.1 no such\r\nuser", lastAttempt: date)],
            original: original, arrivalDate: date, date: date)
        let bytes = dsn.encoded(token: "0123456789abcdef")
        let text = String(decoding: bytes, as: UTF8.self)
        let message = Message(parsing: bytes)
        #expect(message.subject == "Undelivered Mail Returned to Sender: Quarterly figures")
        #expect(message.from.first?.mailbox == "MAILER-DAEMON@mx.a.test")
        #expect(text.contains("Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"tresor-dsn-0123456789abcdef\""))
        #expect(text.contains("Auto-Submitted: auto-replied\r\n"))
        // RFC 3464 §2.2, §2.3: per-message, then per-recipient fields.
        #expect(text.contains("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.a.test\r\nArrival-Date: "))
        #expect(text.contains("""
            \r\n\r\nFinal-Recipient: rfc822; bob@b.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\
            Remote-MTA: dns; mx.b.test\r\nDiagnostic-Code: smtp; 550 5.1.1 no such  user\r\n
            """))
        // RFC 6522 §3: the original header, not its body.
        #expect(text.contains("Content-Type: text/rfc822-headers\r\n\r\nReturn-Path: <anna@a.test>\r\nFrom: Anna <anna@a.test>"))
        #expect(text.contains("Message-ID: <q1@a.test>\r\n\r\n--tresor-dsn-0123456789abcdef--\r\n"))
        #expect(!text.contains("secret body"))
        // Every line ends in CRLF.
        #expect(!bytes.enumerated().contains { $0.element == 0x0A && ($0.offset == 0 || bytes[$0.offset - 1] != 0x0D) })
    }
}
