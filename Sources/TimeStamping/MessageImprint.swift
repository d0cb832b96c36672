import SwiftASN1

/// What is stamped: a hash function and the digest it gave. RFC 3161 §2.4.1; the TSA copies it
/// unchanged into the TSTInfo (§2.4.2).
public struct MessageImprint: Hashable, Sendable {
    public var hashAlgorithm: DigestAlgorithm
    public var hashedMessage: [UInt8]

    public init(hashAlgorithm: DigestAlgorithm, hashedMessage: [UInt8]) {
        self.hashAlgorithm = hashAlgorithm
        self.hashedMessage = hashedMessage
    }
}

// MARK: - DER

extension MessageImprint {
    // MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let algorithm = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "MessageImprint without hashAlgorithm")
            }
            let hashAlgorithm = try DigestAlgorithm(algorithmIdentifier: algorithm)
            let hashedMessage = try ASN1OctetString(derEncoded: &nodes)
            return MessageImprint(hashAlgorithm: hashAlgorithm, hashedMessage: Array(hashedMessage.bytes))
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try hashAlgorithm.serialize(into: &coder)
            try coder.serialize(ASN1OctetString(contentBytes: hashedMessage[...]))
        }
    }
}
