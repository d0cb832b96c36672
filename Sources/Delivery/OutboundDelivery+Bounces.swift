import Logging
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension OutboundDelivery {
    /// Sends the DSNs failed rows owe: one per message, listing all its failed recipients, from
    /// the null reverse-path to the original sender (RFC 3464; RFC 5321 §4.5.5, §6.1). Through
    /// `DeliveryPipeline.deliverFromNullSender`: a local sender gets it in their INBOX, a remote one through the
    /// queue. Returns how many were sent.
    @discardableResult
    public func sendBounces() async throws -> Int {
        let pending = try await store.queue.pendingBounces()
        var byDelivery: [String: [QueuedMessage]] = [:]
        var order: [String] = []
        for row in pending {
            if byDelivery[row.envelopeLocation] == nil { order.append(row.envelopeLocation) }
            byDelivery[row.envelopeLocation, default: []].append(row)
        }
        var sent = 0
        for location in order {
            let rows = byDelivery[location]!
            let first = rows[0]
            let original = try await store.reader.content(sha256: first.sha256) ?? []
            let notification = DeliveryStatusNotification(
                reportingMTA: configuration.hostname, sender: first.mailFrom,
                recipients: rows.map {
                    DeliveryStatusNotification.Recipient(address: $0.recipient, status: $0.statusCode ?? "5.0.0",
                                                         remoteMTA: $0.remoteMTA,
                                                         diagnostic: $0.lastError ?? "undeliverable",
                                                         lastAttempt: $0.lastAttempt)
                },
                original: original, arrivalDate: first.created, date: now())
            do {
                try await store.delivery.deliverFromNullSender(notification.encoded(), to: first.mailFrom, source: .dsn,
                                                               detail: "bounce of \(location)")
            } catch {
                logger.error("outbound: DSN not delivered; will try again", metadata: [
                    "delivery": "\(location)", "error": "\(error)",
                ])
                continue
            }
            try await store.queue.markBouncesSent(ids: rows.map(\.id))
            logger.notice("dsn sent", metadata: [
                "to": "\(first.mailFrom)", "failed": "\(rows.map(\.recipient).joined(separator: ","))",
                "queue_ids": "\(rows.map { String($0.id) }.joined(separator: ","))",
            ])
            sent += 1
        }
        return sent
    }
}
