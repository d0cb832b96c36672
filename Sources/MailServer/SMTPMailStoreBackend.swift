import DataLossPrevention
import Logging
import MailMessage
import MailStore
import SMTPServer
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SMTP listeners' view of storage and accounts: `SMTPBackend` over `MailStore`. The relay
/// policy (what MX and submission accept, and from whom) lives here; the wire mapping of every
/// store outcome is in `deliver`.
struct SMTPMailStoreBackend: SMTPBackend {
    let store: MailStore
    let logger: Logger
    /// The primary local domain (the first of `domains` in tresor.toml): `<Postmaster>` without a
    /// domain means `postmaster@` this domain.
    var primaryDomain: String?
    /// The content filters (rspamd, clamd) asked at the end of DATA; nil when none is configured.
    var screening: MessageScreening?
    /// SPF, DKIM and DMARC on the MX listener (`[auth_checks]`); nil when off.
    var senderAuthentication: SenderAuthentication?
    /// The DLP rules asked at the end of DATA for mail from authenticated users; nil when `[dlp]`
    /// is off.
    var outgoingCheck: OutgoingMailCheck?

    /// RFC 5321 §4.1.1.3 and §4.5.1: "Postmaster" without a domain (any case) must be accepted and
    /// reaches the postmaster of this server, routed as `postmaster@<primary domain>` (a user or an
    /// alias the administrator sets up; without one it is refused with 550 like any unknown user).
    /// Every other forward-path is returned as it is.
    func canonicalRecipient(_ forwardPath: String) -> String {
        guard let primaryDomain, forwardPath.lowercased() == "postmaster" else { return forwardPath }
        return "postmaster@\(primaryDomain.lowercased())"
    }

    /// RFC 4954 §4: a wrong password gets 535 after a delay that grows with the client IP's
    /// recent failures, so guessing is slow; the store answers in the same time for unknown users.
    func authenticate(username: String, password: String, session: SMTPSessionInfo) async -> String? {
        await store.accounts.authenticate(username, password: password, client: session.clientAddress,
                                          protocolName: "smtp")
    }

    /// MAIL FROM. MX: any reverse-path (the sender's domain is not ours to check here).
    /// Submission: RFC 6409 §6.1 lets a server refuse a sender the user may not use; an
    /// authenticated user may send as its own addresses only (553 5.7.1, RFC 3463 §3.8).
    func checkSender(_ reversePath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        guard session.listener.requiresAuthentication else { return .accept }
        guard let user = session.authenticatedUser else {
            return .reject(SMTPReply(530, "5.7.0", "Authentication required"))  // RFC 4954 §6
        }
        do {
            let allowed = try await store.accounts.sendableAddresses(of: user)
            if allowed.contains(where: { $0.lowercased() == reversePath.lowercased() }) { return .accept }
            return .reject(SMTPReply(553, "5.7.1", "Sender address not owned by \(user)"))
        } catch {
            logger.error("sender lookup failed", metadata: ["error": "\(error)"])
            return .reject(SMTPReply(451, "4.3.0", "Temporary lookup failure, try again later"))
        }
    }

    /// RCPT TO. MX: local domains only — an unknown local user gets 550 5.1.1 (RFC 3463 §3.2),
    /// anything else is a relay attempt, 554 5.7.1. Submission (authenticated): any recipient,
    /// but an unknown user in one of our own domains is still refused at once.
    func checkRecipient(_ givenPath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        let forwardPath = canonicalRecipient(givenPath)
        do {
            switch try await store.accounts.resolveRecipient(forwardPath) {
            case .local:
                return .accept
            case .unknownLocal:
                return .reject(SMTPReply(550, "5.1.1", "<\(forwardPath)>: unknown user"))
            case .remote:
                if session.listener.requiresAuthentication && session.authenticatedUser != nil { return .accept }
                return .reject(SMTPReply(554, "5.7.1", "<\(forwardPath)>: relay access denied"))
            }
        } catch {
            logger.error("recipient lookup failed", metadata: ["error": "\(error)"])
            return .reject(SMTPReply(451, "4.3.0", "Temporary lookup failure, try again later"))
        }
    }

