import SwiftASN1

/// The object identifiers the time-stamp protocol and CMS use, each with where it is defined.
enum OID {
    /// id-signedData, RFC 5652 §5.1.
    static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    /// id-ct-TSTInfo, RFC 3161 §2.4.2: the encapsulated content type of a time-stamp token.
    static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]

    /// id-contentType, RFC 5652 §11.1.
    static let contentTypeAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    /// id-messageDigest, RFC 5652 §11.2.
    static let messageDigestAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    /// id-aa-signingCertificate, RFC 2634 §5.4 (ESSCertID with a SHA-1 hash), required by RFC 3161 §2.4.2.
    static let signingCertificateAttribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 12]
    /// id-aa-signingCertificateV2, RFC 5035 §3 (ESSCertIDv2, any hash), allowed by RFC 5816 §2.2.
    static let signingCertificateV2Attribute: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 47]

    /// Hash functions: id-sha1 (RFC 3279 §2.2.1), id-sha256/384/512 (RFC 5754 §2).
    static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]

    /// Signature algorithms a SignerInfo may name (RFC 5754 §3.2 and §3.3, RFC 3370 §3.2).
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    static let sha384WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
    static let sha512WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
}
