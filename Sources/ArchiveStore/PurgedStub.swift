import StoreModel
/// The payload of a purged stub (record kind 5), which compaction writes in place of a record a
/// purge removed: original kind u8 ‖ original flags u8 ‖ original record hash (32) ‖ original
/// frame length u32. The stub frame keeps the original raw size, content hash and chain value, so
/// `verify` recomputes the chain through it with the kept record hash; the purge record (in the
/// chain) names the same location, hash and length, which authenticates the stub.
struct PurgedStub: Sendable, Hashable {
    static let size = 1 + 1 + 32 + 4

    var originalKind: UInt8
    var originalFlags: UInt8
    var recordHash: [UInt8]
    /// Bytes of the original frame, length field and CRC included: the logical offset of the
    /// next record is this stub's logical offset plus this.
    var originalLength: UInt32

    init(originalKind: UInt8, originalFlags: UInt8, recordHash: [UInt8], originalLength: UInt32) {
        self.originalKind = originalKind
        self.originalFlags = originalFlags
        self.recordHash = recordHash
        self.originalLength = originalLength
    }

    init?(payload: [UInt8]) {
        guard payload.count == PurgedStub.size else { return nil }
        var reader = ByteReader(payload)
        originalKind = reader.read(UInt8.self)!
        originalFlags = reader.read(UInt8.self)!
        recordHash = Array(reader.read(count: 32)!)
        originalLength = reader.read(UInt32.self)!
    }

    var encoded: [UInt8] {
        var out: [UInt8] = [originalKind, originalFlags]
        out.append(contentsOf: recordHash)
        out.appendBigEndian(originalLength)
        return out
    }

    /// The stub frame replacing `frame` (whose whole frame was `frameLength` bytes).
    static func frame(replacing frame: RecordFrame, frameLength: Int) -> RecordFrame {
        let stub = PurgedStub(
            originalKind: frame.kind, originalFlags: frame.flags.rawValue, recordHash: frame.recordHash,
            originalLength: UInt32(frameLength))
        return RecordFrame(
            kind: ArchiveRecordKind.purged.rawValue, flags: [], rawSize: frame.rawSize, contentHash: frame.contentHash,
            chain: frame.chain, payload: stub.encoded)
    }
}
