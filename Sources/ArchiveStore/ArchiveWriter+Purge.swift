#if canImport(Glibc)
import Glibc
#endif
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What compacting one segment did.
public struct CompactionResult: Sendable, Hashable {
    public var segment: UInt32
    /// File sizes before and after; equal when there was nothing left to remove.
    public var bytesBefore: UInt64
    public var bytesAfter: UInt64
    /// Records replaced by stubs now (records that were stubs already are not counted).
    public var stubsWritten: Int

    public var bytesReclaimed: Int64 { Int64(bytesBefore) - Int64(bytesAfter) }
}

/// Purges on the writer thread, under the archive's `flock`: finding and journaling what a purge
/// removes is atomic with respect to every append of every process (no delivery can deduplicate
/// against a body between the scan and the purge record), and compaction never races another
/// process's compaction of the same segment.
extension ArchiveWriter {
    // MARK: - The purge record

    /// Scans every segment for the body records of the purge's messages and every envelope record
    /// naming one of them, journals the purge record listing them (the intent, before anything is
    /// removed), and seals the active segment if it holds any of them (compaction rewrites sealed
    /// segments only). A failing scan fails this caller only; nothing was written.
    ///
    /// Two rules hold here, from the archive's own records, whatever the catalog or the caller say:
    /// - a message an envelope's retention floor protects beyond the purge's time is left out (the
    ///   purge record names only what it removes, and lists the protected messages);
    /// - a purge whose time is earlier than the newest record's (the clock was set back) is refused.
    func journalPurge(_ request: PurgeRecord) throws(ArchiveError) -> ItemOutcome {
        var scan: PurgeScan
        do {
            try flush()  // records of this batch, so that the scan sees them
            scan = try findRecords(of: Set(request.messages.compactMap { ContentHash(hex: $0.sha256) }))
        } catch {
            return .failed(error)
        }
        if let newest = scan.newestTime, request.time < newest.addingTimeInterval(-Self.clockSlack) {
            return .failed(.clockBehind(clock: request.time, newestRecord: newest))
        }
        var record = request
        let protected = Set(scan.floors.filter { $0.value > request.time }.keys)
        record.messages = request.messages.filter { !protected.contains($0.sha256.lowercased()) }
        let kept = request.messages.compactMap { item -> PurgeRecord.Protected? in
            guard let until = scan.floors[item.sha256.lowercased()], until > request.time else { return nil }
            return PurgeRecord.Protected(sha256: item.sha256, until: until)
        }
        record.protected = kept.isEmpty ? nil : kept
        record.removed = scan.removed.filter { !protected.contains($0.sha256) }
        let bytes = [ArchiveEventKind.purge.rawValue] + record.encoded()
        try rotateIfFull(adding: bytes.count)
        let location = append(.event, flags: [], rawSize: UInt64(bytes.count), contentHash: sha256(bytes), payload: bytes)
        notePurges(of: record)
        if record.removed.contains(where: { $0.location.segment == segment }) { try sealAndRotate() }
        logger.notice("journaled a purge", metadata: [
            "purge": "\(record.id)", "record": "\(location)", "removed records": "\(record.removed.count)",
        ])
        return .purgeJournaled(location, record)
    }

    /// How far the clock may lag the newest record before a purge is refused (clocks of two processes
    /// on one machine agree; a minute covers a slow NTP step).
    static let clockSlack: TimeInterval = 60

    /// What a purge's scan found: the records to remove, the latest retention floor of each message
    /// among its envelopes, and the newest instant the archive holds a record of.
    struct PurgeScan {
        var removed: [PurgeRecord.Removed] = []
        var floors: [String: Date] = [:]
        var newestTime: Date?
    }

