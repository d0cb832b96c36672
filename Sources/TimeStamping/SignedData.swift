import SwiftASN1
import X509

/// The parts of CMS SignedData a time-stamp token needs. RFC 5652 §3 and §5.1:
///
///     ContentInfo ::= SEQUENCE {
///        contentType  ContentType,
///        content      [0] EXPLICIT ANY DEFINED BY contentType }
///
///     SignedData ::= SEQUENCE {
///        version           CMSVersion,
///        digestAlgorithms  SET OF DigestAlgorithmIdentifier,
///        encapContentInfo  EncapsulatedContentInfo,
///        certificates      [0] IMPLICIT CertificateSet OPTIONAL,
///        crls              [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///        signerInfos       SET OF SignerInfo }
///
///     EncapsulatedContentInfo ::= SEQUENCE {
///        eContentType  ContentType,
///        eContent      [0] EXPLICIT OCTET STRING OPTIONAL }
///
/// swift-certificates has CMS types, but internal ones, and its public verification accepts
/// only id-data content without the signed attributes' content-type check a TSTInfo needs, and
/// not the rsaEncryption signature algorithm openssl's TSA writes; so this module reads them.
struct SignedData: Hashable, Sendable {
    var encapsulatedContentType: ASN1ObjectIdentifier
    /// The eContent octets: for a token, the DER TSTInfo.
    var encapsulatedContent: ArraySlice<UInt8>
    /// The certificates the signer included (other CertificateChoices are skipped).
    var certificates: [Certificate]
    var signerInfos: [SignerInfo]

    /// Reads a ContentInfo that must hold SignedData.
    init(contentInfo node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let contentType = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard contentType == OID.signedData else {
                throw ASN1Error.invalidASN1Object(reason: "content type \(contentType) is not id-signedData")
            }
            let content = try nodes.required("ContentInfo content")
            guard content.identifier == .context(0) else { throw ASN1Error.unexpectedFieldType(content.identifier) }
            return try SignedData(signedData: content.explicitlyTaggedChild())
        }
    }

    init(signedData node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            _ = try Int(derEncoded: &nodes)  // CMSVersion: 3 for a TSTInfo (§5.1); not relied on
            _ = try nodes.required("digestAlgorithms")  // each SignerInfo names its own
            let (contentType, content) = try Self.encapsulatedContent(try nodes.required("encapContentInfo"))
            let certificates = try nodes.next(ifIdentifier: .context(0)).map(Self.certificates(in:)) ?? []
            _ = nodes.next(ifIdentifier: .context(1))  // crls: not used, revocation is not checked
            let signerInfos = try nodes.required("signerInfos").childrenOfSet().map(SignerInfo.init(derEncoded:))
            return SignedData(encapsulatedContentType: contentType, encapsulatedContent: content,
                              certificates: certificates, signerInfos: signerInfos)
        }
    }

    init(encapsulatedContentType: ASN1ObjectIdentifier, encapsulatedContent: ArraySlice<UInt8>,
         certificates: [Certificate], signerInfos: [SignerInfo]) {
        self.encapsulatedContentType = encapsulatedContentType
        self.encapsulatedContent = encapsulatedContent
        self.certificates = certificates
        self.signerInfos = signerInfos
    }

    /// EncapsulatedContentInfo (§5.2): the content type and the eContent octets, which a
    /// time-stamp token must carry (RFC 3161 §2.4.2).
    private static func encapsulatedContent(_ node: ASN1Node) throws -> (ASN1ObjectIdentifier, ArraySlice<UInt8>) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard let tagged = nodes.next(ifIdentifier: .context(0)) else {
                throw ASN1Error.invalidASN1Object(reason: "SignedData without encapsulated content")
            }
            let content = try ASN1OctetString(derEncoded: try tagged.explicitlyTaggedChild())
            return (type, content.bytes)
        }
    }

    /// CertificateSet (§10.2.3): a plain Certificate is a SEQUENCE; the other choices are tagged
    /// and skipped.
    private static func certificates(in set: ASN1Node) throws -> [Certificate] {
        try set.children().filter { $0.identifier == .sequence }.map { try Certificate(derEncoded: $0) }
    }
}
