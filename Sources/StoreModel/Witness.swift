import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A witness: the archive's head at one moment, signed with the archive key, for someone outside
/// the machine to keep (`tresor anchor export`, or the daily witness mail). Later,
/// `tresor verify --witness FILE` proves that the archive still holds that record with that chain
/// value, and extends it: an archive rolled back to an older copy, or a history rewritten and
/// signed again, no longer does.
///
/// The file is JSON (keys sorted, indented):
/// ```
/// {"anchors": [{"digest": hex, "genTime": ISO 8601, "location": "seg:off", "stamped": "seg:off",
///               "token": base64 DER, "tsa": URL}, …],
///  "chain": hex, "format": "tresor-witness-v1", "key": hex Ed25519 public key, "offset": n,
///  "records": n, "segment": n, "signature": hex, "time": ISO 8601}
/// ```
/// `segment` and `offset` locate the newest record, `chain` is the chain value after it, `records`
/// counts the records up to and including it; `anchors` are the newest time stamps (one per TSA),
/// each with the location of its anchor record and of the record it stamped.
///
/// The signature is Ed25519 (RFC 8032) by the archive key over these bytes (UTF-8, each line
/// ending in LF, anchors in file order):
/// ```
/// tresor-witness-v1
/// key <hex public key>
/// segment <decimal>
/// offset <decimal>
/// chain <hex>
/// records <decimal>
/// time <ISO 8601, as in the file>
/// anchor <location> <hex SHA-256 of the token's DER>
/// ```
public struct Witness: Codable, Sendable, Hashable {
    public static let formatName = "tresor-witness-v1"

    /// One time stamp the witness carries.
    public struct Anchor: Codable, Sendable, Hashable {
        /// The anchor event record.
        public var location: RecordLocation
        /// The record it stamped.
        public var stamped: RecordLocation
        public var tsa: String
        /// `Timestamp.string` of the token's genTime.
        public var genTime: String
        /// Hex of the stamped digest (`ChainPoint.anchorDigest`).
        public var digest: String
        /// Base64 of the token's DER.
        public var token: String

        public init(_ anchor: JournaledAnchor) {
            location = anchor.location
            stamped = anchor.record.location
            tsa = anchor.record.tsa
            genTime = Timestamp.string(anchor.record.genTime)
            digest = anchor.record.digest
            token = anchor.record.token
        }
    }

    public var format: String
    public var key: String
    public var segment: UInt32
    public var offset: UInt64
    public var chain: String
    public var records: Int
    public var time: String
    public var anchors: [Anchor]
    public var signature: String

    /// An unsigned witness of `point`.
    public init(point: ChainPoint, records: Int, time: Date, key: String, anchors: [JournaledAnchor]) {
        format = Self.formatName
        self.key = key
        segment = point.location.segment
        offset = point.location.offset
        chain = point.chainHex
        self.records = records
        self.time = Timestamp.string(time)
        self.anchors = anchors.map(Anchor.init)
        signature = ""
    }

    /// The witnessed record.
    public var location: RecordLocation { RecordLocation(segment: segment, offset: offset) }

    /// The bytes the signature covers (see above).
    public var signedBytes: [UInt8] {
        var text = "\(Self.formatName)\nkey \(key)\nsegment \(segment)\noffset \(offset)\nchain \(chain)\n"
            + "records \(records)\ntime \(time)\n"
        for anchor in anchors {
            let tokenHash = Data(base64Encoded: anchor.token).map { Hex.string(SHA256.hash(data: $0)) } ?? "invalid"
            text += "anchor \(anchor.location) \(tokenHash)\n"
        }
        return Array(text.utf8)
    }

    /// Whether `publicKey` made the signature.
    public func isSigned(by publicKey: ArchivePublicKey) -> Bool {
        guard let signature = Hex.bytes(signature) else { return false }
        return publicKey.isValidSignature(signature, for: signedBytes)
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }

    /// Reads a witness file's bytes; throws a `DecodingError` when they are not one.
    public static func decode(_ bytes: [UInt8]) throws -> Witness {
        let witness = try JSONDecoder().decode(Witness.self, from: Data(bytes))
        guard witness.format == formatName else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "format \"\(witness.format)\" is not \(formatName)"))
        }
        return witness
    }
}
