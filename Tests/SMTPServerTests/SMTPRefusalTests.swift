import SMTPServer
import Testing

@Suite struct SMTPRefusalTests {
    @Test(arguments: [
        (SMTPReply(550, "5.1.1", "<x@localhost>: unknown user"), SMTPRefusal.Stage.rcpt, "unknown user"),
        (SMTPReply(554, "5.7.1", "<x@remote.test>: relay access denied"), .rcpt, "relay denied"),
        (SMTPReply(553, "5.7.1", "Sender address not owned by alice"), .mail, "sender not permitted"),
        (SMTPReply.authenticationRequired, .mail, "authentication required"),
        (SMTPReply.messageTooBig, .mail, "message too big"),
        (SMTPReply(552, "5.3.4", "Message too big for the archive"), .data, "message too big"),
        (SMTPReply.tooManyRecipients, .rcpt, "too many recipients"),
        (SMTPReply(452, "4.3.1", "Insufficient system storage"), .data, "storage full"),
        (SMTPReply(550, "5.7.26", "DMARC"), .data, "policy"),
        (SMTPReply(550, nil, "no"), .rcpt, "refused"),
    ])
    func reasonFromTheEnhancedStatusCode(_ reply: SMTPReply, _ stage: SMTPRefusal.Stage, _ reason: String) {
        #expect(SMTPRefusal.reason(for: reply, at: stage) == reason)
    }

    @Test func resultAndLogValue() {
        #expect(SMTPRefusal.result(of: .ok) == "accepted")
        #expect(SMTPRefusal.result(of: .tooManyRecipients) == "deferred")
        #expect(SMTPRefusal.result(of: .messageTooBig) == "refused")
        #expect(SMTPReply(250, "2.0.0", "one\ntwo").logValue == "250 2.0.0 one / two")
        #expect(SMTPReply(354, nil, "go").logValue == "354 go")
    }
}
