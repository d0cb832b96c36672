import MailMessage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The trace fields prepended at delivery (RFC 5321 §4.4).
enum TraceHeaders {
    // Return-path-line = "Return-Path:" FWS Reverse-path <CRLF>
    // Time-stamp-line  = "Received:" FWS Stamp <CRLF>
    // Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
    // From-domain = "FROM" FWS Extended-Domain ; Extended-Domain = Domain FWS "(" TCP-info ")"
    // By-domain = CFWS "BY" FWS Extended-Domain
    // Opt-info = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
    /// `Return-Path:` and `Received:` lines, each ending in CRLF.
    static func make(
        mailFrom: String, recipients: [String], helo: String?, clientAddress: String, hostname: String,
        protocolName: String, id: String, date: Date
    ) -> [UInt8] {
        var text = "Return-Path: <\(mailFrom)>\r\n"
        text += "Received: from \(sanitize(helo ?? "unknown")) (\(addressLiteral(clientAddress)))\r\n"
        text += "\tby \(sanitize(hostname)) (Tresor) with \(protocolName) id \(id)"
        // §7.2: "for" names the recipient only when there is one, not to reveal Bcc lists.
        if recipients.count == 1 { text += "\r\n\tfor <\(recipients[0])>" }
        text += "; \(DateWriter.utcDateTime(date))\r\n"
        return Array(text.utf8)
    }

    /// §4.1.3: IPv4 literal "[192.0.2.1]", IPv6 "[IPv6:2001:db8::1]".
    static func addressLiteral(_ address: String) -> String {
        address.contains(":") ? "[IPv6:\(address)]" : "[\(address)]"
    }

    /// The HELO argument is whatever the client said: keep it to characters that cannot end the
    /// clause or the header.
    static func sanitize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_", ":", "[", "]": scalar
            default: "?"
            }
        }))
    }
}
