import Delivery
import Logging
import MailMessage
import SMTPServer
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sender authentication of mail on the MX listener at the end of DATA, before anything is
/// journaled: SPF for the HELO name and for MAIL FROM (RFC 7208 §2.3, §2.4), every DKIM
/// signature (RFC 6376 §6.1), then DMARC (RFC 7489 §6.6) over the From domain with the SPF
/// result of MAIL FROM (or of HELO for a null reverse-path, §4.1) and the DKIM results.
///
/// Invariants: every lookup goes through the server's DNS resolver (NIO sockets, no blocking
/// call); all of one message's checks share one time limit on the injected clock, and a check
/// that did not finish is a temperror, which never rejects; only a DMARC fail under the sender's
/// reject or quarantine policy changes a message's fate, as `[auth_checks]` says.
struct SenderAuthentication: Sendable {
    var settings: TresorConfiguration.AuthCheckSettings
    /// RFC 8601 §2.5: the name this server's results carry.
    var authservID: String
    var dns: any SPFNameLookup
    var suffixes: PublicSuffixList
    var clock: any Clock<Duration>
    var now: @Sendable () -> Date
    var logger: Logger

    /// What the checks decided for one message.
    enum Decision: Sendable {
        /// Refused at the end of DATA (DMARC fail under p=reject or p=quarantine mapped to `reject`).
        case refuse(SMTPReply)
        /// Deliver `message` (the field prepended after the trace fields, claimed fields disarmed),
        /// placed as `placement` says; `summary` goes into the envelope for `auth:` queries.
        case deliver(message: [UInt8], placement: FilterPlacement?, summary: [String])
    }

    /// The results of the three checks, as `AuthenticationResultsField` takes them.
    struct Results: Sendable {
        var helo: (SPFResult, SPFIdentity, domain: String)?
        var spf: (SPFResult, SPFIdentity, domain: String)?
        var dkim: [DKIMSignatureResult]
        var dmarc: DMARCEvaluator.Outcome?

        /// "spf=pass", "dkim=fail", "dmarc=none"…: the method=result pairs the catalog indexes.
        var summary: [String] {
            var pairs: [String] = []
            if let spf { pairs.append("spf=\(spf.0.code.rawValue)") }
            if dkim.isEmpty { pairs.append("dkim=none") }
            for signature in dkim { pairs.append("dkim=\(signature.code.rawValue)") }
            if let dmarc { pairs.append("dmarc=\(dmarc.code.rawValue)") }
            return Array(Set(pairs)).sorted()
        }
    }

    func check(_ message: [UInt8], envelope: SMTPEnvelope, session: SMTPSessionInfo) async -> Decision {
        let results: Results
        do {
            results = try await withFilterTimeout(settings.timeout, clock: clock) { [self] in
                await evaluate(message, mailFrom: envelope.mailFrom, session: session)
            }
        } catch {
            // §2.6.6 / RFC 7489 §6.6.3: a check that cannot finish now is a temporary error; the
            // message is taken as it is (the results say so), never refused for our slowness.
            logger.warning("sender authentication: no verdict in time", metadata: [
                "id": "\(envelope.id)", "problem": "\(error)"])
            let timedOut = SPFResult(.temperror, "checks did not finish in time")
            let fromDomain = Self.fromDomain(of: message) ?? ""
            results = Results(spf: (timedOut, envelope.mailFrom.isEmpty ? .helo : .mailFrom,
                                    Self.domain(of: envelope.mailFrom) ?? session.helo ?? ""),
                              dkim: [],
                              dmarc: DMARCEvaluator.Outcome(code: .temperror, fromDomain: fromDomain, disposition: .none,
                                                            reason: "checks did not finish in time"))
        }
        let field = AuthenticationResultsField.format(authservID: authservID, spf: results.spf, dkim: results.dkim,
                                                      dmarc: results.dmarc, helo: results.helo)
        let action = action(for: results.dmarc)
        log(results, action: action, id: envelope.id)
        if action == .reject, let dmarc = results.dmarc {
            // RFC 7489 §6.7 and §7.3: a rejection names the DMARC policy of the From domain.
            return .refuse(SMTPReply(550, "5.7.1", "Message rejected: DMARC policy of \(dmarc.fromDomain)"))
        }
        let (checked, renamed) = ClaimedAuthenticationResults.disarm(message, authservID: authservID)
        var disarmed = checked
        if renamed > 0 {
            logger.info("sender authentication: renamed fields claiming our authserv-id",
                        metadata: ["id": "\(envelope.id)", "count": "\(renamed)"])
        }
        disarmed.insert(contentsOf: field, at: SpamHeaderFields.insertionOffset(in: disarmed))
        return .deliver(message: disarmed, placement: action == .junk ? .junk : nil, summary: results.summary)
    }

