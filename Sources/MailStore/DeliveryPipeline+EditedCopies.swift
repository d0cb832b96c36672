import ArchiveStore
import Catalog
import MailMessage
import StoreModel

extension DeliveryPipeline {
    /// Journals the copies of a delivery whose header fields users' Sieve scripts edited
    /// (RFC 5293), one per user, in one group commit: every message a user sees in a mailbox is
    /// in the archive. The original stays as received; each copy gets an envelope of its own —
    /// source `editheader`, the user as its only recipient, the original's location in its
    /// detail, the retention floors of the locked policies that match the copy — and the same
    /// body rules as any message (an identical body is stored once). Returns, by user, the copy
    /// to index and place in the routing transaction.
    func journalEditedCopies(_ edited: [String: [UInt8]], of envelope: Envelope, original location: RecordLocation,
                             lockGeneration: Int64) async throws -> [String: IndexItem] {
        guard !edited.isEmpty else { return [:] }
        var copies: [(user: String, message: Message, envelope: Envelope)] = []
        for (user, raw) in edited.sorted(by: { $0.key < $1.key }) {
            let message = Message(parsing: raw)
            var copy = envelope
            copy.recipients = [user]
            copy.source = .editedHeader
            copy.sourceDetail = "copy of delivery \(location) with the header fields edited by the Sieve script of \(user)"
            copy.imapMailbox = nil
            copy.retentionFloors = nil
            try await stampFloors(on: &copy, message: message, lockGeneration: lockGeneration)
            copies.append((user, message, copy))
        }
        let receipts = try await archive.append(messages: copies.map { ($0.message.raw, $0.envelope) })
        var items: [String: IndexItem] = [:]
        for (copy, receipt) in zip(copies, receipts) {
            items[copy.user] = IndexItem(message: copy.message, receipt: receipt, envelope: copy.envelope)
        }
        return items
    }
}
