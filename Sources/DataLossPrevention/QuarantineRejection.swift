import Delivery
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The delivery status notification (RFC 3464) a sender gets when a compliance operator rejects
/// their held message: every held recipient failed with 5.7.1 (RFC 3463 §3.8: delivery not
/// authorized, message refused), the diagnostic naming the rules and the operator's reason.
public enum QuarantineRejection {
    public static func notice(original: [UInt8], entry: QuarantinedMessage, reason: String, reportingMTA: String,
                              date: Date) -> [UInt8] {
        let diagnostic = "x-tresor; held by data-loss prevention rule \(entry.rules.joined(separator: ", ")) "
            + "and rejected by compliance review: \(singleLine(reason))"
        return DeliveryStatusNotification(
            reportingMTA: reportingMTA, sender: entry.mailFrom,
            recipients: entry.recipients.map {
                .init(address: $0, status: "5.7.1", remoteMTA: nil, diagnostic: diagnostic, lastAttempt: nil)
            },
            original: original, arrivalDate: entry.heldAt, date: date
        ).encoded()
    }

    private static func singleLine(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(300).map(Character.init))
    }
}
