#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The payload of a key-rotation event (event kind `.keyRotation`): from this record on, the archive
/// is sealed by `new` instead of `old`. Both keys sign the same bytes, so each end vouches for the
/// change: the old key hands over to the new one, and the new key accepts the history it continues.
///
/// The signed bytes bind the change to its place in the hash chain, so a rotation record cannot be
/// copied into another archive or moved within this one:
/// ```
/// "tresor-key-rotation-v1" ‖ chain value before this record (32) ‖ old public key (32) ‖
/// new public key (32) ‖ time, ms since 1970 UTC (i64, big-endian)
/// ```
/// Canonical JSON (sorted keys, hex in lower case, time in milliseconds):
/// `{"new": hex, "newSignature": hex, "old": hex, "oldSignature": hex, "time": ms}`.
public struct KeyRotationRecord: Codable, Sendable, Hashable {
    /// Hex of the public key that sealed the archive until this record.
    public var old: String
    /// Hex of the public key that seals it from this record on.
    public var new: String
    public var time: Date
    /// Hex of the Ed25519 signatures (64 bytes each) over `signedBytes`, by the old and the new key.
    public var oldSignature: String
    public var newSignature: String

    static let label = Array("tresor-key-rotation-v1".utf8)

    public init(old: String, new: String, time: Date, oldSignature: String = "", newSignature: String = "") {
        self.old = old
        self.new = new
        self.time = time
        self.oldSignature = oldSignature
        self.newSignature = newSignature
    }

    /// What both keys sign, for the record that follows the chain value `previousChain`.
    public func signedBytes(previousChain: [UInt8]) -> [UInt8] {
        var out = Self.label
        out.append(contentsOf: previousChain)
        out.append(contentsOf: Hex.bytes(old) ?? [])
        out.append(contentsOf: Hex.bytes(new) ?? [])
        out.appendBigEndian(Int64((time.timeIntervalSince1970 * 1000).rounded()))
        return out
    }

    /// Why this record, following the chain value `previousChain`, does not hand the archive from
    /// `current` to a new key; nil when it does (both signatures valid, the old key the current one).
    public func problem(previousChain: [UInt8], current: ArchivePublicKey) -> String? {
        guard let oldKey = ArchivePublicKey(hex: old), let newKey = ArchivePublicKey(hex: new) else {
            return "key rotation names a key that is not an Ed25519 public key"
        }
        guard oldKey == current else {
            return "key rotation hands over from key \(old), but the archive was sealed by key \(current.hex) here"
        }
        let signed = signedBytes(previousChain: previousChain)
        guard let signature = Hex.bytes(oldSignature), oldKey.isValidSignature(signature, for: signed) else {
            return "key rotation to key \(new) is not signed by the old key \(old)"
        }
        guard let signature = Hex.bytes(newSignature), newKey.isValidSignature(signature, for: signed) else {
            return "key rotation to key \(new) is not signed by that new key"
        }
        return nil
    }

    package func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        // Strings and a date always encode.
        return Array((try? encoder.encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) -> KeyRotationRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(KeyRotationRecord.self, from: Data(bytes))
    }
}

/// One key rotation as `verify` found it, or as `tresor keys rotate` made it.
public struct VerifiedKeyRotation: Sendable, Hashable {
    /// Where the rotation record is in the archive.
    public var location: RecordLocation
    public var record: KeyRotationRecord

    public init(location: RecordLocation, record: KeyRotationRecord) {
        self.location = location
        self.record = record
    }
}
