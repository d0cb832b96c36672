#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import _CryptoExtras

/// A DKIM signing key: RSA of 2048 bits (RFC 8301 §3.2 requires at least 1024, recommends 2048)
/// or Ed25519 (RFC 8463). Stored as PEM: RSA in swift-crypto's PKCS#1 form, Ed25519 as PKCS#8
/// (RFC 8410 §7), the forms `openssl pkey` reads.
public enum DKIMPrivateKey: Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    public var algorithm: DKIMAlgorithm {
        switch self {
        case .rsa: .rsa
        case .ed25519: .ed25519
        }
    }

    public static func generate(_ algorithm: DKIMAlgorithm) throws -> DKIMPrivateKey {
        switch algorithm {
        case .rsa: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case .ed25519: .ed25519(Curve25519.Signing.PrivateKey())
        }
    }

    /// The `p=` value of the key record (RFC 6376 §3.6.1): for RSA the DER SubjectPublicKeyInfo
    /// (what OpenDKIM and every verifier accept), for Ed25519 the bare 32-byte key (RFC 8463 §4.2).
    public var publicKeyBase64: String {
        switch self {
        case .rsa(let key): key.publicKey.derRepresentation.base64EncodedString()
        case .ed25519(let key): key.publicKey.rawRepresentation.base64EncodedString()
        }
    }

    /// Signs the SHA-256 of the canonicalised header data: RSASSA-PKCS1-v1_5 for rsa-sha256
    /// (RFC 6376 §3.3.1), PureEdDSA over the 32-byte hash for ed25519-sha256 (RFC 8463 §3).
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        let digest = SHA256.hash(data: data)
        switch self {
        case .rsa(let key):
            return Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
        case .ed25519(let key):
            return Array(try key.signature(for: Array(digest)))
        }
    }

    // MARK: - PEM

    public var pemRepresentation: String {
        switch self {
        case .rsa(let key):
            return key.pemRepresentation
        case .ed25519(let key):
            let der = Self.ed25519PKCS8Prefix + Array(key.rawRepresentation)
            return PEM.encode(der, label: "PRIVATE KEY")
        }
    }

    public init(pemRepresentation pem: String, algorithm: DKIMAlgorithm) throws {
        switch algorithm {
        case .rsa:
            let key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
            self = .rsa(key)
        case .ed25519:
            guard let der = PEM.decode(pem, label: "PRIVATE KEY"), der.count == Self.ed25519PKCS8Prefix.count + 32,
                  Array(der.prefix(Self.ed25519PKCS8Prefix.count)) == Self.ed25519PKCS8Prefix else {
                throw DKIMError.unreadableKey(path: "", reason: "not an Ed25519 PKCS#8 private key")
            }
            self = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)))
        }
    }

    /// RFC 8410 §7: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET
    /// STRING (32 bytes) } }, everything before the 32 key bytes.
    static let ed25519PKCS8Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70,
                                              0x04, 0x22, 0x04, 0x20]
}

/// RFC 7468 textual encoding: base64 in 64-character lines between BEGIN and END lines.
enum PEM {
    static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Array(Data(der).base64EncodedString().utf8)
        var lines = ["-----BEGIN \(label)-----"]
        var start = 0
        while start < base64.count {
            let end = min(start + 64, base64.count)
            lines.append(String(decoding: base64[start..<end], as: UTF8.self))
            start = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    static func decode(_ pem: String, label: String) -> [UInt8]? {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.filter { !$0.isWhitespace } }
        guard let begin = lines.firstIndex(of: "-----BEGIN\(label.filter { !$0.isWhitespace })-----"),
              let end = lines.firstIndex(of: "-----END\(label.filter { !$0.isWhitespace })-----"), begin < end else { return nil }
        return Data(base64Encoded: lines[(begin + 1)..<end].joined()).map(Array.init)
    }
}
