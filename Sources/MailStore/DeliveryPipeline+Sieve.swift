import ArchiveStore
import Catalog
import MailMessage
import Sieve
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// A delivery's route after its recipients' Sieve scripts ran, and what to do once it is committed.
struct SievedRoute: Sendable {
    var route: Route
    /// `reject`/`ereject` of a user's script: a notice to the envelope sender after the commit.
    var rejections: [(user: String, reason: String)] = []
    /// `vacation` of a user's script (RFC 5230), with the envelope recipient it was delivered as:
    /// a reply to the envelope sender after the commit, if `VacationDecision` and the period allow.
    var vacations: [(user: String, envelopeTo: String, vacation: SieveVacation)] = []

    /// The `duplicate` tests of a user's successful run (RFC 7352): remembered once the delivery is
    /// committed (§3: only a delivered message counts).
    var duplicates: [(user: String, checks: [SieveDuplicateCheck])] = []

    /// By user: the message as that user's script left it with `addheader`/`deleteheader`
    /// (RFC 5293), for a user whose filings or redirects will carry it. Journaled as a copy of its
    /// own before the routing transaction (`journalEditedCopies`).
    var editedMessages: [String: [UInt8]] = [:]

    /// Whether anything is to be done once the delivery is committed.
    var hasFollowUps: Bool { !rejections.isEmpty || !vacations.isEmpty || !duplicates.isEmpty }
}

extension DeliveryPipeline {
    /// Runs, for each local user of the route, the global script and then the user's active one
    /// (compiled scripts from `sieveCache`), and turns each outcome into that user's filings,
    /// redirects and rejections (`SieveFilingDecision`), and keeps the message a script edited
    /// (RFC 5293) for the copy that user gets. Users without scripts keep the default
    /// (INBOX); when nobody has one — no global script, no active script among the users — this
    /// returns the route unchanged after one comparison of the generation.
    ///
    /// Runs between the journal step and the routing transaction (never inside the SQLite write).
    /// Every redirect gets an audit entry (which user's script sent which delivery where); the
    /// routing transaction lists it, and `journalEvents` puts it into the archive before that.
    ///
    /// A content filter's placement in the envelope (`FilterPlacement`) comes first and last: a
    /// quarantined delivery runs no script and goes nowhere; junk goes where the scripts said,
    /// except that INBOX becomes `Junk` (`SievedRoute.filedAsJunk`).
    func applySieve(_ routing: DeliveryRouting, message: Message, envelope: Envelope,
                    location: RecordLocation) async throws -> SievedRoute {
        switch envelope.filterPlacement {
        case .quarantine:
            return SievedRoute.quarantined(routing.route)
        case .junk:
            return try await runSieve(routing, message: message, envelope: envelope, location: location).filedAsJunk()
        case .held:
            return try await runSieve(routing, message: message, envelope: envelope, location: location)
                .heldFromOutbound()
        case nil:
            return try await runSieve(routing, message: message, envelope: envelope, location: location)
        }
    }