    /// Every body record with one of `hashes` and every envelope record naming one, in archive
    /// order (stubs of earlier purges are skipped), with the floors those envelopes carry; and the
    /// newest time the newest segment shows (its creation, its envelopes' archive times).
    private func findRecords(of hashes: Set<ContentHash>) throws(ArchiveError) -> PurgeScan {
        var scan = PurgeScan()
        scan.newestTime = Date(timeIntervalSince1970: Double(header.createdAt) / 1000)
        guard !hashes.isEmpty, segment > 0 else { return scan }
        for number in 1...segment {
            var scanner = try SegmentScanner(path: segmentPath(number))
            loop: while true {
                switch try scanner.next(checkCRC: true) {
                case .record(let scanned):
                    let frame = scanned.frame
                    let hash: ContentHash
                    switch ArchiveRecordKind(rawValue: frame.kind) {
                    case .body: hash = ContentHash(frame.contentHash)
                    case .envelope:
                        guard let named = Self.bodyHash(ofEnvelope: frame.payload) else {
                            throw .corrupted(file: SegmentName.fileName(number), offset: scanned.offset,
                                             reason: "envelope JSON does not decode")
                        }
                        hash = named
                        if number == segment || hashes.contains(hash) {
                            guard let envelope = EnvelopePayload.decode(frame.payload)?.envelope else {
                                throw .corrupted(file: SegmentName.fileName(number), offset: scanned.offset,
                                                 reason: "envelope JSON does not decode")
                            }
                            if number == segment, envelope.archiveTime > scan.newestTime ?? .distantPast {
                                scan.newestTime = envelope.archiveTime
                            }
                            if hashes.contains(hash), let until = envelope.retentionFloors?.map(\.until).max() {
                                scan.floors[hash.hex] = Swift.max(until, scan.floors[hash.hex] ?? until)
                            }
                        }
                    default: continue loop
                    }
                    guard hashes.contains(hash) else { continue loop }
                    scan.removed.append(PurgeRecord.Removed(
                        location: RecordLocation(segment: number, offset: scanned.offset), kind: frame.kind,
                        recordHash: Hex.string(frame.recordHash), contentHash: Hex.string(frame.contentHash),
                        length: UInt32(scanned.frameLength), sha256: hash.hex))
                case .end:
                    break loop
                case .damaged(let offset, let reason, _):
                    throw .corrupted(file: SegmentName.fileName(number), offset: offset, reason: reason)
                }
            }
        }
        return scan
    }

