import SwiftASN1

/// A request to stamp a SHA-256 digest. RFC 3161 §2.4.1:
///
///     TimeStampReq ::= SEQUENCE {
///        version          INTEGER { v1(1) },
///        messageImprint   MessageImprint,
///        reqPolicy        TSAPolicyId              OPTIONAL,
///        nonce            INTEGER                  OPTIONAL,
///        certReq          BOOLEAN                  DEFAULT FALSE,
///        extensions       [0] IMPLICIT Extensions  OPTIONAL }
///
/// A nonce is always sent, so that a replayed old response is recognised (§2.4.1: "the nonce
/// ... allows the client to verify the timeliness of the response"), and certReq is TRUE, so
/// that the token carries the TSA's certificate and can be verified years later with only the
/// CA certificate at hand (§2.4.1, certReq).
public struct TimeStampRequest: Hashable, Sendable {
    public var messageImprint: MessageImprint
    /// The TSA policy asked for (reqPolicy); nil lets the TSA choose its default.
    public var policy: ASN1ObjectIdentifier?
    public var nonce: UInt64

    /// A request for `sha256Digest` (32 bytes) with a random nonce unless one is given.
    public init(sha256Digest: [UInt8], policy: ASN1ObjectIdentifier? = nil,
                nonce: UInt64 = .random(in: .min ... .max)) {
        precondition(sha256Digest.count == 32, "a SHA-256 digest has 32 bytes, not \(sha256Digest.count)")
        self.messageImprint = MessageImprint(hashAlgorithm: .sha256, hashedMessage: sha256Digest)
        self.policy = policy
        self.nonce = nonce
    }

    /// The nonce as a token carries it: big-endian, without leading zero bytes.
    var nonceMagnitude: [UInt8] { Array(withUnsafeBytes(of: nonce.bigEndian, Array.init).drop(while: { $0 == 0 })) }

    /// The DER TimeStampReq, the body of the HTTP POST (RFC 3161 §3.4).
    public var derEncoded: [UInt8] {
        var coder = DER.Serializer()
        do {
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)  // version v1
                try messageImprint.serialize(into: &coder)
                if let policy { try coder.serialize(policy) }
                try coder.serialize(nonce)
                try coder.serialize(true)  // certReq
            }
        } catch {
            // Integers, an OID, an OCTET STRING and a BOOLEAN always have a DER encoding.
            preconditionFailure("a TimeStampReq could not be encoded: \(error)")
        }
        return coder.serializedBytes
    }
}
