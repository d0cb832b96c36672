import ArchiveStore
import Catalog
import Crypto
import MailMessage
import StoreModel

/// What became of one SMTP delivery once it is durable.
public struct DeliveryOutcome: Sendable, Hashable {
    /// Where the archive journaled it.
    public var receipt: AppendReceipt
    /// One per mailbox a local user's copy was filed into (INBOX unless Sieve said otherwise),
    /// with its UID and flags; none for a user whose script discarded or rejected it.
    public var placements: [Placement]
    /// Remote recipients and Sieve redirect targets now in the outbound queue.
    public var queued: [String]
    /// Envelope recipients that reached nobody, and users removed between RCPT and commit: the
    /// message is archived with them in its envelope but placed for none of them.
    public var undeliverable: [String]
}

/// A message durable in the archive, with the envelope as journaled (floors stamped) and where.
public struct JournaledMessage: Sendable {
    public var message: Message
    public var envelope: Envelope
    public var receipt: AppendReceipt
}

/// Why a message could not be taken in. Before the journal step nothing was stored; after it,
/// `DeliveryPipeline.recover()` completes the delivery at the next start.
public enum DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    case storage(StorageFailure)

    public var description: String {
        switch self {
        case .storage(let failure): failure.description
        }
    }
}

extension DeliveryError: StoreFailure {}

/// The way every message enters the store, in the steps of ARCHITECTURE.md ("How a message
/// travels"):
///
/// 1. parse (`Message(parsing:)`) and route: recipients expanded through aliases and
///    subaddresses, the Sieve and lock generations read in the same catalog read; the locked
///    policies that match stamp their retention floors into the envelope (`RetentionFloorStamper`);
/// 2. journal: `ArchiveStore.append` — group commit, fsync (the record of truth);
/// 3. Sieve, per local user: the global script, then the user's active one → filings,
///    redirects, rejections (`applySieve`, outside any SQLite write); a user whose script edited
///    the header (RFC 5293) gets a copy of their own, journaled now (`journalEditedCopies`);
/// 4. one catalog transaction shared with concurrent deliveries (`CatalogCommitter`): index and
///    full text (of the copies too), placements (a user's edited copy in place of the
///    original), outbound queue rows, the `routed` mark;
/// 5. watching IMAP sessions told; rejection notices and vacation replies sent from the null
///    sender, through this same pipeline (so they are journaled like any mail a user sends).
///
/// Imports (`journal` + `index`), `recover()` and `reindex()` run the same steps in batches.
public struct DeliveryPipeline: StoreService {
    typealias Failure = DeliveryError
    let store: MailStore

    /// SMTP delivery: the steps above; returns only when all of it is durable. If this throws
    /// after step 2, the delivery is in the archive and `recover()` completes it at the next start
    /// (at-least-once: a client told 4xx may send it again).
    public func deliver(message raw: [UInt8], envelope: Envelope) async throws(DeliveryError) -> DeliveryOutcome {
        try await catching {
            let message = Message(parsing: raw)
            let routing = try await store.accounts.route(for: envelope.recipients)
            var envelope = envelope
            try await stampFloors(on: &envelope, message: message, lockGeneration: routing.lockGeneration)
            let receipt = try await archive.append(message: raw, envelope: envelope)
            let sieved = try await applySieve(routing, message: message, envelope: envelope, location: receipt.envelope)
            let copies = try await journalEditedCopies(sieved.editedMessages, of: envelope, original: receipt.envelope,
                                                       lockGeneration: routing.lockGeneration)
            try await store.compliance.journalToArchive(sieved.route.audit)
            let item = IndexItem(message: message, receipt: receipt, envelope: envelope)
            let result = try await store.committer.commit(RoutedDelivery(item: item, route: sieved.route,
                                                                         editedCopies: copies))
            logFallbacks(result, location: receipt.envelope)
            await store.mailboxes.publishPlacements(result.placements)
            if !result.alreadyRouted && sieved.hasFollowUps {
                await performFollowUps(sieved, original: message, envelope: envelope)
            }
            return DeliveryOutcome(receipt: receipt, placements: result.placements, queued: result.queued,
                                   undeliverable: routing.unknown + result.missingUsers)
        }
    }

