import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An operator's Ed25519 key as an audit actor carries it while they read content: each audit
/// entry written for them is signed with it (`AuditEntry.signature`), so the trail proves that the
/// person it names unlocked their key, not merely that someone typed their name. Equal when the
/// public keys are.
public struct AuditSigningKey: Sendable, Hashable {
    /// The operator's name, as their operator record has it.
    public let operatorName: String
    private let privateKey: Curve25519.Signing.PrivateKey

    public init(operatorName: String, privateKey: Curve25519.Signing.PrivateKey) {
        self.operatorName = operatorName
        self.privateKey = privateKey
    }

    /// Hex of the public key, as the operator's record has it.
    public var publicKeyHex: String { Hex.string(privateKey.publicKey.rawRepresentation) }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        Array((try? privateKey.signature(for: message)) ?? Data())
    }

    public static func == (lhs: AuditSigningKey, rhs: AuditSigningKey) -> Bool {
        lhs.operatorName == rhs.operatorName && lhs.publicKeyHex == rhs.publicKeyHex
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(operatorName)
        hasher.combine(publicKeyHex)
    }

    /// Whether `signature` (hex) over `message` was made by the key whose public half is `publicKey` (hex).
    public static func isValid(signature: String, of message: [UInt8], publicKey: String) -> Bool {
        guard let signatureBytes = Hex.bytes(signature), let keyBytes = Hex.bytes(publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else { return false }
        return key.isValidSignature(signatureBytes, for: message)
    }
}
