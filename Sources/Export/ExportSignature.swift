import Foundation
import MailStore

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
    static func sign(exportJSON: [UInt8], sums: [UInt8], with signer: ExportSigner) -> [UInt8] {
        Array((Hex.string(signer.sign(signedBytes(exportJSON: exportJSON, sums: sums))) + "\n").utf8)
    }

    /// Whether `file` (export.sig's bytes) is a valid signature by `publicKeyHex`.
    public static func isValid(_ file: [UInt8], exportJSON: [UInt8], sums: [UInt8], publicKeyHex: String) -> Bool {
        let text = String(decoding: file, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let signature = Hex.bytes(text), signature.count == 64, let key = ArchivePublicKey(hex: publicKeyHex)
        else { return false }
        return key.isValidSignature(signature, for: signedBytes(exportJSON: exportJSON, sums: sums))
    }

    /// Whether `head` (as export.json records it) is signed by `publicKeyHex`.
    static func isSigned(_ head: ArchiveHead, by publicKeyHex: String) -> Bool {
        guard let key = ArchivePublicKey(hex: publicKeyHex) else { return false }
        return head.isSigned(by: key)
    }
}
