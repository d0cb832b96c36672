/// The one façade over storage (DESIGN.md "The way a message travels").
///
/// Invariants:
/// - Order of a delivery: parse → journal in the archive (durable, fsync'd, group commit) →
///   index in the catalog (one SQLite transaction per batch). Nothing is indexed that is not
///   durable in the archive, so the catalog can always be rebuilt from the archive alone.
/// - The archive is the record of truth; the catalog is derived data, except its audit log,
///   whose every entry is also journaled into the archive as an audit event, and the accounts,
///   mailboxes, placements and outbound queue (which the archive cannot rebuild).
/// - An SMTP delivery (`deliver(message:envelope:)`) is journaled first; then the recipients' Sieve
///   scripts decide its filings (outside any SQLite write); then indexing, placement and queueing
///   of remote recipients and redirects commit in one catalog transaction, shared with
///   concurrent deliveries (`CatalogCommitter`). A delivery is identified by its envelope location;
///   `recover()` completes journaled deliveries the catalog lacks, never placing one twice.
/// - Passwords exist only as scrypt PHC strings; hashing runs off the cooperative pool.
/// - Layout of a data directory: `archive/` (segments, owned by ArchiveStore), `keys/`
///   (the archive key), `catalog.sqlite` (+ WAL files, owned by Catalog).
import ArchiveStore
import Catalog
import Logging
import MailMessage
@_exported import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public final class MailStore: Sendable {
    public let dataDirectory: URL
    public let archive: ArchiveStore
    public let catalog: Catalog
    let logger: Logger
    /// Group commit of the catalog side of `deliver(message:envelope:)`.
    let committer: CatalogCommitter
    /// Compiled Sieve scripts for deliveries, valid for one `sieve_generation`.
    let sieveCache = SieveScriptCache()
    /// Wakes IMAP sessions (IDLE) when a mailbox changes; see `MailboxChangeFeed`.
    public let mailboxChanges = MailboxChangeFeed()
    /// Recently read message bytes, for FETCH.
    let byteCache = MessageBytesCache()

    public static func catalogPath(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("catalog.sqlite")
    }

    public init(dataDirectory: URL, archiveConfiguration: ArchiveConfiguration = .init(),
                logger: Logger = Logger(label: "tresor.store")) throws {
        self.dataDirectory = dataDirectory
        self.logger = logger
        self.archive = try ArchiveStore(dataDirectory: dataDirectory, configuration: archiveConfiguration,
                                        logger: logger)
        self.catalog = try Catalog(path: Self.catalogPath(in: dataDirectory))
        self.committer = CatalogCommitter(catalog: catalog)
    }

    public func close() {
        archive.close()
    }

    /// Journals and indexes a batch of parsed messages: one group commit in the archive and
    /// one catalog transaction. Returns the receipts in input order.
    @discardableResult
    public func deliver(_ items: [(message: Message, envelope: Envelope)]) async throws -> [AppendReceipt] {
        let receipts = try await journal(items)
        try await index(items, receipts: receipts)
        return receipts
    }

    /// Step 1 of a delivery: journal the batch in the archive. Returns when it is durable.
    public func journal(_ items: [(message: Message, envelope: Envelope)]) async throws -> [AppendReceipt] {
        guard !items.isEmpty else { return [] }
        return try await appendConcurrently(items.map { (raw: $0.message.raw, envelope: $0.envelope) })
    }

    /// Step 2 of a delivery: index a journaled batch in the catalog, in one transaction.
    public func index(_ items: [(message: Message, envelope: Envelope)], receipts: [AppendReceipt]) async throws {
        precondition(items.count == receipts.count, "one receipt per journaled message")
        guard !items.isEmpty else { return }
        var indexItems: [IndexItem] = []
        indexItems.reserveCapacity(items.count)
        for (item, receipt) in zip(items, receipts) {
            indexItems.append(IndexItem(message: item.message, receipt: receipt, envelope: item.envelope))
        }
        // Index in archive order, the order `reindex` reads the records in, so that rows (and
        // with them the order of equal-dated search results) are the same after a reindex.
        indexItems.sort { $0.receipt.envelope < $1.receipt.envelope }
        try await catalog.messages.index(indexItems)
    }

    /// Splits a batch over the cores: compression and hashing happen in the appending task,
    /// and the archive's group commit still writes and fsyncs them together.
    private func appendConcurrently(_ items: [(raw: [UInt8], envelope: Envelope)]) async throws -> [AppendReceipt] {
        let parts = ParallelChunks.split(items.count)
        if parts.count <= 1 { return try await archive.append(messages: items) }
        let archive = self.archive
        return try await withThrowingTaskGroup(of: (Int, [AppendReceipt]).self) { group in
            for (index, range) in parts.enumerated() {
                let slice = Array(items[range])
                group.addTask { (index, try await archive.append(messages: slice)) }
            }
            var results = [[AppendReceipt]](repeating: [], count: parts.count)
            for try await (index, receipts) in group { results[index] = receipts }
            return results.flatMap { $0 }
        }
    }
}
