import Foundation
import MailMessage
import Sieve
import Testing
@testable import MailStore

/// Which messages a vacation request may answer (RFC 5230 §4.5–4.6, RFC 3834), and the reply's
/// header (RFC 5230 §5). Pure values: no store.
@Suite struct VacationDecisionTests {
    static let request = SieveVacation(reason: "Away.", addresses: ["alice.smith@example.org"], period: 86_400)

    static func message(to: String = "alice@example.org", extra: String = "") -> Message {
        Message(parsing: Array(("From: Carol <carol@remote.test>\r\nTo: \(to)\r\nSubject: Lunch\r\n"
            + "Message-ID: <m1@remote.test>\r\n\(extra)\r\nHi.\r\n").utf8))
    }

    static func decide(_ message: Message, from sender: String = "carol@remote.test",
                       envelopeTo: String = "alice@example.org") -> VacationDecision {
        VacationDecision(request, message: message, envelopeFrom: sender, user: "alice@example.org", envelopeTo: envelopeTo)
    }

    @Test func anOrdinaryMessageIsAnsweredAtItsEnvelopeSender() {
        #expect(Self.decide(Self.message(), from: "bounces+carol@remote.test") == .reply(to: "bounces+carol@remote.test"))
        // The user's other addresses count: :addresses, the envelope recipient with its detail.
        #expect(Self.decide(Self.message(to: "Alice.Smith@example.org")) == .reply(to: "carol@remote.test"))
        #expect(Self.decide(Self.message(to: "alice+work@example.org"), envelopeTo: "alice+work@example.org")
                == .reply(to: "carol@remote.test"))
        #expect(Self.decide(Self.message(to: "x@remote.test", extra: "Cc: <ALICE@example.org>\r\n"))
                == .reply(to: "carol@remote.test"))
        #expect(Self.decide(Self.message(extra: "Auto-Submitted: no\r\n")) == .reply(to: "carol@remote.test"))
    }

    @Test(arguments: [
        ("", ""),
        ("carol@remote.test", "Auto-Submitted: auto-replied\r\n"),
        ("carol@remote.test", "Auto-Submitted: auto-generated; owner-email=x@y\r\n"),
        ("carol@remote.test", "Precedence: bulk\r\n"),
        ("carol@remote.test", "Precedence: junk\r\n"),
        ("carol@remote.test", "Precedence: list\r\n"),
        ("carol@remote.test", "List-Id: A list <list.remote.test>\r\n"),
        ("carol@remote.test", "List-Unsubscribe: <mailto:leave@remote.test>\r\n"),
        ("MAILER-DAEMON@remote.test", ""),
        ("owner-list@remote.test", ""),
        ("list-request@remote.test", ""),
        ("alice@example.org", ""),
    ])
    func automaticListAndOwnMailIsNotAnswered(sender: String, extra: String) {
        guard case .suppressed = Self.decide(Self.message(extra: extra), from: sender) else {
            Issue.record("answered: sender \(sender), \(extra)")
            return
        }
    }

    @Test func aMessageThatDoesNotNameTheUserIsNotAnswered() {
        guard case .suppressed(let reason) = Self.decide(Self.message(to: "team@remote.test")) else {
            Issue.record("answered")
            return
        }
        #expect(reason.contains("RFC 5230 §4.5"))
    }

    @Test func theReplyCarriesTheRFC5230Fields() {
        let original = Self.message(extra: "References: <m0@remote.test>\r\n")
        let raw = VacationReply.make(SieveVacation(reason: "Zurück am Montag.", period: 86_400), original: original,
                                     user: "alice@example.org", to: "carol@remote.test",
                                     date: Date(timeIntervalSince1970: 1_800_000_000), token: "t1")
        let reply = Message(parsing: raw)
        #expect(reply.from.map(\.mailbox) == ["alice@example.org"])
        #expect(reply.to.map(\.mailbox) == ["carol@remote.test"])
        #expect(reply.subject == "Auto: Lunch")
        #expect(reply.inReplyTo == ["m1@remote.test"])
        #expect(reply.references == ["m0@remote.test", "m1@remote.test"])
        #expect(reply.header.first(named: "Auto-Submitted").map { String(decoding: $0, as: UTF8.self) } == "auto-replied")
        #expect(reply.plainText().contains("Zurück am Montag."))
        #expect(!raw.enumerated().contains { $0.element == 0x0A && ($0.offset == 0 || raw[$0.offset - 1] != 0x0D) })
    }

    @Test func aSubjectThatIsNotASCIIIsEncoded() {
        let raw = VacationReply.make(SieveVacation(reason: "x", subject: "Abwesend – zurück am Montag", period: 86_400),
                                     original: Self.message(), user: "alice@example.org", to: "carol@remote.test",
                                     date: Date(timeIntervalSince1970: 1_800_000_000), token: "t2")
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.contains("Subject: =?utf-8?B?"))
        #expect(Message(parsing: raw).subject == "Abwesend – zurück am Montag")
    }
}