    /// Journals, indexes, files and queues the message through `DeliveryPipeline.deliver`, which
    /// returns only when all of that is durable; only then 250 (DESIGN.md). Failures before
    /// that are temporary (451 4.3.0, or 452 4.3.1 when the disk is full): the client keeps the
    /// message and retries, and `recover()` completes a delivery journaled before a failure.
    ///
    /// On MX, sender authentication speaks first (`SenderAuthentication`: its
    /// Authentication-Results field is prepended, a DMARC reject refuses, a DMARC junk places the
    /// delivery in Junk). Then the content filters (`MessageScreening`): a refusal stores nothing; header
    /// fields they add are in the bytes journaled; their placement (junk, quarantine) goes into
    /// the envelope, so recovery places the delivery as this run would. A quarantined message
    /// is refused with the filter's reply only once it is durable: the archive keeps the evidence.
    func deliver(envelope smtp: SMTPEnvelope, message: [UInt8], session: SMTPSessionInfo) async -> SMTPReply {
        var message = message
        var placement: FilterPlacement?
        var refusalAfterArchiving: SMTPReply?
        var authenticationResults: [String]?
        // Sender authentication first, on MX only (authenticated submission proves its sender by
        // AUTH): its field is in the bytes the content filters see and the archive keeps.
        if let senderAuthentication, session.listener == .mx {
            switch await senderAuthentication.check(message, envelope: smtp, session: session) {
            case .refuse(let reply):
                return reply
            case .deliver(let checked, let authPlacement, let summary):
                message = checked
                placement = authPlacement
                authenticationResults = summary
            }
        }
        if let screening {
            switch await screening.screen(message, envelope: smtp, session: session) {
            case .refuse(let reply):
                return reply
            case .quarantine(let reply):
                placement = .quarantine
                refusalAfterArchiving = reply
            case .deliver(let fields, let filterPlacement):
                placement = filterPlacement ?? placement
                if !fields.isEmpty { message.insert(contentsOf: fields, at: SpamHeaderFields.insertionOffset(in: message)) }
            }
        }
        var envelope = Envelope(
            mailFrom: smtp.mailFrom, recipients: smtp.recipients.map(canonicalRecipient), receivedAt: store.clock.now(),
            clientAddress: session.clientAddress, helo: session.helo,
            authenticatedUser: session.authenticatedUser,
            direction: await direction(of: smtp, session: session),
            source: session.listener.requiresAuthentication ? .submission : .smtp,
            sourceDetail: smtp.id, receivedFrom: .archive)
        envelope.filterPlacement = placement
        envelope.authenticationResults = authenticationResults
        var dlpHits: [DLPHit] = []
        var held = false
        var externalRecipients: [String] = []
        if let outgoingCheck, session.listener.requiresAuthentication, refusalAfterArchiving == nil {
            externalRecipients = await remoteRecipients(of: envelope.recipients)
            switch await outgoingCheck.check(message, envelope: envelope, externalRecipients: externalRecipients,
                                             store: store) {
            case .refuse(let reply, let hits):
                await outgoingCheck.followUp(hits, raw: message, envelope: envelope, transaction: smtp.id,
                                             archived: nil, store: store)
                return reply
            case .hold(let hits):
                dlpHits = hits
                held = true
                envelope.filterPlacement = .held
            case .send(let hits):
                dlpHits = hits
            }
        }
        do {
            let outcome = try await store.delivery.deliver(message: message, envelope: envelope)
            if let outgoingCheck, !dlpHits.isEmpty {
                await outgoingCheck.followUp(dlpHits, raw: message, envelope: envelope, transaction: smtp.id,
                                             archived: outcome.receipt.sha256, store: store)
            }
            if held {
                return await quarantine(outcome, envelope: envelope, hits: dlpHits, externalRecipients: externalRecipients,
                                        subject: Message(parsing: message).subject ?? "", transaction: smtp.id)
            }
            if let refusalAfterArchiving {
                logger.notice("quarantined: archived, placed in no mailbox", metadata: [
                    "id": "\(smtp.id)", "archived": "\(outcome.receipt.sha256.prefix(16))",
                ])
                return refusalAfterArchiving
            }
            if outcome.placements.isEmpty && outcome.queued.isEmpty {
                // Every recipient vanished between RCPT and the commit (a user deleted meanwhile).
                return SMTPReply(550, "5.1.1", "No recipient could be reached; the message was archived")
            }
            return SMTPReply(250, "2.0.0", "OK \(smtp.id) archived as \(outcome.receipt.sha256.prefix(16))")
        } catch {
            guard case .storage(let failure) = error else { return SMTPReply(451, "4.3.0", "Temporary failure") }
            switch failure.kind {
            case .tooLarge(let size, let limit):
                // Permanent: the same message would fail again (RFC 3463 §3.4 / RFC 1870).
                logger.error("delivery refused: larger than the archive accepts",
                             metadata: ["id": "\(smtp.id)", "size": "\(size)", "limit": "\(limit)"])
                return SMTPReply(552, "5.3.4", "Message too big for the archive")
            case .diskFull:
                logger.error("delivery failed: disk full", metadata: ["id": "\(smtp.id)", "error": "\(failure)"])
                return SMTPReply(452, "4.3.1", "Insufficient system storage, try again later")
            case .damaged, .unavailable:
                logger.error("delivery failed", metadata: ["id": "\(smtp.id)", "error": "\(failure)"])
                return SMTPReply(451, "4.3.0", "Temporary failure, try again later")
            }
        }
    }

