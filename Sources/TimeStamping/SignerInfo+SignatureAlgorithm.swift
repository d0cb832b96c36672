import SwiftASN1
import X509

extension SignerInfo {
    /// The algorithm to check `signature` with, from the signatureAlgorithm and digestAlgorithm
    /// fields together: CMS signers often write the bare key algorithm (rsaEncryption, as
    /// openssl's TSA does, or id-ecPublicKey) and leave the hash to digestAlgorithm (RFC 3370
    /// §3.2, RFC 5754 §3). RSA PKCS #1 v1.5 and ECDSA with SHA-256, SHA-384 or SHA-512.
    func x509SignatureAlgorithm() throws(TimeStampError) -> Certificate.SignatureAlgorithm {
        let rsa: [DigestAlgorithm: Certificate.SignatureAlgorithm] = [
            .sha256: .sha256WithRSAEncryption, .sha384: .sha384WithRSAEncryption, .sha512: .sha512WithRSAEncryption,
        ]
        let ecdsa: [DigestAlgorithm: Certificate.SignatureAlgorithm] = [
            .sha256: .ecdsaWithSHA256, .sha384: .ecdsaWithSHA384, .sha512: .ecdsaWithSHA512,
        ]
        // A combined algorithm must name the same hash as digestAlgorithm.
        let combined: [ASN1ObjectIdentifier: (family: [DigestAlgorithm: Certificate.SignatureAlgorithm],
                                              hash: DigestAlgorithm)] = [
            OID.sha256WithRSAEncryption: (rsa, .sha256), OID.sha384WithRSAEncryption: (rsa, .sha384),
            OID.sha512WithRSAEncryption: (rsa, .sha512), OID.ecdsaWithSHA256: (ecdsa, .sha256),
            OID.ecdsaWithSHA384: (ecdsa, .sha384), OID.ecdsaWithSHA512: (ecdsa, .sha512),
        ]
        let family: [DigestAlgorithm: Certificate.SignatureAlgorithm]?
        switch signatureAlgorithm {
        case OID.rsaEncryption: family = rsa
        case OID.ecPublicKey: family = ecdsa
        default:
            let entry = combined[signatureAlgorithm]
            family = entry?.hash == digestAlgorithm ? entry?.family : nil
        }
        guard let algorithm = family?[digestAlgorithm] else {
            throw .unsupportedAlgorithm("signature \(signatureAlgorithm) with digest \(digestAlgorithm)")
        }
        return algorithm
    }
}
