import Delivery
import Foundation
import Logging
import SMTPServer
import Testing
@testable import MailServer

/// `SenderAuthentication` without a network: which DMARC outcomes the configured actions apply
/// to, and what a message gets when the DNS never answers within the time limit.
@Suite struct SenderAuthenticationTests {
    /// A resolver that answers nothing until cancelled.
    struct SilentDNS: SPFNameLookup {
        func lookup(_ name: DNSName, type: DNSRecordType) async throws(DNSResolutionError) -> DNSLookupResult {
            let (stream, _) = AsyncStream<Int>.makeStream()
            for await _ in stream {}
            return .noSuchName
        }
    }

    static func checker(_ settings: TresorConfiguration.AuthCheckSettings) -> SenderAuthentication {
        SenderAuthentication(settings: settings, authservID: "mx.example.com", dns: SilentDNS(),
                             suffixes: PublicSuffixList(text: ""), clock: FilterTimeoutTests.ElapsedClock(),
                             now: { Date(timeIntervalSince1970: 1_800_000_000) }, logger: Logger(label: "test"))
    }

    static func outcome(_ code: DMARCEvaluator.Outcome.Code, _ policy: DMARCRecord.Policy) -> DMARCEvaluator.Outcome {
        DMARCEvaluator.Outcome(code: code, fromDomain: "bank.test", disposition: policy, reason: "")
    }

    @Test func onlyAFailUnderRejectOrQuarantineIsActedOn() {
        var settings = TresorConfiguration.AuthCheckSettings()
        settings.dmarcReject = .reject
        settings.dmarcQuarantine = .record
        let checker = Self.checker(settings)
        #expect(checker.action(for: Self.outcome(.fail, .reject)) == .reject)
        #expect(checker.action(for: Self.outcome(.fail, .quarantine)) == .record)
        #expect(checker.action(for: Self.outcome(.fail, .none)) == nil)
        #expect(checker.action(for: Self.outcome(.pass, .none)) == nil)
        #expect(checker.action(for: Self.outcome(.temperror, .none)) == nil)
        #expect(checker.action(for: nil) == nil)
    }

    @Test func checksThatDoNotFinishInTimeAreTemperrorAndTheMessageIsTaken() async {
        var settings = TresorConfiguration.AuthCheckSettings()
        settings.enabled = true
        settings.dmarcReject = .reject
        let message = Array("Return-Path: <a@bank.test>\r\nReceived: from x\r\n\tby mx; now\r\nFrom: <a@bank.test>\r\n\r\nHi\r\n".utf8)
        let envelope = SMTPEnvelope(id: "T1", mailFrom: "a@bank.test", recipients: ["b@example.com"], utf8: false,
                                    body: .sevenBit)
        let session = SMTPSessionInfo(listener: .mx, clientAddress: "192.0.2.1", isLoopback: false, helo: "client.test")
        guard case .deliver(let checked, let placement, let summary) = await Self.checker(settings)
            .check(message, envelope: envelope, session: session) else {
            Issue.record("refused though no check finished")
            return
        }
        #expect(placement == nil)
        #expect(summary == ["dkim=none", "dmarc=temperror", "spf=temperror"])
        let text = String(decoding: checked, as: UTF8.self)
        // After Return-Path and the folded Received field, before the sender's fields.
        #expect(text.hasPrefix("Return-Path: <a@bank.test>\r\nReceived: from x\r\n\tby mx; now\r\n"
                               + "Authentication-Results: mx.example.com;\r\n\tspf=temperror"))
        #expect(text.hasSuffix("From: <a@bank.test>\r\n\r\nHi\r\n"))
    }
}