    private func runSieve(_ routing: DeliveryRouting, message: Message, envelope: Envelope,
                          location: RecordLocation) async throws -> SievedRoute {
        var sieved = SievedRoute(route: routing.route)
        let users = routing.route.localUsers
        guard !users.isEmpty else { return sieved }
        let scripts: [String: SieveRunScripts]
        if let cached = store.sieveCache.scripts(for: users, generation: routing.sieveGeneration) {
            scripts = cached
        } else {
            scripts = store.sieveCache.store(try await catalog.accounts.sieveDeliveryScripts(for: users), for: users)
        }
        guard !scripts.isEmpty else { return sieved }
        let mailboxes = try await catalog.accounts.mailboxNames(of: Array(scripts.keys))
        for user in users where sieved.route.filings[user] == nil {
            guard let own = scripts[user] else { continue }
            let boxes = mailboxes[user] ?? []
            let outcome = try await store.rules.runTracked(
                own, user: user, message: message, envelopeFrom: envelope.mailFrom,
                envelopeTo: routing.envelopeTo[user] ?? user, at: envelope.receivedAt, mailboxes: boxes,
                environment: envelope.clientAddress.map { ["remote-ip": $0] } ?? [:])
            if outcome.error == nil, !outcome.duplicateChecks.isEmpty {
                sieved.duplicates.append((user, outcome.duplicateChecks))
            }
            let decision = SieveFilingDecision(outcome: outcome, mailboxExists: { boxes.contains($0) })
            sieved.route.filings[user] = decision.filings
            if let edited = outcome.editedMessage, !decision.filings.isEmpty || !decision.redirects.isEmpty {
                sieved.editedMessages[user] = edited
            }
            for warning in decision.warnings {
                logger.warning("sieve: a script's decision could not be carried out as written", metadata: [
                    "user": "\(user)", "scripts": "\(own.scripts.map(\.name).joined(separator: ","))",
                    "delivery": "\(location)", "problem": "\(warning)",
                ])
            }
            for address in decision.redirects {
                if store.redirectScreen.isActive, case .remote? = try? await store.accounts.resolveRecipient(address),
                    await !store.redirectScreen.mayLeave(message, envelope: envelope, location: location, to: address)
                {
                    logger.notice("sieve: redirect kept back by the data-loss prevention rules", metadata: [
                        "user": "\(user)", "delivery": "\(location)", "to": "\(address)",
                    ])
                    continue
                }
                sieved.route.redirects.append(Redirect(user: user, address: address))
                sieved.route.audit.append(AuditEntry(
                    time: clock.now(), actor: "sieve:\(user)", action: "sieve-redirect",
                    detail: "delivery \(location) redirected by the script of \(user) to \(address)"))
            }
            for reason in decision.rejections { sieved.rejections.append((user, reason)) }
            if let vacation = decision.vacation {
                sieved.vacations.append((user, routing.envelopeTo[user] ?? user, vacation))
            }
        }
        return sieved
    }

    /// What the scripts asked for once the delivery is committed: the `duplicate` ids remembered,
    /// rejection notices, then vacation replies. Done only by the run that routed the delivery,
    /// never again by recovery. Failures are logged: the delivery is committed.
    func performFollowUps(_ sieved: SievedRoute, original: Message, envelope: Envelope) async {
        for (user, checks) in sieved.duplicates {
            do {
                try await catalog.accounts.trackSieveDuplicates(
                    user: user, checks.map { (SieveRules.sha256($0.key), TimeInterval($0.period), $0.last) },
                    at: envelope.receivedAt)
            } catch {
                logger.error("sieve: duplicate ids not remembered", metadata: ["user": "\(user)", "error": "\(error)"])
            }
        }
        if !sieved.rejections.isEmpty { await sendRejections(sieved.rejections, original: original, envelope: envelope) }
        for request in sieved.vacations {
            await sendVacationReply(request.vacation, user: request.user, envelopeTo: request.envelopeTo,
                                    original: original, envelope: envelope)
        }
    }

    /// RFC 5429 §2.1: tells the envelope sender that a user's script rejected their message, with
    /// an MDN delivered like any message (a local sender's INBOX, else the outbound queue) from the
    /// null reverse-path. Never for a message from the null reverse-path (no loops). Failures are
    /// logged: the original delivery is already committed.
    func sendRejections(_ rejections: [(user: String, reason: String)], original: Message,
                        envelope: Envelope) async {
        guard !envelope.mailFrom.isEmpty else { return }
        for rejection in rejections {
            let notice = RejectionNotice.make(original: original, reason: rejection.reason, recipient: rejection.user,
                                              sender: envelope.mailFrom, date: clock.now())
            do {
                try await deliverFromNullSender(notice, to: envelope.mailFrom, source: .sieve,
                                                detail: "reject by \(rejection.user)")
            } catch {
                logger.error("sieve: rejection notice not sent", metadata: [
                    "user": "\(rejection.user)", "error": "\(error)",
                ])
            }
        }
    }

    /// Logs the filings the routing transaction had to send to INBOX (their mailbox vanished
    /// between the Sieve run and the commit).
    func logFallbacks(_ result: RoutingResult, location: RecordLocation) {
        for fallback in result.fallbacks {
            logger.warning("sieve: message filed into INBOX instead", metadata: [
                "user": "\(fallback.user)", "delivery": "\(location)",
                "problem": "mailbox \"\(fallback.mailbox)\" does not exist",
            ])
        }
    }
}