    /// A message generated here (a DSN, a rejection notice) from the null reverse-path
    /// (RFC 5321 §4.5.5), to `recipient`: into a local user's INBOX, else into the outbound queue.
    /// `source` says what made it; `detail` is kept in its envelope.
    @discardableResult
    public func deliverFromNullSender(_ raw: [UInt8], to recipient: String, source: MessageSource, detail: String)
        async throws(DeliveryError) -> DeliveryOutcome
    {
        let local: Bool
        do {
            switch try await store.accounts.resolveRecipient(recipient) {
            case .local, .unknownLocal: local = true
            case .remote: local = false
            }
        } catch {
            throw .storage(StorageFailure(error))
        }
        return try await deliver(message: raw, envelope: Envelope(
            mailFrom: "", recipients: [recipient], receivedAt: clock.now(),
            direction: local ? .internal : .outbound, source: source, sourceDetail: detail, receivedFrom: .archive))
    }

    /// Import, step 1: journal a batch in the archive (one group commit), each envelope with the
    /// retention floors of the locked policies that match its message. Returns when it is durable.
    public func journal(_ items: [(message: Message, envelope: Envelope)]) async throws(DeliveryError)
        -> [JournaledMessage]
    {
        try await catching {
            guard !items.isEmpty else { return [] }
            let generation = try await catalog.accounts.withAccounts { try $0.lockGeneration() }
            var stamped: [(raw: [UInt8], envelope: Envelope)] = []
            stamped.reserveCapacity(items.count)
            for item in items {
                var envelope = item.envelope
                try await stampFloors(on: &envelope, message: item.message, lockGeneration: generation)
                stamped.append((item.message.raw, envelope))
            }
            let receipts = try await appendConcurrently(stamped)
            return zip(items, zip(stamped, receipts)).map { item, journaled in
                JournaledMessage(message: item.message, envelope: journaled.0.envelope, receipt: journaled.1)
            }
        }
    }

    /// Stamps the retention floors of the locked policies that match `message` into `envelope`.
    func stampFloors(on envelope: inout Envelope, message: Message, lockGeneration: Int64) async throws {
        let policies = try await store.floorStamper.policies(generation: lockGeneration, catalog: catalog)
        guard !policies.isEmpty else { return }
        let sha256 = Hex.string(SHA256.hash(data: message.raw))
        let floors = try await store.floorStamper.floors(for: message, envelope: envelope, sha256: sha256,
                                                         policies: policies)
        envelope.retentionFloors = floors.isEmpty ? nil : floors
    }

    /// Import, step 2: index a journaled batch in the catalog, in one transaction.
    public func index(_ journaled: [JournaledMessage]) async throws(DeliveryError) {
        try await catching {
            guard !journaled.isEmpty else { return }
            var indexItems = journaled.map { IndexItem(message: $0.message, receipt: $0.receipt, envelope: $0.envelope) }
            // Index in archive order, the order `reindex` reads the records in, so that rows (and
            // with them the order of equal-dated search results) are the same after a reindex.
            indexItems.sort { $0.receipt.envelope < $1.receipt.envelope }
            try await catalog.messages.index(indexItems)
        }
    }

    /// Whether the archive already holds a message with these exact bytes (an import skips it).
    public func isArchived(sha256: String) -> Bool {
        archive.containsBody(sha256: sha256)
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
                group.addTask {
                    // Awaited before the tuple is built (see `ParallelChunks`).
                    let receipts = try await archive.append(messages: slice)
                    return (index, receipts)
                }
            }
            var results = [[AppendReceipt]](repeating: [], count: parts.count)
            for try await (index, receipts) in group { results[index] = receipts }
            return results.flatMap { $0 }
        }
    }
}