    private static let sha256Key = Array(#""sha256":""#.utf8)

    /// The SHA-256 an envelope payload names. The writer encodes envelopes as canonical JSON with
    /// sorted keys, so the top-level `"sha256":"` is the last occurrence of that text (inside a
    /// JSON string a quote is escaped); anything else is decoded in full.
    static func bodyHash(ofEnvelope payload: [UInt8]) -> ContentHash? {
        let key = sha256Key
        var index = payload.count - key.count - 65
        while index >= 0 {
            if payload[index] == key[0], payload[index..<(index + key.count)].elementsEqual(key) {
                let start = index + key.count
                if payload[start + 64] == UInt8(ascii: "\""), let hash = ContentHash(hex: String(decoding: payload[start..<(start + 64)], as: UTF8.self)) {
                    return hash
                }
                break
            }
            index -= 1
        }
        return EnvelopePayload.decode(payload).flatMap { ContentHash(hex: $0.sha256) }
    }

    // MARK: - Keeping the dedup index right

    /// The bodies a purge event frame removes, with their locations (none for other frames).
    static func purgedBodies(in frame: RecordFrame) -> [(ContentHash, RecordLocation)] {
        guard frame.kind == ArchiveRecordKind.event.rawValue, frame.payload.first == ArchiveEventKind.purge.rawValue,
            let record = PurgeRecord.decode(Array(frame.payload.dropFirst()))
        else { return [] }
        return record.removed.compactMap { removed in
            guard removed.kind == ArchiveRecordKind.body.rawValue, let hash = ContentHash(hex: removed.contentHash) else {
                return nil
            }
            return (hash, removed.location)
        }
    }

    /// A purge record read from the active segment (another process's, or ours at open).
    func notePurges(in frame: RecordFrame) {
        for (hash, location) in Self.purgedBodies(in: frame) { stagePurge(hash, location) }
    }

    private func notePurges(of record: PurgeRecord) {
        for removed in record.removed where removed.kind == ArchiveRecordKind.body.rawValue {
            if let hash = ContentHash(hex: removed.contentHash) { stagePurge(hash, removed.location) }
        }
    }

    private func stagePurge(_ hash: ContentHash, _ location: RecordLocation) {
        if staged[hash] == location { staged[hash] = nil }
        stagedPurges.append((hash, location))
        purgedLocations.insert(location)
    }

    // MARK: - Compaction

    /// Rewrites sealed segment `number` with a stub in place of each record at `offsets` (logical):
    /// the new file — header (format version 2), the frames, the offset table — is written beside
    /// it as `segment-N.tsa.compacting`, fsynced, made read-only, and renamed over the segment;
    /// then the directory is fsynced. A crash leaves either file whole; a leftover `.compacting`
    /// file is removed at the next open. Records already stubbed stay as they are, so running a
    /// compaction twice changes nothing the second time.
    func compact(_ number: UInt32, removing offsets: Set<UInt64>) throws(ArchiveError) -> CompactionResult {
        guard number >= 1, number < segment else { throw .notSealed(segment: number) }
        let path = segmentPath(number)
        let file = SegmentName.fileName(number)
        let before = FileIO.size(atPath: path) ?? 0
        var header = try readHeader(of: number)
        header.formatVersion = SegmentHeader.compactedFormatVersion
        let temporary = path + ".compacting"
        unlink(temporary)
        let out = try FileIO.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        var closed = false
        defer { if !closed { Glibc.close(out); unlink(temporary) } }

        var scanner = try SegmentScanner(path: path)
        var pending = header.encoded()
        var written: UInt64 = 0
        var physical = UInt64(SegmentHeader.size)
        var entries: [CompactionIndex.Entry] = []
        var found = 0, stubs = 0
        var lastKind: UInt8 = 0
        loop: while true {
            switch try scanner.next(checkCRC: true) {
            case .record(let scanned):
                var frame = scanned.frame
                if offsets.contains(scanned.offset) {
                    found += 1
                    if !frame.isPurgedStub {
                        guard frame.kind == ArchiveRecordKind.body.rawValue || frame.kind == ArchiveRecordKind.envelope.rawValue
                        else {
                            throw .corrupted(file: file, offset: scanned.offset,
                                             reason: "a purge names a record that is neither a body nor an envelope")
                        }
                        frame = PurgedStub.frame(replacing: frame, frameLength: scanned.frameLength)
                        stubs += 1
                    }
                }
                lastKind = frame.kind
                entries.append(CompactionIndex.Entry(logical: scanned.offset, physical: physical))
                let start = pending.count
                frame.encode(into: &pending)
                physical += UInt64(pending.count - start)
                if pending.count >= 1 << 20 {
                    try FileIO.write(out, path: temporary, bytes: pending, at: written)
                    written += UInt64(pending.count)
                    pending.removeAll(keepingCapacity: true)
                    configuration.compactionObserver?(.writing(segment: number, bytes: written))
                }
            case .end:
                break loop
            case .damaged(let offset, let reason, _):
                throw .corrupted(file: file, offset: offset, reason: reason)
            }
        }
        guard lastKind == ArchiveRecordKind.seal.rawValue else { throw .notSealed(segment: number) }
        guard found == offsets.count else {
            throw .corrupted(file: file, offset: 0, reason: "a purge names \(offsets.count - found) records this segment lacks")
        }
        guard stubs > 0 else {
            return CompactionResult(segment: number, bytesBefore: before, bytesAfter: before, stubsWritten: 0)
        }
        pending.append(contentsOf: CompactionIndex(entries: entries, tableOffset: physical).encoded())
        try FileIO.write(out, path: temporary, bytes: pending, at: written)
        try sync(out, path: temporary)
        closed = true
        Glibc.close(out)
        configuration.compactionObserver?(.written(segment: number))
        guard chmod(temporary, 0o444) == 0, rename(temporary, path) == 0 else {
            let failure = FileIO.fail("rename", path)
            unlink(temporary)
            throw failure
        }
        try FileIO.syncDirectory(directory)
        configuration.compactionObserver?(.renamed(segment: number))
        let after = FileIO.size(atPath: path) ?? 0
        shared.state.withLock { state in
            let current = state.statistics.bytesOnDisk
            state.statistics.bytesOnDisk = current + after >= before ? current + after - before : 0
            state.statistics.purged += stubs
        }
        logger.notice("compacted an archive segment", metadata: [
            "file": "\(file)", "stubs": "\(stubs)", "bytes before": "\(before)", "bytes after": "\(after)",
        ])
        return CompactionResult(segment: number, bytesBefore: before, bytesAfter: after, stubsWritten: stubs)
    }

    /// At open, under the lock: a `.compacting` file is a compaction a crash interrupted before
    /// its rename; the segment it was made from is intact, so the file goes.
    func removeInterruptedCompactions() {
        guard let names = try? FileIO.listDirectory(directory) else { return }
        var removed = false
        for name in names where name.hasPrefix("segment-") && name.hasSuffix(".tsa.compacting") {
            logger.warning("removing an interrupted compaction", metadata: ["file": "\(name)"])
            unlink(directory + "/" + name)
            removed = true
        }
        if removed { try? FileIO.syncDirectory(directory) }
    }
}

extension ContentHash {
    var hex: String {
        var bytes: [UInt8] = []
        for word in [a, b, c, d] { bytes.appendBigEndian(word) }
        return Hex.string(bytes)
    }
}
