/// Why a MAIL, RCPT or message was refused, in words for the log, read from the reply's
/// enhanced status code (RFC 3463 §3: subject and detail) and the command it answered.
public enum SMTPRefusal {
    /// The command a refusal answered.
    public enum Stage: String, Sendable {
        case mail, rcpt, data
    }

    public static func reason(for reply: SMTPReply, at stage: Stage) -> String {
        guard let enhanced = reply.enhanced else { return "refused" }
        let detail = enhanced.split(separator: ".").dropFirst().joined(separator: ".")
        switch detail {
        case "1.1": return "unknown user"                   // §3.2 X.1.1 bad destination mailbox
        case "7.1":                                         // §3.8 X.7.1 delivery not authorized
            switch stage {
            case .mail: return "sender not permitted"
            case .rcpt: return "relay denied"
            case .data: return "policy"
            }
        case "7.0": return "authentication required"        // RFC 4954 §6
        case "3.4", "2.3": return "message too big"         // §3.4 X.3.4, §3.3 X.2.3
        case "5.3": return "too many recipients"            // §3.6 X.5.3
        case "6.7": return "needs SMTPUTF8"                 // RFC 6531 §3.7.4
        case "3.1": return "storage full"                   // §3.4 X.3.1 mail system full
        case "3.0", "4.0": return "temporary failure"
        case "5.1": return "bad command sequence"           // §3.6 X.5.1
        case "5.2", "5.4": return "syntax"                  // §3.6 X.5.2, X.5.4
        default: return detail.hasPrefix("7.") ? "policy" : "refused"
        }
    }

    /// "accepted" (2xx/3xx), "deferred" (4xx, the client tries again) or "refused" (5xx).
    public static func result(of reply: SMTPReply) -> String {
        reply.code < 400 ? "accepted" : reply.code < 500 ? "deferred" : "refused"
    }
}

extension SMTPReply {
    /// The reply as one log value: code, enhanced code and text, lines joined by " / ".
    public var logValue: String {
        ([String(code)] + (enhanced.map { [$0] } ?? []) + [text.split(separator: "\n").joined(separator: " / ")])
            .joined(separator: " ")
    }
}
