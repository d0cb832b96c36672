import Testing
@testable import MailServer
import MailStore

/// The filters' pure parts: what each verdict means on the wire, clamd's and rspamd's replies
/// read, the header fields written, endpoints parsed.
@Suite struct ScreeningPolicyTests {
    static func policy(junk: Bool = true, spamFail: FilterFailMode = .accept, infected: TresorConfiguration.InfectedAction = .reject,
                       virusFail: FilterFailMode = .defer) -> ScreeningPolicy {
        var spam = TresorConfiguration.SpamSettings()
        spam.junk = junk
        spam.fail = spamFail
        var antivirus = TresorConfiguration.AntivirusSettings()
        antivirus.infected = infected
        antivirus.fail = virusFail
        return ScreeningPolicy(spam: spam, antivirus: antivirus)
    }

    /// rspamd's action → the end of DATA: (reply code and enhanced code, or 250), placement.
    @Test(arguments: [
        ("no action", true, "250", nil),
        ("add header", true, "250", FilterPlacement.junk),
        ("add header", false, "250", nil),
        ("rewrite subject", true, "250", .junk),
        ("greylist", true, "451 4.7.1", nil),
        ("soft reject", true, "451 4.7.1", nil),
        ("reject", true, "550 5.7.1", nil),
        ("discard", true, "250", nil),            // unknown to this client: the fail mode (accept)
    ] as [(String, Bool, String, FilterPlacement?)])
    func rspamdActions(_ action: String, _ junk: Bool, _ expected: String, _ placement: FilterPlacement?) {
        let result = RspamdResult(action: RspamdAction(action), score: 7, requiredScore: 15, symbols: ["A"])
        switch Self.policy(junk: junk).afterSpamCheck(.result(result)) {
        case .deliver(let fields, let placed):
            #expect(expected == "250")
            #expect(placed == placement)
            #expect(fields.isEmpty == (action == "no action" || action == "discard"), "\(action)")
        case .refuse(let reply):
            #expect("\(reply.code) \(reply.enhanced ?? "")" == expected)
        case .quarantine:
            Issue.record("rspamd never quarantines")
        }
    }

    @Test func failModes() {
        #expect(Self.policy().afterSpamCheck(.unavailable("down")) == .deliver(addedFields: [], placement: nil))
        guard case .refuse(let spamReply) = Self.policy(spamFail: .defer).afterSpamCheck(.unavailable("down")) else {
            Issue.record("spam fail = defer refuses")
            return
        }
        #expect(spamReply.code == 451 && spamReply.enhanced == "4.7.1")
        guard case .refuse(let virusReply)? = Self.policy().afterVirusScan(.unavailable("down")) else {
            Issue.record("antivirus fail = defer (the default) refuses")
            return
        }
        #expect(virusReply.code == 451 && virusReply.enhanced == "4.7.1")
        #expect(Self.policy(virusFail: .accept).afterVirusScan(.unavailable("down")) == nil)
        #expect(Self.policy().afterVirusScan(.clean) == nil)
    }

    @Test func infectedMailIsRefusedOrQuarantinedWithTheSignature() {
        guard case .refuse(let reply)? = Self.policy().afterVirusScan(.infected(signature: "Eicar-Test\r\nX")) else {
            Issue.record("reject refuses")
            return
        }
        #expect(reply.code == 554 && reply.enhanced == "5.7.1" && reply.text.contains("Eicar-TestX"))
        guard case .quarantine(let quarantined)? = Self.policy(infected: .quarantine)
            .afterVirusScan(.infected(signature: "Eicar-Test")) else {
            Issue.record("quarantine quarantines")
            return
        }
        #expect(quarantined.code == 554)
    }

    @Test(arguments: [
        ("stream: OK\0", ClamdReply.clean),
        ("stream: Eicar-Test-Signature FOUND\0", .infected(signature: "Eicar-Test-Signature")),
        ("stream: Tresor.Test.EICAR.UNOFFICIAL FOUND\n", .infected(signature: "Tresor.Test.EICAR.UNOFFICIAL")),
        ("INSTREAM size limit exceeded. ERROR\0", .error("INSTREAM size limit exceeded. ERROR")),
        ("stream: FOUND\0", .error("stream: FOUND")),
        ("stream: lstat() failed. ERROR\0", .error("stream: lstat() failed. ERROR")),
        ("", .error("")),
    ])
    func clamdReplies(_ text: String, _ expected: ClamdReply) {
        #expect(ClamdReply(parsing: Array(text.utf8)) == expected)
    }

