#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `DATA/archive/HEAD`: the newest state a writer acknowledged, rewritten (temp + rename, not
/// fsynced) after each batch. After a crash it may lag the segments, never lead them.
/// "TRESORHD" ‖ version u16 = 1 ‖ segment u32 ‖ length u64 ‖ records in that segment u64 ‖
/// chain head (32) ‖ Ed25519 signature (RFC 8032, 64) over "tresor-head-v1" ‖ segment ‖ length
/// ‖ records ‖ chain, big-endian.
///
/// Public so that others can tie something to one point of the hash chain (an export records
/// it in `export.json`) and check it later with the archive's public key alone.
public struct ArchiveHead: Sendable, Hashable {
    public static let fileName = "HEAD"
    package static let magic = Array("TRESORHD".utf8)
    package static let label = Array("tresor-head-v1".utf8)
    package static let size = 8 + 2 + 4 + 8 + 8 + 32 + 64

    /// The newest segment.
    public var segment: UInt32
    /// Bytes of that segment acknowledged.
    public var length: UInt64
    /// Records in that segment.
    public var recordCount: UInt64
    /// The chain value after the last acknowledged record (32 bytes).
    public var chainHead: [UInt8]
    /// The archive key's Ed25519 signature over `signedBytes` (64 bytes).
    public var signature: [UInt8]

    public init(segment: UInt32, length: UInt64, recordCount: UInt64, chainHead: [UInt8], signature: [UInt8] = []) {
        self.segment = segment
        self.length = length
        self.recordCount = recordCount
        self.chainHead = chainHead
        self.signature = signature
    }

    /// Hex of `chainHead`, as the archive's records show chain values.
    public var chainHex: String { Hex.string(chainHead) }

    /// The bytes the signature covers.
    public var signedBytes: [UInt8] {
        var out = ArchiveHead.label
        out.appendBigEndian(segment)
        out.appendBigEndian(length)
        out.appendBigEndian(recordCount)
        out.append(contentsOf: chainHead)
        return out
    }

    /// Parses a HEAD file's bytes; nil if they are not one.
    public init?(file bytes: [UInt8]) {
        guard bytes.count == Self.size, Array(bytes[0..<8]) == Self.magic else { return nil }
        var reader = ByteReader(bytes[8...])
        guard reader.read(UInt16.self) == 1 else { return nil }
        self.init(
            segment: reader.read(UInt32.self)!, length: reader.read(UInt64.self)!, recordCount: reader.read(UInt64.self)!,
            chainHead: Array(reader.read(count: 32)!), signature: Array(reader.read(count: 64)!))
    }

    /// Whether `key` made the signature.
    public func isSigned(by key: ArchivePublicKey) -> Bool {
        key.isValidSignature(signature, for: signedBytes)
    }

}

/// The JSON form others record HEAD in (an export's `export.json`): the integers as numbers,
/// the chain value and the signature as lower-case hex.
/// `{"chain": hex, "length": n, "records": n, "segment": n, "signature": hex}`
extension ArchiveHead: Codable {
    enum CodingKeys: String, CodingKey {
        case segment, length, records, chain, signature
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func hex(_ key: CodingKeys) throws -> [UInt8] {
            guard let bytes = Hex.bytes(try container.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not hex")
            }
            return bytes
        }
        self.init(
            segment: try container.decode(UInt32.self, forKey: .segment),
            length: try container.decode(UInt64.self, forKey: .length),
            recordCount: try container.decode(UInt64.self, forKey: .records),
            chainHead: try hex(.chain), signature: try hex(.signature))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(segment, forKey: .segment)
        try container.encode(length, forKey: .length)
        try container.encode(recordCount, forKey: .records)
        try container.encode(chainHex, forKey: .chain)
        try container.encode(Hex.string(signature), forKey: .signature)
    }
}
