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

/// The archive's Ed25519 signing key (RFC 8032), the seal key. It signs every seal and the HEAD file.
/// On disk: a private key file (hex of the 32-byte private key, mode 0600), by default
/// `DATA/keys/archive.ed25519`, and `DATA/keys/archive.ed25519.pub` (hex of the 32-byte public key,
/// mode 0644, for auditors); see `SealKeyFiles` for keeping the private key elsewhere.
public struct ArchiveKey: Sendable {
    static let privateFileName = "archive.ed25519"
    static let publicFileName = "archive.ed25519.pub"

    let privateKey: Curve25519.Signing.PrivateKey

    public var publicKey: ArchivePublicKey { ArchivePublicKey(key: privateKey.publicKey) }
    public var publicKeyHex: String { publicKey.hex }

    /// A fresh key pair, in memory only.
    static func generate() -> ArchiveKey { ArchiveKey(privateKey: Curve25519.Signing.PrivateKey()) }

    /// A private key file's contents: hex of the 32 raw bytes and a newline.
    var fileContents: [UInt8] { Array((Hex.string(privateKey.rawRepresentation) + "\n").utf8) }

    /// From a private key file's contents; nil when they are not 64 hex digits of a key.
    init?(fileContents bytes: [UInt8]) {
        guard let raw = Hex.bytes(String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { return nil }
        self.init(privateKey: key)
    }

    init(privateKey: Curve25519.Signing.PrivateKey) { self.privateKey = privateKey }

    /// Creates a fresh key pair in `directory` (the private key kept there); refuses to overwrite an
    /// existing private or public key file. `tresor init` goes through `SealKeyFiles.createFirstKey`,
    /// which can keep the private key elsewhere.
    public static func create(inKeysDirectory directory: URL) throws(ArchiveError) -> ArchiveKey {
        try FileIO.makeDirectory(directory, mode: 0o700)
        let key = generate()
        let privatePath = directory.appendingPathComponent(privateFileName).path
        let publicPath = directory.appendingPathComponent(publicFileName).path
        for path in [privatePath, publicPath] where FileIO.exists(path) { throw .keyExists(path: path) }
        try FileIO.createExclusively(path: privatePath, contents: key.fileContents, mode: 0o600)
        try FileIO.createExclusively(path: publicPath, contents: Array((key.publicKeyHex + "\n").utf8), mode: 0o644)
        try FileIO.syncDirectory(directory.path)
        return key
    }

    /// The private key kept in `directory` (checked as `SealKeyFiles` checks every private key file).
    public static func load(fromKeysDirectory directory: URL) throws(ArchiveError) -> ArchiveKey {
        try SealKeyFiles.readPrivateKey(at: directory.appendingPathComponent(privateFileName).path)
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

