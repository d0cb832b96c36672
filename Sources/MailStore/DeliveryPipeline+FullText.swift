import ArchiveStore
import Catalog
import MailMessage
import StoreModel

/// The full-text index is contentless (catalog schema "v15"): the catalog keeps terms, never a
/// second copy of the text. Whatever needs a message's text again — building its document anew,
/// removing it when the message is purged — reads the message back from the archive.
extension DeliveryPipeline {
    /// What `bringFullTextUpToDate` did.
    public struct FullTextRebuild: Sendable, Hashable {
        /// Messages whose documents were written (0: the index was current).
        public var messages = 0
        /// Messages whose bytes could not be read back; they stay unsearchable by text and are named
        /// in the log (`tresor verify` reports the archive damage that causes this).
        public var unreadable: [String] = []
    }

    /// Builds every document anew when the index's format is not `Catalog.fullTextFormat` (after the
    /// upgrade to a contentless index, or a change of what is indexed), in batches in message order;
    /// resumes where an interrupted rebuild stopped. Deliveries may go on meanwhile: a message
    /// indexed by one is skipped. Returns at once when the index is current.
    public func bringFullTextUpToDate(batchSize: Int = 256, progress: (Int) -> Void = { _ in })
        async throws(DeliveryError) -> FullTextRebuild
    {
        try await catching {
            var rebuild = FullTextRebuild()
            while true {
                let batch = try await catalog.messages.fullTextRebuildBatch(limit: batchSize)
                guard let last = batch.last else { break }
                let read = try await Self.readForFullText(batch, archive: archive)
                rebuild.unreadable += read.unreadable
                try await catalog.messages.writeRebuiltFullText(read.sources, through: last.row)
                rebuild.messages += read.sources.count
                progress(rebuild.messages)
            }
            if try await !catalog.messages.fullTextIsCurrent() { try await catalog.messages.finishFullTextRebuild() }
            for sha256 in rebuild.unreadable {
                logger.error("full-text index: message unreadable in the archive, not indexed", metadata: ["sha256": "\(sha256)"])
            }
            return rebuild
        }
    }

    /// Reads and parses these messages from the archive, on every core; the SHA-256s of those whose
    /// bodies cannot be read are returned apart.
    static func readForFullText(_ bodies: [IndexedBody], archive: ArchiveStore) async throws
        -> (sources: [FullTextSource], unreadable: [String])
    {
        let parsed = try await ParallelChunks.mapThrowing(bodies) { body -> FullTextSource? in
            guard let raw = try? archive.readBody(at: body.body) else { return nil }
            return FullTextSource(row: body.row, message: Message(parsing: raw))
        }
        var sources: [FullTextSource] = []
        var unreadable: [String] = []
        for (body, source) in zip(bodies, parsed) {
            if let source { sources.append(source) } else { unreadable.append(body.sha256) }
        }
        return (sources, unreadable)
    }
}
