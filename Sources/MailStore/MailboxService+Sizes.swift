import Catalog
import StoreModel

/// Transmitted sizes (CRLF line ends, RFC 3501 §2.3.4) of placements made before catalog schema
/// "v5", which did not store one. Each body is read once, its size computed and stored for every
/// placement of the same SHA-256; later snapshots read it from the catalog.
extension MailboxService {
    /// `entries` with `transmittedSize` filled in where it was nil. Bodies the archive (or the draft
    /// store) no longer has keep nil; the caller falls back to `size`.
    public func completingTransmittedSizes(_ entries: [MailboxEntry], of user: String) async throws(MailboxError)
        -> [MailboxEntry]
    {
        try await catching {
            guard entries.contains(where: { $0.transmittedSize == nil }) else { return entries }
            var computed: [String: Int] = [:]
            var result = entries
            for index in result.indices where result[index].transmittedSize == nil {
                let entry = result[index]
                if let known = computed[entry.sha256] {
                    result[index].transmittedSize = known
                    continue
                }
                guard let bytes = try await store.reader.bytes(of: entry, user: user) else { continue }
                let size = TransmittedSize.of(bytes)
                computed[entry.sha256] = size
                result[index].transmittedSize = size
            }
            try await catalog.mailboxes.recordTransmittedSizes(computed)
            return result
        }
    }

    /// Fills the stored transmitted sizes a mailbox still lacks (see `completingTransmittedSizes`);
    /// returns how many bodies were read.
    @discardableResult
    public func completeTransmittedSizes(in name: String, of user: String) async throws(MailboxError) -> Int {
        try await catching {
            let snapshot = try await snapshot(name, of: user)
            let missing = snapshot.messages.filter { $0.transmittedSize == nil }
            let completed = try await completingTransmittedSizes(missing, of: user)
            return Set(completed.filter { $0.transmittedSize != nil }.map(\.sha256)).count
        }
    }
}