    /// The configured action for a DMARC fail under the policy the sender published; nil when
    /// the message did not fail or the policy is none (RFC 7489 §6.3 p=none: monitor only).
    /// pct= is not applied (DMARCRecord says why).
    func action(for dmarc: DMARCEvaluator.Outcome?) -> TresorConfiguration.DMARCAction? {
        guard let dmarc, dmarc.code == .fail else { return nil }
        switch dmarc.disposition {
        case .reject: return settings.dmarcReject
        case .quarantine: return settings.dmarcQuarantine
        case .none: return nil
        }
    }

    /// The checks themselves: both SPF identities and the DKIM signatures at once, then DMARC.
    func evaluate(_ message: [UInt8], mailFrom: String, session: SMTPSessionInfo) async -> Results {
        let helo = session.helo ?? ""
        let dns = self.dns
        guard let address = SPFAddress(session.clientAddress) else {
            logger.debug("sender authentication: client address is not IP", metadata: ["client": "\(session.clientAddress)"])
            return Results(dkim: await DKIMInboundVerifier(dns: dns).verify(message, now: now()))
        }
        // RFC 7208 §2.3: the HELO identity is checked on its own as well; its result is recorded.
        async let heloResult = Self.checkHELO(address: address, helo: helo, mailFrom: mailFrom, dns: dns)
        async let senderResult = SPFEvaluator.checkSender(address: address, mailFrom: mailFrom, helo: helo, dns: dns)
        async let dkimResults = DKIMInboundVerifier(dns: dns).verify(message, now: now())
        let spf = await senderResult
        let dkim = await dkimResults
        var results = Results(helo: await heloResult, spf: spf, dkim: dkim)
        if let fromDomain = Self.fromDomain(of: message) {
            results.dmarc = await DMARCEvaluator(dns: dns, suffixes: suffixes).evaluate(
                fromDomain: fromDomain, spf: (spf.0, domain: spf.domain), dkim: dkim)
        } else {
            // RFC 7489 §6.6.1: no single From domain, no DMARC evaluation.
            results.dmarc = DMARCEvaluator.Outcome(code: .permerror, fromDomain: "", disposition: .none,
                                                   reason: "no single From address")
        }
        return results
    }

    /// Nil when MAIL FROM is null (then `checkSender` already checked HELO) or HELO is no domain.
    private static func checkHELO(address: SPFAddress, helo: String, mailFrom: String, dns: any SPFNameLookup) async
        -> (SPFResult, SPFIdentity, domain: String)?
    {
        // An address literal has no SPF record; a name without a dot is no FQDN (RFC 7208 §4.3).
        guard !mailFrom.isEmpty, helo.contains("."), !helo.hasPrefix("[") else { return nil }
        var evaluator = SPFEvaluator(dns: dns)
        let result = await evaluator.checkHost(address: address, domain: helo, sender: "postmaster@" + helo, helo: helo)
        return (result, .helo, helo)
    }

    /// The domain of the one From address (RFC 7489 §6.6.1), lower-cased.
    static func fromDomain(of message: [UInt8]) -> String? {
        let from = Message(parsing: message).from.map(\.mailbox)
        guard from.count == 1 else { return nil }
        return domain(of: from[0])
    }

    static func domain(of address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...]
        return domain.isEmpty ? nil : domain.lowercased()
    }

    private func log(_ results: Results, action: TresorConfiguration.DMARCAction?, id: String) {
        var metadata: Logger.Metadata = ["id": "\(id)", "results": "\(results.summary.joined(separator: " "))"]
        if let dmarc = results.dmarc { metadata["from_domain"] = "\(dmarc.fromDomain)" }
        if let action {
            metadata["action"] = "\(action.rawValue)"
            logger.notice("sender authentication: DMARC policy applied", metadata: metadata)
        } else {
            logger.debug("sender authentication", metadata: metadata)
        }
    }
}
