import DataLossPrevention
import Logging
import MailMessage
import MailStore
import SMTPServer

/// What the DLP rules decided for one outgoing message at the end of DATA.
enum OutgoingMailDecision: Sendable {
    /// No rule matched, or only rules that notify or copy: send it as usual (and make those).
    case send([DLPHit])
    /// Hold it from the outbound queue (`FilterPlacement.held`) and file it into the quarantine.
    case hold([DLPHit])
    /// Refuse it with `reply`; nothing is stored.
    case refuse(SMTPReply, [DLPHit])
}

/// Data-loss prevention on mail from authenticated users (submission): the rules of the `[dlp]`
/// folder against the message and its envelope, before anything is journaled. The most severe
/// matching action decides (reject, then quarantine); notices and copies of every matching rule
/// are made once the message is durable. Every hit is in the audit trail. The reply names the
/// rule and what it found, never the matched text (a card number must not travel back in a
/// bounce or a client log).
struct OutgoingMailCheck: Sendable {
    var rules: DLPRuleSet
    var hostname: String
    var logger: Logger
    /// The search language on one message, for rules with a `query`; nil when no rule has one,
    /// or when it could not be made (then a rule with a query defers mail: see `check`).
    let matcher: SingleMessageMatcher?

    init(rules: DLPRuleSet, hostname: String, logger: Logger) {
        self.rules = rules
        self.hostname = hostname
        self.logger = logger
        matcher = rules.rules.contains { $0.query != nil } ? try? SingleMessageMatcher() : nil
    }

    /// Runs the rules (off the cooperative pool: a long message's text and a query's in-memory
    /// index are CPU work). A rule set that fails to evaluate defers the message (451): DLP is a
    /// control the organisation relies on, so mail never leaves unchecked.
    func check(_ raw: [UInt8], envelope: Envelope, externalRecipients: [String], store: MailStore) async
        -> OutgoingMailDecision
    {
        let rules = self.rules, matcher = self.matcher
        let hits: [DLPHit]
        do {
            hits = try await BlockingWork.cpu.run {
                try rules.hits(OutgoingMessage(message: Message(parsing: raw), externalRecipients: externalRecipients),
                               envelope: envelope, matcher: matcher)
            }
        } catch {
            logger.error("dlp: rules could not be evaluated", metadata: ["error": "\(error)"])
            return .refuse(SMTPReply(451, "4.7.1", "Message not checked by the data-loss prevention rules, try again later"),
                           [])
        }
        guard let deciding = hits.deciding else { return .send(hits) }
        switch deciding.action {
        case .reject:
            // RFC 5321 §4.2.5 (a 5xx reply to the end of DATA refuses the message); RFC 3463
            // §3.8 X.7.1: delivery not authorized, message refused.
            let reply = SMTPReply(550, "5.7.1", "Message refused by data-loss prevention rule \"\(deciding.rule)\" "
                                      + "(\(deciding.found.joined(separator: ", ")) found)")
            return .refuse(reply, hits)
        case .quarantine:
            return .hold(hits)
        case .notify, .copy:
            return .send(hits)
        }
    }

    /// Audits every hit, then sends the notices and copies the hits ask for. Failures are logged:
    /// the message itself is already durable.
    func followUp(_ hits: [DLPHit], raw: [UInt8], envelope: Envelope, transaction: String, archived: String?,
                  store: MailStore) async {
        for hit in hits {
            logger.notice("dlp: rule matched", metadata: [
                "id": "\(transaction)", "rule": "\(hit.rule)", "action": "\(hit.action.word)",
                "found": "\(hit.found.joined(separator: ","))",
            ])
            do {
                try await store.compliance.recordDLPHit(
                    rule: hit.rule, action: hit.action.word, transaction: transaction, sender: envelope.mailFrom,
                    recipients: envelope.recipients, by: .system("dlp"))
            } catch {
                logger.error("dlp: hit not audited", metadata: ["id": "\(transaction)", "error": "\(error)"])
            }
            guard archived != nil else { continue }
            do {
                switch hit.action {
                case .notify(let address):
                    let notice = DLPNotice.make(hit: hit, envelope: envelope, subject: Message(parsing: raw).subject,
                                                transaction: transaction, archived: archived, hostname: hostname,
                                                to: address, date: store.clock.now())
                    try await store.delivery.deliverFromNullSender(notice, to: address, source: .other("dlp-notice"),
                                                                   detail: "rule \(hit.rule), \(transaction)")
                case .copy(let address):
                    try await store.delivery.deliverFromNullSender(raw, to: address, source: .other("dlp-copy"),
                                                                   detail: "rule \(hit.rule), \(transaction)")
                case .reject, .quarantine:
                    break
                }
            } catch {
                logger.error("dlp: notice or copy not sent", metadata: [
                    "id": "\(transaction)", "rule": "\(hit.rule)", "error": "\(error)",
                ])
            }
        }
    }
}

extension OutgoingMailCheck {
    /// A Sieve redirect of a journaled delivery to an outside `address`: the rules see the message
    /// with the redirect's one recipient. Reject keeps the copy back (the delivery itself stays
    /// where the scripts filed it); quarantine keeps it back in the quarantine, from where an
    /// operator may release it; notify and copy let it leave. Every hit is audited.
    func screenRedirect(_ message: Message, envelope: Envelope, location: RecordLocation, sha256: String,
                        to address: String, store: MailStore) async -> Bool {
        var redirected = envelope
        redirected.recipients = [address]
        let transaction = "redirect of \(location)"
        switch await check(message.raw, envelope: redirected, externalRecipients: [address], store: store) {
        case .send(let hits):
            await followUp(hits, raw: message.raw, envelope: redirected, transaction: transaction, archived: sha256,
                           store: store)
            return true
        case .refuse(_, let hits):
            await followUp(hits, raw: message.raw, envelope: redirected, transaction: transaction, archived: sha256,
                           store: store)
            return false
        case .hold(let hits):
            await followUp(hits, raw: message.raw, envelope: redirected, transaction: transaction, archived: sha256,
                           store: store)
            do {
                _ = try await store.compliance.quarantine(QuarantinedMessage(
                    heldAt: store.clock.now(), sha256: sha256, envelope: "\(location)", mailFrom: envelope.mailFrom,
                    recipients: [address], subject: message.subject ?? "",
                    rules: hits.filter { $0.action == .quarantine }.map(\.rule)), by: .system("dlp"))
            } catch {
                logger.error("dlp: quarantine entry for a redirect not written; the copy is kept back", metadata: [
                    "delivery": "\(location)", "error": "\(error)",
                ])
            }
            return false
        }
    }
}
