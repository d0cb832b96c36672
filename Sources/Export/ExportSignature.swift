import Crypto
import Foundation

/// `export.sig`: the archive key's Ed25519 signature (RFC 8032) over `signedBytes`, written as
/// 128 lower-case hex digits and a LF. The signed bytes name `export.json` and `SHA256SUMS` by
/// their SHA-256; `export.json` names `manifest.csv`'s, and `SHA256SUMS` every message file's,
/// so one signature covers the whole export.
///
/// ```
/// signed = "tresor-export-v1\n"
///          "export.json " <hex SHA-256 of export.json> "\n"
///          "SHA256SUMS " <hex SHA-256 of SHA256SUMS> "\n"
/// ```
/// An auditor can check it without Tresor, e.g. with Python's `nacl.signing.VerifyKey`.
public enum ExportSignature {
    public static let fileName = "export.sig"
    static let label = "tresor-export-v1\n"

    public static func signedBytes(exportJSON: [UInt8], sums: [UInt8]) -> [UInt8] {
        Array((label + "export.json \(Hex.sha256(exportJSON))\nSHA256SUMS \(Hex.sha256(sums))\n").utf8)
    }

    /// The file's contents.
    static func sign(exportJSON: [UInt8], sums: [UInt8], with key: Curve25519.Signing.PrivateKey) throws -> [UInt8] {
        let signature = try key.signature(for: signedBytes(exportJSON: exportJSON, sums: sums))
        return Array((Hex.string(signature) + "\n").utf8)
    }

    /// Whether `file` (export.sig's bytes) is a valid signature by `publicKeyHex`.
    public static func isValid(_ file: [UInt8], exportJSON: [UInt8], sums: [UInt8], publicKeyHex: String) -> Bool {
        let text = String(decoding: file, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let signature = Hex.bytes(text), signature.count == 64, let raw = Hex.bytes(publicKeyHex),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { return false }
        return key.isValidSignature(signature, for: signedBytes(exportJSON: exportJSON, sums: sums))
    }

    /// The archive's private key from `DATA/keys/archive.ed25519` (hex of the 32-byte key, as
    /// ArchiveStore's `ArchiveKey` writes it). Checked against the published public key.
    static func loadKey(dataDirectory: URL) throws -> (key: Curve25519.Signing.PrivateKey, publicKeyHex: String) {
        let keys = dataDirectory.appendingPathComponent("keys")
        let path = keys.appendingPathComponent("archive.ed25519").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let raw = Hex.bytes(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw ExportError.signingKeyUnavailable(path: path) }
        let publicHex = Hex.string(key.publicKey.rawRepresentation)
        let published = (try? String(contentsOfFile: keys.appendingPathComponent("archive.ed25519.pub").path,
                                     encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard published == nil || published == publicHex else { throw ExportError.signingKeyUnavailable(path: path) }
        return (key, publicHex)
    }
}
