#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The payload of an anchor event (event kind `.anchor`): one RFC 3161 time stamp of a point of
/// the chain, journaled after the TSA answered. The token is kept as the exact DER bytes the TSA
/// sent (RFC 3161 §2.4.2), so that `verify`, `openssl ts -verify` or any other RFC 3161 tool can
/// check it later against the digest recomputed from the archive's own chain value there.
///
/// Canonical JSON (sorted keys, no escaped slashes, times in milliseconds since 1970):
/// `{"chain": hex, "digest": hex, "genTime": ms, "location": "segment:offset", "records": n,
///   "token": base64 DER, "tsa": URL}`
public struct AnchorRecord: Codable, Sendable, Hashable {
    /// The stamped record.
    public var location: RecordLocation
    /// Hex chain value after the stamped record.
    public var chain: String
    /// Records in the archive up to and including the stamped one.
    public var records: Int
    /// Hex of the stamped digest, `ChainPoint.anchorDigest` of location and chain.
    public var digest: String
    /// The URL the token was asked from.
    public var tsa: String
    /// When the TSA says it stamped (the token's genTime, repeated for readers of the JSON;
    /// `verify` reads it from the token).
    public var genTime: Date
    /// Base64 of the token's DER (a CMS ContentInfo, RFC 3161 §2.4.2).
    public var token: String

    public init(point: ChainPoint, records: Int, tsa: String, genTime: Date, token: [UInt8]) {
        self.location = point.location
        self.chain = point.chainHex
        self.records = records
        self.digest = Hex.string(point.anchorDigest)
        self.tsa = tsa
        self.genTime = genTime
        self.token = Data(token).base64EncodedString()
    }

    /// The stamped point as the record claims it; nil when its chain value is not 32 bytes of hex.
    public var point: ChainPoint? {
        guard let bytes = Hex.bytes(chain), bytes.count == 32 else { return nil }
        return ChainPoint(location: location, chain: bytes)
    }

    /// The token's DER bytes; nil when `token` is not base64.
    public var tokenBytes: [UInt8]? { Data(base64Encoded: token).map(Array.init) }

    /// Whether `other` is the same time stamp of the same point: token, location, chain value and
    /// TSA (genTime is left out: it is read from the token, and milliseconds in JSON may round).
    public func isSameStamp(as other: AnchorRecord) -> Bool {
        token == other.token && location == other.location && chain.lowercased() == other.chain.lowercased()
            && tsa == other.tsa
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        // Strings, integers and dates always encode.
        return Array((try? encoder.encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) -> AnchorRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(AnchorRecord.self, from: Data(bytes))
    }
}

/// An anchor as found in the archive: where its event record is, and what it says. Also the
/// content of its copy outside the segments (`DATA/anchors/*.json`, see `AnchorCopies`):
/// `{"location": "segment:offset", "record": {…the AnchorRecord…}}`.
public struct JournaledAnchor: Codable, Sendable, Hashable {
    /// The anchor event's own location (after the point it stamps).
    public var location: RecordLocation
    public var record: AnchorRecord

    public init(location: RecordLocation, record: AnchorRecord) {
        self.location = location
        self.record = record
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }

    public static func decode(_ bytes: [UInt8]) -> JournaledAnchor? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(JournaledAnchor.self, from: Data(bytes))
    }
}
