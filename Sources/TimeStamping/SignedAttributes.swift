import SwiftASN1

/// The attributes a CMS signature covers, RFC 5652 §5.3:
///
///     SignedAttributes ::= SET SIZE (1..MAX) OF Attribute
///     Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
///
/// A time-stamp token's signer must include content-type (§11.1), message-digest (§11.2) and an
/// ESS signing-certificate attribute, version 1 or 2 (RFC 3161 §2.4.2, RFC 5816 §2.2).
struct SignedAttributes: Hashable, Sendable {
    /// What the signature is computed over: the attributes with the SET tag in place of their
    /// [0] IMPLICIT tag (§5.4), taken from the token's own bytes, never re-encoded.
    var signedBytes: [UInt8]
    private var attributes: [(type: ASN1ObjectIdentifier, values: [ASN1Node])]

    init(implicitlyTagged node: ASN1Node) throws {
        guard node.encodedBytes.first == 0xA0 else {
            throw ASN1Error.invalidASN1Object(reason: "signedAttrs must be a constructed [0]")
        }
        signedBytes = [0x31] + node.encodedBytes.dropFirst()
        attributes = try node.children().map { attribute in
            try DER.sequence(attribute, identifier: .sequence) { nodes in
                let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
                return (type, try nodes.required("attrValues \(type)").childrenOfSet())
            }
        }
    }

    /// The one value of attribute `type`, nil when absent. More than one instance or value is
    /// malformed for every attribute read here (§11.1, §11.2; RFC 2634 §5.4).
    func single(_ type: ASN1ObjectIdentifier) throws -> ASN1Node? {
        let found = attributes.filter { $0.type == type }
        guard let attribute = found.first else { return nil }
        guard found.count == 1, attribute.values.count == 1 else {
            throw ASN1Error.invalidASN1Object(reason: "attribute \(type) must occur once with one value")
        }
        return attribute.values[0]
    }

    /// content-type (§11.1): must name the encapsulated content's type.
    var contentType: ASN1ObjectIdentifier? {
        get throws { try single(OID.contentTypeAttribute).map { try ASN1ObjectIdentifier(derEncoded: $0) } }
    }

    /// message-digest (§11.2): the digest of the eContent octets.
    var messageDigest: ArraySlice<UInt8>? {
        get throws { try single(OID.messageDigestAttribute).map { try ASN1OctetString(derEncoded: $0).bytes } }
    }

    /// The certificate the signer says it signed with: the first ESSCertID of a
    /// SigningCertificateV2 (RFC 5035 §3) or, failing that, of a SigningCertificate (RFC 2634 §5.4).
    var signingCertificate: ESSCertID? {
        get throws {
            if let v2 = try single(OID.signingCertificateV2Attribute) { return try ESSCertID.first(in: v2, version: 2) }
            if let v1 = try single(OID.signingCertificateAttribute) { return try ESSCertID.first(in: v1, version: 1) }
            return nil
        }
    }

    static func == (lhs: SignedAttributes, rhs: SignedAttributes) -> Bool { lhs.signedBytes == rhs.signedBytes }
    func hash(into hasher: inout Hasher) { hasher.combine(signedBytes) }
}
