import StoreModel
/// The 60-byte header at the start of every segment file (layout in ArchiveStore.swift).
struct SegmentHeader: Hashable, Sendable {
    static let magic = Array("TRESORSG".utf8)
    static let formatVersion: UInt16 = 1
    /// A segment rewritten by compaction: frames, then the offset table (see `CompactionIndex`).
    static let compactedFormatVersion: UInt16 = 2
    static let size = 60

    var formatVersion: UInt16 = SegmentHeader.formatVersion
    var dictionaryVersion: UInt16
    var segment: UInt32
    /// Milliseconds since 1970-01-01T00:00:00Z.
    var createdAt: Int64
    /// The chain value before this segment's first record: the genesis value for segment 1,
    /// else the previous segment's final chain value (after its seal).
    var startChain: [UInt8]

    func encoded() -> [UInt8] {
        var out = SegmentHeader.magic
        out.appendBigEndian(formatVersion)
        out.appendBigEndian(dictionaryVersion)
        out.appendBigEndian(segment)
        out.appendBigEndian(createdAt)
        out.append(contentsOf: startChain)
        out.appendBigEndian(crc32Of(out))
        return out
    }

    /// Parses and checks a header; the error string says what is wrong.
    static func decode(_ bytes: [UInt8]) -> Result<SegmentHeader, HeaderProblem> {
        guard bytes.count >= size else { return .failure(.init("the segment header is truncated")) }
        guard Array(bytes[0..<8]) == magic else { return .failure(.init("bad magic: not a Tresor segment")) }
        var reader = ByteReader(bytes[0..<size])
        _ = reader.read(count: 8)
        let version = reader.read(UInt16.self)!
        let dictionary = reader.read(UInt16.self)!
        let segment = reader.read(UInt32.self)!
        let created = reader.read(Int64.self)!
        let chain = Array(reader.read(count: 32)!)
        let crc = reader.read(UInt32.self)!
        guard crc == crc32Of(bytes[0..<(size - 4)]) else { return .failure(.init("segment header CRC mismatch")) }
        guard version == formatVersion || version == compactedFormatVersion else { return .failure(.init("unsupported segment format version \(version)")) }
        return .success(
            SegmentHeader(
                formatVersion: version, dictionaryVersion: dictionary, segment: segment, createdAt: created,
                startChain: chain))
    }

    var isCompacted: Bool { formatVersion == SegmentHeader.compactedFormatVersion }

    struct HeaderProblem: Error { let reason: String; init(_ reason: String) { self.reason = reason } }
}

/// `segment-00000001.tsa`: eight digits so that names sort like numbers.
enum SegmentName {
    static func fileName(_ segment: UInt32) -> String {
        let digits = String(segment)
        return "segment-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".tsa"
    }

    static func number(of fileName: String) -> UInt32? {
        guard fileName.hasPrefix("segment-"), fileName.hasSuffix(".tsa") else { return nil }
        let digits = fileName.dropFirst(8).dropLast(4)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt32(digits)
    }
}
