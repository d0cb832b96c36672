#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// The payload of an envelope record: canonical JSON (sorted keys, no escaped slashes, dates
/// in milliseconds since 1970) of the delivery's envelope plus the body it refers to.
struct EnvelopePayload: Codable, Sendable, Hashable {
    var sha256: String
    var body: RecordLocation
    var size: Int
    var envelope: Envelope

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        // Encoding strings, integers and dates cannot fail.
        return Array((try? encoder.encode(self)) ?? Data())
    }

    static func decode(_ bytes: [UInt8]) -> EnvelopePayload? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(EnvelopePayload.self, from: Data(bytes))
    }
}

/// The payload of a seal record, the last record of a sealed segment:
/// segment (u32) ‖ records before the seal (u32) ‖ chain head before the seal (32) ‖
/// sealed-at milliseconds (i64) ‖ Ed25519 signature (64) over "tresor-seal-v1" ‖ the fields before it.
public struct SealInfo: Sendable, Hashable {
    public var segment: UInt32
    public var recordCount: UInt32
    public var chainHead: [UInt8]
    public var sealedAt: Date
    public var signature: [UInt8]

    static let size = 4 + 4 + 32 + 8 + 64
    static let label = Array("tresor-seal-v1".utf8)

    var signedBytes: [UInt8] {
        var out = SealInfo.label
        out.appendBigEndian(segment)
        out.appendBigEndian(recordCount)
        out.append(contentsOf: chainHead)
        out.appendBigEndian(Int64((sealedAt.timeIntervalSince1970 * 1000).rounded()))
        return out
    }

    var encoded: [UInt8] { Array(signedBytes.dropFirst(SealInfo.label.count)) + signature }

    static func decode(_ bytes: [UInt8]) -> SealInfo? {
        guard bytes.count == size else { return nil }
        var reader = ByteReader(bytes)
        let segment = reader.read(UInt32.self)!
        let count = reader.read(UInt32.self)!
        let chain = Array(reader.read(count: 32)!)
        let millis = reader.read(Int64.self)!
        let signature = Array(reader.read(count: 64)!)
        return SealInfo(
            segment: segment, recordCount: count, chainHead: chain,
            sealedAt: Date(timeIntervalSince1970: Double(millis) / 1000), signature: signature)
    }
}

/// One record as `readRecord` and `forEachRecord` return it.
public struct ArchiveRecord: Sendable {
    public var kind: ArchiveRecordKind
    public var location: RecordLocation
    /// Hex SHA-256 of the raw message, for bodies and envelopes (the body they refer to).
    public var sha256: String?
    /// Raw size: of the message for bodies and envelopes, of the payload otherwise.
    public var size: Int
    /// Hex chain value after this record.
    public var chain: String
    /// For envelopes.
    public var envelope: Envelope?
    /// For envelopes: where the body record is.
    public var bodyLocation: RecordLocation?
    /// For events.
    public var eventKind: ArchiveEventKind?
    public var eventPayload: [UInt8]?
    /// For seals.
    public var seal: SealInfo?
    /// For purged stubs: the kind the removed record had (its `sha256` is set for a body).
    public var purgedKind: ArchiveRecordKind?
}

extension ArchiveRecord {
    /// Decodes the public view of a frame; nil when its payload does not parse.
    init?(frame: RecordFrame, location: RecordLocation) {
        guard let kind = ArchiveRecordKind(rawValue: frame.kind) else { return nil }
        self.init(kind: kind, location: location, sha256: nil, size: Int(clamping: frame.rawSize), chain: Hex.string(frame.chain))
        switch kind {
        case .body:
            sha256 = Hex.string(frame.contentHash)
        case .envelope:
            guard let payload = EnvelopePayload.decode(frame.payload) else { return nil }
            sha256 = payload.sha256
            size = payload.size
            envelope = payload.envelope
            bodyLocation = payload.body
        case .event:
            guard let first = frame.payload.first, let eventKind = ArchiveEventKind(rawValue: first) else { return nil }
            self.eventKind = eventKind
            eventPayload = Array(frame.payload.dropFirst())
        case .seal:
            guard let seal = SealInfo.decode(frame.payload) else { return nil }
            self.seal = seal
        case .purged:
            guard let stub = PurgedStub(payload: frame.payload), let original = ArchiveRecordKind(rawValue: stub.originalKind)
            else { return nil }
            purgedKind = original
            if original == .body { sha256 = Hex.string(frame.contentHash) }
        }
    }
}
