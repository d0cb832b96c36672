#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import SwiftASN1
import X509

/// A self-signed certificate for first start, when no certificate is configured: generated into
/// the data directory, so that STARTTLS and implicit TLS work out of the box.
public enum SelfSignedCertificate {
    /// A P-256 key and a certificate for `hostname` (subject CN and subjectAltName dNSName, RFC 6125
    /// §6.4.4), valid from an hour ago for `validity`. The subjectAltNames also name this machine
    /// as local clients reach it — `localhost`, 127.0.0.1 and ::1 (iPAddress entries, RFC 5280
    /// §4.2.1.6) — so that a client connecting to the loopback address can check the name.
    public static func generate(
        hostname: String, now: Date = Date(), validity: Duration = .seconds(825 * 86_400)
    ) throws -> (certificatePEM: String, keyPEM: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName(hostname)
            OrganizationName("Tresor self-signed")
        }
        var serial = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in serial.indices { serial[index] = generator.next() }
        serial[0] &= 0x7F  // RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(TimeInterval(validity.components.seconds)),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                KeyUsage(digitalSignature: true)
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(subjectAlternativeNames(hostname: hostname))
            },
            issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM().pemString
        return (pem + "\n", key.pemRepresentation + "\n")
    }

    /// The host name, then `localhost` (unless that is the host name), 127.0.0.1 and ::1.
    static func subjectAlternativeNames(hostname: String) -> [GeneralName] {
        var names: [GeneralName] = [.dnsName(hostname)]
        if hostname.lowercased() != "localhost" { names.append(.dnsName("localhost")) }
        let loopbackV4: [UInt8] = [127, 0, 0, 1]
        let loopbackV6: [UInt8] = Array(repeating: 0, count: 15) + [1]
        names.append(.ipAddress(ASN1OctetString(contentBytes: loopbackV4[...])))
        names.append(.ipAddress(ASN1OctetString(contentBytes: loopbackV6[...])))
        return names
    }
}
