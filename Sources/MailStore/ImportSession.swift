import Crypto
import MailMessage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// One message offered to an import, with where it came from.
public struct ImportCandidate: Sendable {
    public var raw: [UInt8]
    /// Where the message was read, for reports: a path, or "path message 12 (byte 3456)".
    public var origin: String
    /// Stored in the envelope's `sourceDetail`: the file or folder it was imported from.
    public var sourceDetail: String
    /// A date the source knows besides the bytes (mbox `From ` line, Maildir file name), for the
    /// received time (`ReceivedTimeRule`).
    public var hint: ReceivedTimeHint?

    public init(raw: [UInt8], origin: String, sourceDetail: String, hint: ReceivedTimeHint? = nil) {
        self.raw = raw
        self.origin = origin
        self.sourceDetail = sourceDetail
        self.hint = hint
    }
}

/// A message that was archived although it is malformed: it is kept as it is and reported,
/// never skipped silently.
public struct ImportProblemReport: Sendable {
    public var origin: String
    public var sha256: String
    public var problems: [ParseProblem]
}

public struct ImportTotals: Sendable {
    public var offered = 0
    public var archived = 0
    public var alreadyArchived = 0
    public var bytesOffered = 0
    public var bytesArchived = 0
    public var malformed: [ImportProblemReport] = []
    /// Where the time went (wall-clock seconds of each step, summed over batches; indexing
    /// overlaps the next batch's hashing, parsing and journaling).
    public var secondsHashing = 0.0
    public var secondsParsing = 0.0
    public var secondsJournaling = 0.0
    public var secondsIndexing = 0.0
    /// Time the import waited for the previous batch's indexing to finish.
    public var secondsWaitingForIndex = 0.0
}

/// Imports messages in batches: each batch is hashed and parsed on every core, journaled with
/// one group commit and indexed in one catalog transaction. Batches form a pipeline: while the
/// catalog indexes batch N (on SQLite's writer), batch N+1 is hashed, parsed and journaled.
/// Batches are indexed one after another, in order, and only once they are durable.
///
/// Idempotent: a message whose exact bytes are already in the archive (from any earlier import
/// or delivery) or earlier in this import archives nothing new and is counted as already archived.
public struct ImportSession {
    public let store: MailStore
    public let batchSize: Int
    public private(set) var totals = ImportTotals()
    private var pending: [ImportCandidate] = []
    private var seen: Set<String> = []
    /// The previous batch's indexing; it returns its duration in seconds.
    private var indexing: Task<Double, any Error>?

    public init(store: MailStore, batchSize: Int = 512) {
        self.store = store
        self.batchSize = batchSize
    }

    public mutating func add(_ candidate: ImportCandidate) async throws {
        pending.append(candidate)
        totals.offered += 1
        totals.bytesOffered += candidate.raw.count
        if pending.count >= batchSize { try await writePending() }
    }

    /// Writes what is pending and waits until everything is indexed. Call once at the end;
    /// the totals are final afterwards.
    public mutating func flush() async throws {
        try await writePending()
        try await waitForIndexing()
    }

    private mutating func waitForIndexing() async throws {
        guard let previous = indexing else { return }
        indexing = nil
        let started = ContinuousClock.now
        totals.secondsIndexing += try await previous.value
        totals.secondsWaitingForIndex += started.duration(to: .now).seconds
    }

    private mutating func writePending() async throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)

        var started = ContinuousClock.now
        let hashed = await ParallelChunks.map(batch) { candidate in
            (candidate, Hex.string(SHA256.hash(data: candidate.raw)))
        }
        totals.secondsHashing += started.duration(to: .now).seconds
        var fresh: [(ImportCandidate, String)] = []
        for (candidate, sha256) in hashed {
            if seen.contains(sha256) || store.delivery.isArchived(sha256: sha256) {
                totals.alreadyArchived += 1
            } else {
                seen.insert(sha256)
                fresh.append((candidate, sha256))
            }
        }
        guard !fresh.isEmpty else { return }

        let archivedAt = store.clock.now()
        started = ContinuousClock.now
        let parsed = await ParallelChunks.map(fresh) { candidate, sha256 in
            (Message(parsing: candidate.raw), candidate, sha256)
        }
        totals.secondsParsing += started.duration(to: .now).seconds
        var items: [(message: Message, envelope: Envelope)] = []
        items.reserveCapacity(parsed.count)
        for (message, candidate, sha256) in parsed {
            let received = ReceivedTimeRule.choose(for: message, hint: candidate.hint, archivedAt: archivedAt)
            let envelope = Envelope(receivedAt: received.date, direction: .imported, source: .import,
                                    sourceDetail: candidate.sourceDetail, receivedFrom: received.source,
                                    archivedAt: received.date == archivedAt ? nil : archivedAt)
            items.append((message, envelope))
            if !message.problems.isEmpty {
                totals.malformed.append(ImportProblemReport(origin: candidate.origin, sha256: sha256,
                                                            problems: message.problems))
            }
            totals.bytesArchived += candidate.raw.count
        }
        started = ContinuousClock.now
        let journaled = try await store.delivery.journal(items)
        totals.secondsJournaling += started.duration(to: .now).seconds
        totals.archived += items.count
        // Durable now; index it once the previous batch is indexed (catalog order = archive order).
        try await waitForIndexing()
        let store = self.store
        indexing = Task {
            let started = ContinuousClock.now
            try await store.delivery.index(journaled)
            return started.duration(to: .now).seconds
        }
    }
}

extension Duration {
    /// Seconds as a floating-point number, for the import's timing report.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
