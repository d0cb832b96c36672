import ArchiveStore
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

    public init(raw: [UInt8], origin: String, sourceDetail: String) {
        self.raw = raw
        self.origin = origin
        self.sourceDetail = sourceDetail
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
    private let now: @Sendable () -> Date
    /// The previous batch's indexing; it returns its duration in seconds.
    private var indexing: Task<Double, any Error>?

    public init(store: MailStore, batchSize: Int = 512, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.batchSize = batchSize
        self.now = now
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
        let started = Date()
        totals.secondsIndexing += try await previous.value
        totals.secondsWaitingForIndex += Date().timeIntervalSince(started)
    }

    private mutating func writePending() async throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)

        var started = Date()
        let hashed = await ParallelChunks.map(batch) { candidate in
            (candidate, SHA256.hash(data: candidate.raw).hexString)
        }
        totals.secondsHashing += Date().timeIntervalSince(started)
        var fresh: [(ImportCandidate, String)] = []
        for (candidate, sha256) in hashed {
            if seen.contains(sha256) || store.archive.containsBody(sha256: sha256) {
                totals.alreadyArchived += 1
            } else {
                seen.insert(sha256)
                fresh.append((candidate, sha256))
            }
        }
        guard !fresh.isEmpty else { return }

        let receivedAt = now()
        started = Date()
        let parsed = await ParallelChunks.map(fresh) { candidate, sha256 in
            (Message(parsing: candidate.raw), candidate, sha256)
        }
        totals.secondsParsing += Date().timeIntervalSince(started)
        var items: [(message: Message, envelope: Envelope)] = []
        items.reserveCapacity(parsed.count)
        for (message, candidate, sha256) in parsed {
            let envelope = Envelope(receivedAt: receivedAt, direction: .imported, source: "import",
                                    sourceDetail: candidate.sourceDetail)
            items.append((message, envelope))
            if !message.problems.isEmpty {
                totals.malformed.append(ImportProblemReport(origin: candidate.origin, sha256: sha256,
                                                            problems: message.problems))
            }
            totals.bytesArchived += candidate.raw.count
        }
        started = Date()
        let receipts = try await store.journal(items)
        totals.secondsJournaling += Date().timeIntervalSince(started)
        totals.archived += items.count
        // Durable now; index it once the previous batch is indexed (catalog order = archive order).
        try await waitForIndexing()
        let store = self.store
        let journaled = items
        indexing = Task {
            let started = Date()
            try await store.index(journaled, receipts: receipts)
            return Date().timeIntervalSince(started)
        }
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, the form the archive and catalog use for SHA-256 ids.
    var hexString: String {
        var out = ""
        for byte in self {
            out += String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }
        return out
    }
}
