import Crypto
import StoreModel

/// What a record is. The raw value is the kind byte on disk.
public enum ArchiveRecordKind: UInt8, Sendable, Codable, CaseIterable {
    case body = 1
    case envelope = 2
    case event = 3
    case seal = 4
    /// What stays of a record a purge removed: a stub written by compaction (see `PurgedStub`).
    case purged = 5
}

/// One framed record (layout in ArchiveStore.swift): length, kind, flags, raw size, content
/// hash, chain value, payload, CRC-32. The CRC shows a torn or damaged frame; the chain shows
/// a removed, inserted, reordered or altered record.
struct RecordFrame: Sendable {
    /// Bytes from `kind` to the end of `payload` without the payload.
    static let fixedSize = 1 + 1 + 8 + 32 + 32
    /// Length field + fixed part + CRC.
    static let overhead = 4 + fixedSize + 4
    /// A frame larger than this is damage, not data (bodies are capped well below).
    static let maximumLength = 1 << 30

    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        /// The payload is raw deflate with the segment's dictionary.
        static let deflated = Flags(rawValue: 1)
    }

    var kind: UInt8
    var flags: Flags
    /// Bytes of the content once inflated (bodies) or of the payload (others).
    var rawSize: UInt64
    /// SHA-256 of the raw message for bodies, of the payload otherwise.
    var contentHash: [UInt8]
    var chain: [UInt8]
    var payload: [UInt8]

    var encodedCount: Int { RecordFrame.overhead + payload.count }

    /// SHA-256(kind ‖ flags ‖ rawSize ‖ contentHash ‖ payload): what the chain commits to.
    static func recordHash(
        kind: UInt8, flags: Flags, rawSize: UInt64, contentHash: [UInt8], payload: some Collection<UInt8>
    ) -> [UInt8] {
        var hasher = SHA256Hasher()
        var fixed: [UInt8] = [kind, flags.rawValue]
        fixed.appendBigEndian(rawSize)
        fixed.append(contentsOf: contentHash)
        hasher.update(fixed)
        hasher.update(payload)
        return hasher.finalize()
    }

    /// chain = SHA-256(previous chain ‖ record hash).
    static func nextChain(previous: [UInt8], recordHash: [UInt8]) -> [UInt8] {
        sha256(previous + recordHash)
    }

    /// Builds a frame whose chain value follows `previous`.
    init(kind: ArchiveRecordKind, flags: Flags, rawSize: UInt64, contentHash: [UInt8], payload: [UInt8], previous: [UInt8]) {
        self.kind = kind.rawValue
        self.flags = flags
        self.rawSize = rawSize
        self.contentHash = contentHash
        self.payload = payload
        let hash = RecordFrame.recordHash(
            kind: kind.rawValue, flags: flags, rawSize: rawSize, contentHash: contentHash, payload: payload)
        self.chain = RecordFrame.nextChain(previous: previous, recordHash: hash)
    }

    init(kind: UInt8, flags: Flags, rawSize: UInt64, contentHash: [UInt8], chain: [UInt8], payload: [UInt8]) {
        self.kind = kind
        self.flags = flags
        self.rawSize = rawSize
        self.contentHash = contentHash
        self.chain = chain
        self.payload = payload
    }

    /// The hash the chain commits to: computed from the fields, or, for a purged stub, the
    /// original record's hash that the stub keeps (nil when the stub's payload is malformed).
    var recordHash: [UInt8] {
        if kind == ArchiveRecordKind.purged.rawValue, let stub = PurgedStub(payload: payload) { return stub.recordHash }
        return RecordFrame.recordHash(kind: kind, flags: flags, rawSize: rawSize, contentHash: contentHash, payload: payload)
    }

    var isPurgedStub: Bool { kind == ArchiveRecordKind.purged.rawValue }

    /// An anchor event (a journaled time stamp); false for a frame read without its payload.
    var isAnchor: Bool {
        kind == ArchiveRecordKind.event.rawValue && payload.first == ArchiveEventKind.anchor.rawValue
    }

    /// The fields of a frame whose length field and size were already checked.
    static func decodeFields(_ raw: ArraySlice<UInt8>, payloadLength: Int) -> RecordFrame {
        var fields = ByteReader(raw)
        _ = fields.read(UInt32.self)
        let kind = fields.read(UInt8.self)!
        let flags = Flags(rawValue: fields.read(UInt8.self)!)
        let rawSize = fields.read(UInt64.self)!
        let contentHash = Array(fields.read(count: 32)!)
        let chain = Array(fields.read(count: 32)!)
        let payload = Array(fields.read(count: payloadLength)!)
        return RecordFrame(kind: kind, flags: flags, rawSize: rawSize, contentHash: contentHash, chain: chain, payload: payload)
    }

    func encode(into out: inout [UInt8]) {
        let start = out.count
        out.appendBigEndian(UInt32(RecordFrame.fixedSize + payload.count))
        out.append(kind)
        out.append(flags.rawValue)
        out.appendBigEndian(rawSize)
        out.append(contentsOf: contentHash)
        out.append(contentsOf: chain)
        out.append(contentsOf: payload)
        out.appendBigEndian(crc32Of(out[start...]))
    }
}

/// Incremental SHA-256 over several byte runs.
struct SHA256Hasher {
    private var inner = SHA256()
    mutating func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            inner.update(data: Array(bytes))
        }
    }
    func finalize() -> [UInt8] { Array(inner.finalize()) }
}
