import SwiftASN1
import X509

/// A time-stamp token: the TSA's signature over a TSTInfo. RFC 3161 §2.4.2:
///
///     TimeStampToken ::= ContentInfo
///        -- contentType is id-signedData ([CMS])
///        -- content is SignedData ([CMS])
///
/// `derEncoded` keeps the bytes exactly as the TSA sent them: they are what an archive
/// journals, what `openssl ts -verify -token_in` reads, and what `TimeStampVerifier` checks.
/// Parsing checks the structure only; nothing here is trusted before `TimeStampVerifier` ran.
public struct TimeStampToken: Hashable, Sendable {
    public let derEncoded: [UInt8]
    /// What the token claims: the stamped digest, the time, the serial number, the nonce.
    public let info: TSTInfo
    let signedData: SignedData

    /// Parses a token from its DER bytes (a ContentInfo, as journaled).
    public init(derEncoded bytes: [UInt8]) throws(TimeStampError) {
        let node: ASN1Node
        do { node = try DER.parse(bytes) } catch { throw .malformed("time-stamp token: \(error)") }
        try self.init(node: node)
    }

    init(node: ASN1Node) throws(TimeStampError) {
        derEncoded = Array(node.encodedBytes)
        do {
            signedData = try SignedData(contentInfo: node)
        } catch {
            throw .malformed("time-stamp token SignedData: \(error)")
        }
        // RFC 3161 §2.4.2: the encapsulated content is a TSTInfo, signed by the TSA alone.
        guard signedData.encapsulatedContentType == OID.tstInfo else {
            throw .malformed("time-stamp token content type \(signedData.encapsulatedContentType) is not id-ct-TSTInfo")
        }
        guard signedData.signerInfos.count == 1 else {
            throw .malformed("time-stamp token has \(signedData.signerInfos.count) signatures, not one")
        }
        do {
            info = try TSTInfo(derEncoded: signedData.encapsulatedContent)
        } catch {
            throw .malformed("TSTInfo: \(error)")
        }
    }

    /// The one SignerInfo (checked at parse time).
    var signerInfo: SignerInfo { signedData.signerInfos[0] }
}
