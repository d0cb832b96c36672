import SwiftASN1

/// A TSA's answer to a request. RFC 3161 §2.4.2:
///
///     TimeStampResp ::= SEQUENCE {
///        status          PKIStatusInfo,
///        timeStampToken  TimeStampToken  OPTIONAL }
///
/// A response is only a carrier: the token is what is kept. `init` throws `.rejected` for any
/// status other than granted or grantedWithMods (§2.4.2: "When the status contains the value
/// zero or one, a TimeStampToken MUST be present"; otherwise it must not be).
public struct TimeStampResponse: Hashable, Sendable {
    public var status: PKIStatusInfo
    public var token: TimeStampToken

    public init(derEncoded bytes: [UInt8]) throws(TimeStampError) {
        let parts: (PKIStatusInfo, ASN1Node?)
        do {
            parts = try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
                (try PKIStatusInfo(derEncoded: try nodes.required("status")), nodes.next())
            }
        } catch {
            throw .malformed("TimeStampResp: \(error)")
        }
        let (status, tokenNode) = parts
        guard status.isGranted else { throw .rejected(status) }
        guard let tokenNode else { throw .malformed("TimeStampResp granted without a token") }
        self.status = status
        self.token = try TimeStampToken(node: tokenNode)
    }
}
