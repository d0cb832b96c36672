import ArchiveStore
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What anchoring the archive can fail with.
public enum AnchorError: Error, Sendable, Hashable, CustomStringConvertible {
    case storage(StorageFailure)
    /// The archive holds no record yet: there is no point of the chain to stamp or to witness.
    case emptyArchive

    public var description: String {
        switch self {
        case .storage(let failure): failure.description
        case .emptyArchive: "the archive holds no record yet: nothing to stamp or witness"
        }
    }
}

extension AnchorError: StoreFailure {}

/// The archive's side of anchoring: which point of the chain is the newest (to be stamped), the
/// journal of time stamps (anchor event records, and their copies in `DATA/anchors/`), and
/// witnesses signed with the archive key. Asking a Time-Stamping Authority and checking a token's
/// certificates are the caller's (MailServer's), so this module knows nothing of RFC 3161 beyond
/// the token's bytes.
public struct AnchorLedger: StoreService {
    typealias Failure = AnchorError
    let store: MailStore

    /// The newest durable point of the chain this process knows (no I/O).
    public var tip: ArchiveTip { archive.tip }

    /// Journals time stamps (one group commit, in order), then writes their copies into
    /// `DATA/anchors/`. A failure after the journal leaves the records without copies, which
    /// `verify` reports as a warning, never as tampering.
    public func journal(_ records: [AnchorRecord]) async throws(AnchorError) -> [JournaledAnchor] {
        try await catching {
            let locations = try await archive.append(events: records.map { (kind: .anchor, payload: $0.encoded()) })
            let journaled = zip(locations, records).map { JournaledAnchor(location: $0, record: $1) }
            let directory = store.dataDirectory
            try await BlockingWork.io.run { try AnchorCopies.write(journaled, dataDirectory: directory) }
            return journaled
        }
    }

    /// The newest journaled anchor of each TSA (by the URL it was asked from), oldest first. Read
    /// from the copies in `DATA/anchors/`, newest first, each confirmed by its record in the archive
    /// (one read); a copy the archive does not confirm is skipped here and reported by `verify`.
    public func newestPerAuthority() async throws(AnchorError) -> [JournaledAnchor] {
        try await catching {
            let directory = store.dataDirectory
            let archive = self.archive
            return try await BlockingWork.io.run {
                var newest: [String: JournaledAnchor] = [:]
                for copy in try AnchorCopies.read(dataDirectory: directory).copies.reversed()
                where newest[copy.anchor.record.tsa] == nil {
                    if Self.archive(archive, confirms: copy.anchor) { newest[copy.anchor.record.tsa] = copy.anchor }
                }
                return newest.values.sorted { $0.location < $1.location }
            }
        }
    }

    /// A witness of the tip as of now, carrying `anchors`, signed with the seal key in effect.
    public func witness(carrying anchors: [JournaledAnchor]) async throws(AnchorError) -> Witness {
        let tip = self.tip
        guard let point = tip.last else { throw .emptyArchive }
        return try await catching {
            // The seal key in effect (after any rotation, wherever `seal_key` keeps it).
            let key = try await archive.currentSealKey().key
            let now = clock.now()
            return try await BlockingWork.cpu.run {
                var witness = Witness(point: point, records: tip.records, time: now, key: key.publicKeyHex,
                                      anchors: anchors)
                witness.signature = Hex.string(key.sign(witness.signedBytes))
                return witness
            }
        }
    }

    /// Where the copy of a journaled anchor is, relative to the data directory, without the
    /// extension (`anchors/20260105T120000Z-3-1048576`: `.tsr` is the token, `.json` the record).
    public static func copyPath(of anchor: JournaledAnchor) -> String {
        AnchorCopies.folderName + "/" + AnchorCopies.baseName(of: anchor)
    }

    /// The UTC day (`2026-01-05`) the server last mailed a witness; nil when it never did.
    public func witnessMailedDay() async -> String? {
        let directory = store.dataDirectory
        return await BlockingWork.io.perform { AnchorCopies.witnessMailedDay(dataDirectory: directory) }
    }

    /// Remembers that the witness of `day` was mailed.
    public func noteWitnessMailed(day: String) async throws(AnchorError) {
        let directory = store.dataDirectory
        try await catching {
            try await BlockingWork.io.run { try AnchorCopies.noteWitnessMailed(day: day, dataDirectory: directory) }
        }
    }

    /// Whether the record at the anchor's location is that anchor (the same token for the same point).
    static func archive(_ archive: ArchiveStore, confirms anchor: JournaledAnchor) -> Bool {
        guard let record = try? archive.readRecord(at: anchor.location), record.kind == .event,
            record.eventKind == .anchor, let payload = record.eventPayload, let found = AnchorRecord.decode(payload)
        else { return false }
        return found.isSameStamp(as: anchor.record)
    }
}
