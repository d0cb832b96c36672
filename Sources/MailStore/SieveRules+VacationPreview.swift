import MailMessage
import Sieve
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What delivery would do with a script's `vacation` request, shown by `tresor rules test`.
public enum VacationPreview: Sendable, Hashable {
    /// The reply delivery would send now, to the envelope sender, from the null reverse-path.
    case reply(to: String, message: [UInt8])
    /// Why no reply would go out (RFC 3834 / RFC 5230 §4.5–4.6, or the period of §4.2).
    case noReply(reason: String)
}

extension SieveRules {
    /// The vacation reply delivery would send for this message at `date`, or why none: the same
    /// decision and the same reply as `DeliveryPipeline.sendVacationReply`, reading the period from
    /// the catalog but remembering nothing and sending nothing.
    public func previewVacation(_ vacation: SieveVacation, message raw: [UInt8], for user: String,
                                envelopeFrom: String, envelopeTo: String?, at date: Date)
        async throws(SieveScriptStoreError) -> VacationPreview
    {
        try await catching {
            let address = AccountAddress.fold(user)
            let message = Message(parsing: raw)
            switch VacationDecision(vacation, message: message, envelopeFrom: envelopeFrom, user: address,
                                    envelopeTo: envelopeTo ?? address) {
            case .suppressed(let reason):
                return .noReply(reason: reason)
            case .reply(let sender):
                if vacation.period > 0, let until = try await catalog.accounts.vacationReplyRemembered(
                    user: address, sender: VacationDecision.fold(sender), handle: Self.sha256(vacation.handle), at: date) {
                    return .noReply(reason: "<\(sender)> was already answered; the period ends \(DateWriter.utcDateTime(until))")
                }
                return .reply(to: sender, message: VacationReply.make(vacation, original: message, user: address,
                                                                      to: sender, date: date, token: "preview"))
            }
        }
    }
}
