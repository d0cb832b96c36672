#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import SwiftASN1

/// A hash function as an AlgorithmIdentifier names it: in a MessageImprint (RFC 3161 §2.4.1),
/// a SignerInfo's digestAlgorithm (RFC 5652 §5.3) or an ESSCertIDv2 (RFC 5035 §3).
public enum DigestAlgorithm: Hashable, Sendable, CustomStringConvertible {
    case sha1, sha256, sha384, sha512
    /// A hash function this module does not compute.
    case other(ASN1ObjectIdentifier)

    init(oid: ASN1ObjectIdentifier) {
        switch oid {
        case OID.sha1: self = .sha1
        case OID.sha256: self = .sha256
        case OID.sha384: self = .sha384
        case OID.sha512: self = .sha512
        default: self = .other(oid)
        }
    }

    var oid: ASN1ObjectIdentifier {
        switch self {
        case .sha1: OID.sha1
        case .sha256: OID.sha256
        case .sha384: OID.sha384
        case .sha512: OID.sha512
        case .other(let oid): oid
        }
    }

    /// The digest of `bytes`, or nil for a hash function this module does not compute.
    func digest(_ bytes: some DataProtocol) -> [UInt8]? {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        case .other: nil
        }
    }

    public var description: String {
        switch self {
        case .sha1: "SHA-1"
        case .sha256: "SHA-256"
        case .sha384: "SHA-384"
        case .sha512: "SHA-512"
        case .other(let oid): "hash \(oid)"
        }
    }
}

// MARK: - AlgorithmIdentifier

extension DigestAlgorithm {
    /// Reads an AlgorithmIdentifier (RFC 5280 §4.1.1.2) naming a hash function. Its parameters
    /// may be absent or NULL (RFC 5754 §2 asks verifiers to accept both).
    // AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
    init(algorithmIdentifier node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            if let parameters = nodes.next() { _ = try ASN1Null(derEncoded: parameters) }
            return DigestAlgorithm(oid: oid)
        }
    }

    /// Writes the AlgorithmIdentifier with NULL parameters, as openssl does: RFC 5754 §2 prefers
    /// them absent, but some TSAs only accept NULL, and every verifier must accept it.
    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            try coder.serialize(ASN1Null())
        }
    }
}
