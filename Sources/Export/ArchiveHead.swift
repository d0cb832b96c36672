import Crypto
import Foundation

/// The archive's `DATA/archive/HEAD` as `export.json` records it: the newest state a writer
/// acknowledged (segment, length, records, chain head) with the archive key's signature over it,
/// so that an auditor holding the archive's public key can tie the export to one point of the
/// hash chain. The file's format is ArchiveStore's (`HeadFile`, in RecordPayloads.swift):
/// "TRESORHD" ‖ version u16 = 1 ‖ segment u32 ‖ length u64 ‖ records u64 ‖ chain (32) ‖ Ed25519
/// signature (64) over "tresor-head-v1" ‖ segment ‖ length ‖ records ‖ chain, big-endian.
public struct ArchiveHead: Codable, Sendable, Hashable {
    public var segment: UInt32
    /// Bytes of that segment acknowledged.
    public var length: UInt64
    /// Records in that segment.
    public var records: UInt64
    /// Hex SHA-256 chain value after the last acknowledged record.
    public var chain: String
    /// Hex Ed25519 signature of the archive key over the fields above (HEAD's own).
    public var signature: String

    static let magic = Array("TRESORHD".utf8)
    static let label = Array("tresor-head-v1".utf8)
    static let size = 8 + 2 + 4 + 8 + 8 + 32 + 64

    /// The bytes HEAD's signature covers.
    public var signedBytes: [UInt8] {
        var out = Self.label
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: segment >> UInt32(shift))) }
        for value in [length, records] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        out.append(contentsOf: Hex.bytes(chain) ?? [])
        return out
    }

    /// Parses a HEAD file's bytes; nil if they are not one.
    public init?(file bytes: [UInt8]) {
        guard bytes.count == Self.size, Array(bytes[0..<8]) == Self.magic, bytes[8] == 0, bytes[9] == 1 else { return nil }
        func integer(_ range: Range<Int>) -> UInt64 { bytes[range].reduce(0) { $0 << 8 | UInt64($1) } }
        segment = UInt32(integer(10..<14))
        length = integer(14..<22)
        records = integer(22..<30)
        chain = Hex.string(bytes[30..<62])
        signature = Hex.string(bytes[62..<126])
    }

    /// Whether `publicKeyHex` made the signature.
    public func isSigned(by publicKeyHex: String) -> Bool {
        guard let raw = Hex.bytes(publicKeyHex), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let signature = Hex.bytes(signature)
        else { return false }
        return key.isValidSignature(signature, for: signedBytes)
    }

    /// `DATA/archive/HEAD`, or nil when the archive has none yet.
    static func read(dataDirectory: URL) throws -> ArchiveHead? {
        let url = dataDirectory.appendingPathComponent("archive/HEAD")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let head = ArchiveHead(file: Array(try Data(contentsOf: url))) else {
            throw ExportError.archiveHeadInvalid(path: url.path)
        }
        return head
    }
}
