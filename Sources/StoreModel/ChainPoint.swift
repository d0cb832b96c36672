import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One point of the archive's hash chain: the location of a record and the chain value after it.
/// It stands for the whole history up to that record, since the chain value commits to every
/// record before it. An anchor stamps one (through `anchorDigest`), a witness names one.
public struct ChainPoint: Sendable, Hashable, CustomStringConvertible {
    /// Where the record starts (`segment:offset`).
    public var location: RecordLocation
    /// The chain value after that record (32 bytes).
    public var chain: [UInt8]

    public init(location: RecordLocation, chain: [UInt8]) {
        self.location = location
        self.chain = chain
    }

    public var chainHex: String { Hex.string(chain) }

    public var description: String { "\(location) (chain \(chainHex))" }

    /// The label that makes an anchor digest mean nothing else.
    public static let anchorLabel = Array("tresor-anchor-v1".utf8)

    /// What a Time-Stamping Authority stamps for this point, as the messageImprint of an RFC 3161
    /// request (§2.4.1, SHA-256):
    ///
    ///     SHA-256("tresor-anchor-v1" ‖ segment (u32) ‖ offset (u64) ‖ chain value (32 bytes))
    ///
    /// integers big-endian, as everywhere in the archive's formats. The location is inside the digest
    /// so that a token vouches for "this chain value at this record", and a rewritten history cannot
    /// move an old token to another place of its chain.
    public var anchorDigest: [UInt8] {
        var bytes = Self.anchorLabel
        bytes.appendBigEndian(location.segment)
        bytes.appendBigEndian(location.offset)
        bytes.append(contentsOf: chain)
        return Array(SHA256.hash(data: bytes))
    }
}

/// The newest durable state of the archive as this process knows it (what it wrote, and what other
/// processes wrote up to its last batch), read without any I/O.
public struct ArchiveTip: Sendable, Hashable {
    /// The last record and the chain value after it; nil for an archive without records.
    public var last: ChainPoint?
    /// The last record that is not an anchor (a time stamp journaled by `tresor anchor` or the
    /// server): whether the archive moved since a stamp is asked of this, so that journaling a stamp
    /// never makes the next one due.
    public var lastNonAnchor: RecordLocation?
    /// Records in all, seals and purged stubs included.
    public var records: Int
    /// Segments sealed so far: a new seal is a moment to stamp.
    public var sealedSegments: Int

    public init(last: ChainPoint?, lastNonAnchor: RecordLocation?, records: Int, sealedSegments: Int) {
        self.last = last
        self.lastNonAnchor = lastNonAnchor
        self.records = records
        self.sealedSegments = sealedSegments
    }
}
