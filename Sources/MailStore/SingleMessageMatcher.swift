import Catalog
import MailMessage
import QueryLanguage
import StoreModel

/// The search language evaluated on one message that is not (yet) in the catalog — an outgoing
/// message a data-loss prevention rule asks about: an in-memory index of that message alone
/// (`PolicyMatcher`), made once and reused. Blocking: use off the cooperative pool.
public struct SingleMessageMatcher: Sendable {
    let policy: PolicyMatcher

    public init() throws { policy = try PolicyMatcher() }

    /// Whether `query` matches `message` with `envelope` (its addresses, direction, source).
    public func matches(_ query: SearchQuery, message: Message, envelope: Envelope) throws -> Bool {
        // Not archived: no record location or digest, which no query term reads for one message.
        let nowhere = RecordLocation(segment: 0, offset: 0)
        let item = IndexItem(message: message, receipt: AppendReceipt(
            sha256: "", body: nowhere, envelope: nowhere, deduplicated: false, size: message.raw.count),
            envelope: envelope)
        return try policy.matches([query], item: item).first == true
    }
}
