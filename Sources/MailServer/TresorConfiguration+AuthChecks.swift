import Delivery

extension TresorConfiguration {
    /// `[auth_checks]`: sender authentication of mail arriving on the MX listener — SPF (RFC 7208)
    /// for MAIL FROM and HELO, every DKIM signature (RFC 6376), DMARC (RFC 7489) — recorded in an
    /// `Authentication-Results:` field (RFC 8601). Off unless `enabled`.
    ///
    /// ```toml
    /// [auth_checks]
    /// enabled = true
    /// dmarc_reject = "junk"        # reject | junk | record: what a DMARC fail under p=reject gets
    /// dmarc_quarantine = "junk"    # the same for p=quarantine
    /// authserv_id = "mx.example.com"  # default: hostname
    /// timeout = "20s"              # all DNS work for one message together
    /// ```
    public struct AuthCheckSettings: Sendable, Equatable {
        public var enabled = false
        /// Junk by default: a forged From lands where the user can still look, and a legitimate
        /// message broken by a mailing list (RFC 7489 §6.7's reason for local overrides) is not lost.
        public var dmarcReject: DMARCAction = .junk
        /// RFC 7489 §6.3 p=quarantine: "treat with suspicion", which a Junk folder is.
        public var dmarcQuarantine: DMARCAction = .junk
        /// RFC 8601 §2.5: the name of this authentication service; nil means the server's hostname.
        public var authservID: String?
        /// A generous bound on all lookups of one message: SPF alone may take 10 DNS terms
        /// (RFC 7208 §4.6.4), each under the resolver's own timeout.
        public var timeout: Duration = .seconds(20)

        public init() {}
    }

    /// What a message failing DMARC under a reject or quarantine policy gets.
    public enum DMARCAction: String, Sendable, Hashable, CaseIterable {
        /// 550 5.7.1 at the end of DATA; nothing is stored.
        case reject
        /// Archived, the Authentication-Results field added, filed into Junk instead of INBOX.
        case junk
        /// Archived and filed as usual; only the field tells.
        case record
    }

    mutating func readAuthCheckSettings(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        guard var table = try reader.table("auth_checks") else { return }
        if let enabled = try table.bool("enabled") { authChecks.enabled = enabled }
        for (key, keyPath) in [("dmarc_reject", \AuthCheckSettings.dmarcReject),
                               ("dmarc_quarantine", \AuthCheckSettings.dmarcQuarantine)] {
            guard let text = try table.string(key, nonEmpty: true) else { continue }
            guard let action = DMARCAction(rawValue: text) else {
                throw table.error(key, "must be \"reject\", \"junk\" or \"record\", not \"\(text)\"")
            }
            authChecks[keyPath: keyPath] = action
        }
        if let text = try table.string("authserv_id", nonEmpty: true) {
            // RFC 8601 §2.2/§2.5: a token, in practice this host's name; no spaces, no ";".
            guard (try? DNSName(text)) != nil,
                  text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ";") }) else {
                throw table.error("authserv_id", "must be a host name like \"mx.example.com\", not \"\(text)\"")
            }
            authChecks.authservID = text
        }
        if let text = try table.string("timeout", nonEmpty: true) {
            guard let timeout = RetrySchedule.parseDuration(text), timeout >= .seconds(1), timeout <= .seconds(120) else {
                throw table.error("timeout", "must be a duration from 1s to 2 minutes like \"20s\", not \"\(text)\"")
            }
            authChecks.timeout = timeout
        }
        try table.finish()
    }

    /// The `[auth_checks]` lines of `effectiveSettings`.
    var authCheckEffectiveSettings: [(String, String)] {
        [("auth_checks.enabled", "\(authChecks.enabled)"),
         ("auth_checks.dmarc_reject", authChecks.dmarcReject.rawValue),
         ("auth_checks.dmarc_quarantine", authChecks.dmarcQuarantine.rawValue),
         ("auth_checks.authserv_id", authChecks.authservID ?? hostname),
         ("auth_checks.timeout_seconds", "\(authChecks.timeout.components.seconds)")]
    }
}