    @Test func rspamdReplyIsRead() throws {
        let result = try RspamdResult(json: Array("""
            {"is_skipped":false,"score":7.5,"required_score":15.0,"action":"add header",
             "symbols":{"B_RULE":{"name":"B_RULE","score":5.0},"A_RULE":{"name":"A_RULE","score":2.5}},
             "messages":{},"message-id":"1@x"}
            """.utf8))
        #expect(result == RspamdResult(action: .addHeader, score: 7.5, requiredScore: 15, symbols: ["A_RULE", "B_RULE"]))
        #expect(throws: FilterFailure.self) { try RspamdResult(json: Array("<html>busy</html>".utf8)) }
        #expect(throws: FilterFailure.self) { try RspamdResult(json: Array(#"{"error":"bad request"}"#.utf8)) }
    }

    @Test func spamHeaderFieldsAreFoldedAndGoAfterTheTraceFields() {
        let symbols = (1...12).map { "SOME_LONGER_RULE_NAME_\($0)" }
        let fields = String(decoding: SpamHeaderFields.make(
            RspamdResult(action: .addHeader, score: 6.456, requiredScore: 15, symbols: symbols), actionText: "add header"),
                            as: UTF8.self)
        let lines = fields.components(separatedBy: "\r\n").dropLast()
        #expect(lines.first == #"X-Spam-Status: Yes, score=6.46 required=15.00 action="add header""#)
        #expect(lines.last == "X-Spam-Score: 6.46")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines)")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix(" ") })
        #expect(fields.replacingOccurrences(of: "\r\n ", with: "").contains(symbols.joined(separator: ",")))
        #expect(SpamHeaderFields.decimal(-0.504) == "-0.50" && SpamHeaderFields.decimal(0) == "0.00")

        let message = Array("Return-Path: <a@b.test>\r\nReceived: from x\r\n\tby y; date\r\nReceived: older\r\nSubject: s\r\n\r\nbody".utf8)
        let offset = SpamHeaderFields.insertionOffset(in: message)
        #expect(String(decoding: message[offset...], as: UTF8.self).hasPrefix("Received: older"))
        #expect(SpamHeaderFields.insertionOffset(in: Array("Subject: s\r\n\r\n".utf8)) == 0)
    }

    @Test func rspamdRequestCarriesTheEnvelopeAndSession() {
        let fields = RspamdRequest.headerFields(
            mailFrom: "", recipients: ["a@x.test", "b@x.test"], clientAddress: "192.0.2.1", helo: "mail\r\nX: y",
            authenticatedUser: nil, queueID: "Q1", hostname: "mx.test")
        #expect(fields.map(\.0) == ["From", "Rcpt", "Rcpt", "IP", "Helo", "Queue-Id", "MTA-Name"])
        #expect(fields.first?.1 == "<>")
        #expect(fields.first { $0.0 == "Helo" }?.1 == "mailX: y")
    }

    @Test(arguments: [
        ("127.0.0.1:3310", FilterEndpoint.tcp(host: "127.0.0.1", port: 3310)),
        ("[::1]:11333", .tcp(host: "::1", port: 11333)),
        ("clamav.internal:3310", .tcp(host: "clamav.internal", port: 3310)),
        ("/run/clamav/clamd.ctl", .unixSocket(path: "/run/clamav/clamd.ctl")),
    ])
    func endpoints(_ text: String, _ expected: FilterEndpoint) {
        #expect(FilterEndpoint(parsing: text) == expected)
        #expect(expected.description == text)
    }

    @Test func badEndpoints() {
        for text in ["localhost", "127.0.0.1:0", ":3310", "host:port", "127.0.0.1:70000"] {
            #expect(FilterEndpoint(parsing: text) == nil, "\(text)")
        }
    }
}
