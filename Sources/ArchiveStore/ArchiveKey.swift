import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// The archive's Ed25519 signing key (RFC 8032). It signs every seal and the HEAD file.
/// On disk: `DATA/keys/archive.ed25519` (hex of the 32-byte private key, mode 0600) and
/// `DATA/keys/archive.ed25519.pub` (hex of the 32-byte public key, mode 0644, for auditors).
public struct ArchiveKey: Sendable {
    static let privateFileName = "archive.ed25519"
    static let publicFileName = "archive.ed25519.pub"

    let privateKey: Curve25519.Signing.PrivateKey

    public var publicKey: ArchivePublicKey { ArchivePublicKey(key: privateKey.publicKey) }
    public var publicKeyHex: String { publicKey.hex }

    /// Creates a fresh key pair; refuses to overwrite an existing private or public key file.
    public static func create(inKeysDirectory directory: URL) throws(ArchiveError) -> ArchiveKey {
        try FileIO.makeDirectory(directory, mode: 0o700)
        let key = ArchiveKey(privateKey: Curve25519.Signing.PrivateKey())
        let privatePath = directory.appendingPathComponent(privateFileName).path
        let publicPath = directory.appendingPathComponent(publicFileName).path
        for path in [privatePath, publicPath] where FileIO.exists(path) { throw .keyExists(path: path) }
        try FileIO.createExclusively(
            path: privatePath, contents: Array((Hex.string(key.privateKey.rawRepresentation) + "\n").utf8), mode: 0o600)
        try FileIO.createExclusively(path: publicPath, contents: Array((key.publicKeyHex + "\n").utf8), mode: 0o644)
        try FileIO.syncDirectory(directory.path)
        return key
    }

    public static func load(fromKeysDirectory directory: URL) throws(ArchiveError) -> ArchiveKey {
        let path = directory.appendingPathComponent(privateFileName).path
        guard FileIO.exists(path) else { throw .keyMissing(path: path) }
        let text = try FileIO.readAll(path: path)
        guard let raw = Hex.bytes(String(decoding: text, as: UTF8.self).trimmingASCIIWhitespace()),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw .invalidKey(path: path) }
        return ArchiveKey(privateKey: key)
    }

    /// The Ed25519 signature (64 bytes) of `message`, for whatever the archive vouches for (seals,
    /// HEAD, an export's record).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Ed25519 signing only fails for a broken key, which `load` already rejected.
        Array((try? privateKey.signature(for: message)) ?? Data())
    }
}

extension ArchivePublicKey {
    public static func load(fromKeysDirectory directory: URL) throws(ArchiveError) -> ArchivePublicKey {
        let path = directory.appendingPathComponent(ArchiveKey.publicFileName).path
        guard FileIO.exists(path) else { throw .keyMissing(path: path) }
        guard let key = ArchivePublicKey(hex: String(decoding: try FileIO.readAll(path: path), as: UTF8.self)) else {
            throw .invalidKey(path: path)
        }
        return key
    }
}