    /// The recipients outside the local domains (what a DLP quarantine holds back).
    private func remoteRecipients(of recipients: [String]) async -> [String] {
        var remote: [String] = []
        for recipient in recipients {
            if case .remote? = try? await store.accounts.resolveRecipient(recipient) { remote.append(recipient) }
        }
        return remote
    }

    /// Files a held delivery into the quarantine and answers 250: the message is durable and will
    /// leave once an operator releases it. If the entry cannot be written the client is told to
    /// retry (451): the archived copy is then held for good, never sent (the safe side).
    private func quarantine(_ outcome: DeliveryOutcome, envelope: Envelope, hits: [DLPHit], externalRecipients: [String],
                            subject: String, transaction: String) async -> SMTPReply {
        let rules = hits.filter { $0.action == .quarantine }.map(\.rule)
        do {
            let entry = try await store.compliance.quarantine(QuarantinedMessage(
                heldAt: store.clock.now(), sha256: outcome.receipt.sha256, envelope: "\(outcome.receipt.envelope)",
                mailFrom: envelope.mailFrom, recipients: externalRecipients, subject: subject, rules: rules),
                by: .system("dlp"))
            logger.notice("dlp: held for review", metadata: [
                "id": "\(transaction)", "quarantine": "\(entry.id)", "rules": "\(rules.joined(separator: ","))",
            ])
            return SMTPReply(250, "2.0.0", "OK \(transaction) archived as \(outcome.receipt.sha256.prefix(16)); "
                                 + "held for review before it is sent")
        } catch {
            logger.error("dlp: quarantine entry not written", metadata: ["id": "\(transaction)", "error": "\(error)"])
            return SMTPReply(451, "4.3.0", "Temporary failure, try again later")
        }
    }

    /// MX mail is inbound; submission is internal when every recipient is local, else outbound.
    private func direction(of envelope: SMTPEnvelope, session: SMTPSessionInfo) async -> Direction {
        guard session.listener.requiresAuthentication else { return .inbound }
        for recipient in envelope.recipients.map(canonicalRecipient) {
            guard case .local = try? await store.accounts.resolveRecipient(recipient) else { return .outbound }
        }
        return .internal
    }
}
