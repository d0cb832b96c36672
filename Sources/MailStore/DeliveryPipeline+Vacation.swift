import MailMessage
import Sieve
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

extension DeliveryPipeline {
    /// Answers a script's `vacation` request (RFC 5230) once the delivery is committed: nothing
    /// when `VacationDecision` says the message must not be answered, or when this sender already
    /// got a reply for this handle within the period (RFC 5230 §4.2: remembered in the catalog, so
    /// restarts keep it). The period is taken before the reply is sent — at most one reply per
    /// period, even if sending fails. The reply is delivered from the null reverse-path through
    /// `deliver`, the path submitted mail takes: journaled in the archive, then queued (or filed,
    /// for a local sender). Failures are logged: the original delivery is already committed.
    func sendVacationReply(_ vacation: SieveVacation, user: String, envelopeTo: String, original: Message,
                           envelope: Envelope) async {
        let now = clock.now()
        let sender: String
        switch VacationDecision(vacation, message: original, envelopeFrom: envelope.mailFrom, user: user,
                                envelopeTo: envelopeTo) {
        case .suppressed(let reason):
            logger.info("sieve: vacation reply not sent", metadata: ["user": "\(user)", "reason": "\(reason)"])
            return
        case .reply(let to):
            sender = to
        }
        do {
            if vacation.period > 0 {
                let claimed = try await catalog.accounts.claimVacationReply(
                    user: user, sender: VacationDecision.fold(sender), handle: SieveRules.sha256(vacation.handle),
                    at: now, until: now.addingTimeInterval(TimeInterval(vacation.period)))
                guard claimed else {
                    logger.info("sieve: vacation reply not sent", metadata: [
                        "user": "\(user)", "reason": "already answered this sender within the period",
                    ])
                    return
                }
            }
            let reply = VacationReply.make(vacation, original: original, user: user, to: sender, date: now)
            try await deliverFromNullSender(reply, to: sender, source: .autoreply, detail: "vacation reply of \(user)")
        } catch {
            logger.error("sieve: vacation reply not sent", metadata: ["user": "\(user)", "error": "\(error)"])
        }
    }
}
