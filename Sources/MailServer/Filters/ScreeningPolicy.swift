import MailStore
import SMTPServer

/// What clamd said about a message, as the policy sees it.
enum VirusVerdict: Sendable, Hashable {
    case clean
    case infected(signature: String)
    /// No verdict (down, timed out, the stream too long for clamd, an error reply), and why.
    case unavailable(String)
}

/// What rspamd said about a message, as the policy sees it.
enum SpamVerdict: Sendable, Hashable {
    case result(RspamdResult)
    /// No verdict (down, timed out, an answer that is no result or names an unknown action), and why.
    case unavailable(String)
}

/// What the end of DATA does with a message once the filters spoke.
enum ScreeningDecision: Sendable, Hashable {
    /// Deliver it, with `addedFields` after the trace fields, placed as `placement` says.
    case deliver(addedFields: [UInt8], placement: FilterPlacement?)
    /// Archive it as evidence, place it nowhere, then answer `reply`.
    case quarantine(reply: SMTPReply)
    /// Answer `reply` and store nothing: the message was never accepted.
    case refuse(SMTPReply)
}

/// The mapping from the scanners' verdicts to SMTP (RFC 5321 §4.2.5: a 5xx reply to the end of
/// DATA refuses the message, a 4xx one asks the client to try again; the enhanced codes are
/// RFC 3463 §3.8's X.7.1, "delivery not authorized, message refused"). Pure: no I/O.
struct ScreeningPolicy: Sendable {
    var spam: TresorConfiguration.SpamSettings
    var antivirus: TresorConfiguration.AntivirusSettings

    /// After clamd: a decision, or nil to go on to the spam check.
    func afterVirusScan(_ verdict: VirusVerdict) -> ScreeningDecision? {
        switch verdict {
        case .clean:
            return nil
        case .infected(let signature):
            let reply = SMTPReply(554, "5.7.1", "Message refused: malware found (\(Self.printable(signature)))")
            return antivirus.infected == .quarantine ? .quarantine(reply: reply) : .refuse(reply)
        case .unavailable:
            switch antivirus.fail {
            case .accept: return nil
            case .defer: return .refuse(SMTPReply(451, "4.7.1", "Message not scanned for malware, try again later"))
            }
        }
    }

    /// After rspamd (rspamd's actions page: what each recommended action means for the MTA).
    func afterSpamCheck(_ verdict: SpamVerdict) -> ScreeningDecision {
        let result: RspamdResult
        switch verdict {
        case .unavailable:
            switch spam.fail {
            case .accept: return .deliver(addedFields: [], placement: nil)
            case .defer: return .refuse(SMTPReply(451, "4.7.1", "Spam filter unavailable, try again later"))
            }
        case .result(let scanned):
            result = scanned
        }
        switch result.action {
        case .noAction:
            return .deliver(addedFields: [], placement: nil)
        case .addHeader, .rewriteSubject:
            // `rewrite subject` is marked like `add header`: the message's own bytes stay as sent.
            return .deliver(addedFields: SpamHeaderFields.make(result, actionText: result.action.text),
                            placement: spam.junk ? .junk : nil)
        case .greylist:
            return .refuse(SMTPReply(451, "4.7.1", "Greylisted, try again later"))
        case .softReject:
            return .refuse(SMTPReply(451, "4.7.1", "Message deferred by the spam filter, try again later"))
        case .reject:
            return .refuse(SMTPReply(550, "5.7.1", "Message refused as spam"))
        case .other(let action):
            return afterSpamCheck(.unavailable("rspamd recommended the unknown action \"\(action)\""))
        }
    }

    /// A signature name as reply text: printable ASCII only (RFC 5321 §4.2: textstring), at most
    /// 200 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(200)))
    }
}
