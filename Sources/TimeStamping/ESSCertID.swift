import SwiftASN1
import X509

/// How a signer names the certificate it signed with, inside the signature, so that no other
/// certificate with the same key can be substituted. RFC 2634 §5.4 (version 1, SHA-1) and
/// RFC 5035 §3 (version 2, any hash); RFC 3161 §2.4.2 and RFC 5816 §2.2 require one in every
/// time-stamp token:
///
///     SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }
///     ESSCertID ::= SEQUENCE { certHash Hash, issuerSerial IssuerSerial OPTIONAL }
///     SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }
///     ESSCertIDv2 ::= SEQUENCE {
///        hashAlgorithm  AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///        certHash       Hash,
///        issuerSerial   IssuerSerial OPTIONAL }
///     IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
struct ESSCertID: Hashable, Sendable {
    var hashAlgorithm: DigestAlgorithm
    var certificateHash: ArraySlice<UInt8>
    var issuer: [GeneralName]?
    var serialNumber: Certificate.SerialNumber?

    /// The first ESSCertID of a SigningCertificate (version 1) or SigningCertificateV2 value:
    /// "the first certificate identified ... MUST be the certificate used to verify the
    /// signature" (RFC 5035 §3, RFC 2634 §5.4).
    static func first(in value: ASN1Node, version: Int) throws -> ESSCertID {
        try DER.sequence(value, identifier: .sequence) { nodes in
            let certs = try nodes.required("certs").children()
            while nodes.next() != nil {}  // policies: not used
            guard let first = certs.first else { throw ASN1Error.invalidASN1Object(reason: "no ESSCertID") }
            return try ESSCertID(derEncoded: first, version: version)
        }
    }

    init(derEncoded node: ASN1Node, version: Int) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            var hashAlgorithm = DigestAlgorithm.sha1
            if version == 2 {
                hashAlgorithm = try nodes.next(ifIdentifier: .sequence).map(DigestAlgorithm.init(algorithmIdentifier:))
                    ?? .sha256
            }
            let hash = try ASN1OctetString(derEncoded: &nodes).bytes
            var id = ESSCertID(hashAlgorithm: hashAlgorithm, certificateHash: hash)
            if let issuerSerial = nodes.next() {
                try DER.sequence(issuerSerial, identifier: .sequence) { nodes in
                    id.issuer = try DER.sequence(of: GeneralName.self, identifier: .sequence, nodes: &nodes)
                    id.serialNumber = Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: &nodes))
                }
            }
            return id
        }
    }

    init(hashAlgorithm: DigestAlgorithm, certificateHash: ArraySlice<UInt8>) {
        self.hashAlgorithm = hashAlgorithm
        self.certificateHash = certificateHash
    }

    /// Whether this names `certificate`: its hash over the certificate's DER, and the issuer
    /// and serial number when given. Nil when the hash function is one this module lacks.
    func identifies(_ certificate: Certificate) throws -> Bool? {
        var coder = DER.Serializer()
        try coder.serialize(certificate)
        guard let hash = hashAlgorithm.digest(coder.serializedBytes) else { return nil }
        guard hash.elementsEqual(certificateHash) else { return false }
        if let serialNumber, serialNumber != certificate.serialNumber { return false }
        if let issuer, !issuer.contains(.directoryName(certificate.issuer)) { return false }
        return true
    }
}
