import SwiftASN1
import X509

/// One signature in SignedData. RFC 5652 §5.3:
///
///     SignerInfo ::= SEQUENCE {
///        version             CMSVersion,
///        sid                 SignerIdentifier,
///        digestAlgorithm     DigestAlgorithmIdentifier,
///        signedAttrs         [0] IMPLICIT SignedAttributes OPTIONAL,
///        signatureAlgorithm  SignatureAlgorithmIdentifier,
///        signature           SignatureValue,
///        unsignedAttrs       [1] IMPLICIT UnsignedAttributes OPTIONAL }
struct SignerInfo: Hashable, Sendable {
    /// SignerIdentifier (§5.3): how the signer's certificate is found.
    enum SignerIdentifier: Hashable, Sendable {
        // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
        case issuerAndSerialNumber(issuer: DistinguishedName, serialNumber: Certificate.SerialNumber)
        // subjectKeyIdentifier [0] SubjectKeyIdentifier
        case subjectKeyIdentifier(ArraySlice<UInt8>)

        func identifies(_ certificate: Certificate) -> Bool {
            switch self {
            case .issuerAndSerialNumber(let issuer, let serialNumber):
                certificate.issuer == issuer && certificate.serialNumber == serialNumber
            case .subjectKeyIdentifier(let identifier):
                (try? certificate.extensions.subjectKeyIdentifier)?.keyIdentifier == identifier
            }
        }
    }

    var signerIdentifier: SignerIdentifier
    var digestAlgorithm: DigestAlgorithm
    var signedAttributes: SignedAttributes?
    var signatureAlgorithm: ASN1ObjectIdentifier
    var signature: ArraySlice<UInt8>
}

// MARK: - DER

extension SignerInfo {
    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            _ = try Int(derEncoded: &nodes)  // version 1 or 3 follows from the sid's form (§5.3)
            let sidNode = try nodes.required("sid")
            let sid: SignerIdentifier
            if sidNode.identifier == .context(0) {
                sid = .subjectKeyIdentifier(try ASN1OctetString(derEncoded: sidNode, withIdentifier: .context(0)).bytes)
            } else {
                sid = try DER.sequence(sidNode, identifier: .sequence) { nodes in
                    let issuer = try DistinguishedName(derEncoded: try nodes.required("issuer"))
                    let serial = try ArraySlice<UInt8>(derEncoded: &nodes)
                    return .issuerAndSerialNumber(issuer: issuer, serialNumber: Certificate.SerialNumber(bytes: serial))
                }
            }
            let digestAlgorithm = try DigestAlgorithm(algorithmIdentifier: try nodes.required("digestAlgorithm"))
            let signedAttributes = try nodes.next(ifIdentifier: .context(0))
                .map(SignedAttributes.init(implicitlyTagged:))
            let signatureAlgorithm = try DER.sequence(try nodes.required("signatureAlgorithm"),
                                                      identifier: .sequence) { nodes in
                let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
                _ = nodes.next()  // parameters: NULL for RSA, absent for ECDSA; neither carries anything
                return oid
            }
            let signature = try ASN1OctetString(derEncoded: &nodes).bytes
            _ = nodes.next(ifIdentifier: .context(1))  // unsignedAttrs: not covered by the signature
            return SignerInfo(signerIdentifier: sid, digestAlgorithm: digestAlgorithm,
                              signedAttributes: signedAttributes, signatureAlgorithm: signatureAlgorithm,
                              signature: signature)
        }
    }
}
