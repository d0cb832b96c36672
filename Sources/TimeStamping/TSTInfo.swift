#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
import X509

/// What a TSA signs: the stamped digest and the time. RFC 3161 §2.4.2:
///
///     TSTInfo ::= SEQUENCE {
///        version          INTEGER  { v1(1) },
///        policy           TSAPolicyId,
///        messageImprint   MessageImprint,
///        serialNumber     INTEGER,
///        genTime          GeneralizedTime,
///        accuracy         Accuracy                 OPTIONAL,
///        ordering         BOOLEAN             DEFAULT FALSE,
///        nonce            INTEGER                  OPTIONAL,
///        tsa              [0] GeneralName          OPTIONAL,
///        extensions       [1] IMPLICIT Extensions  OPTIONAL }
public struct TSTInfo: Hashable, Sendable {
    /// The TSA policy under which the token was made.
    public var policy: ASN1ObjectIdentifier
    public var messageImprint: MessageImprint
    /// The token's serial number, unique per TSA (big-endian, no leading zero bytes).
    public var serialNumber: [UInt8]
    /// When the TSA made the token.
    public var genTime: Date
    public var accuracy: Accuracy?
    /// Whether tokens of this TSA can be ordered by genTime alone, whatever their accuracy.
    public var ordering: Bool
    /// The request's nonce, echoed (big-endian, no leading zero bytes).
    public var nonce: [UInt8]?
    /// The name the TSA gave itself; a hint only: RFC 3161 §2.4.2 asks that it match the
    /// certificate's subject, and the verifier names the TSA by its certificate.
    public var tsa: GeneralName?
}

// MARK: - DER

extension TSTInfo {
    init(derEncoded bytes: ArraySlice<UInt8>) throws {
        self = try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else { throw ASN1Error.invalidASN1Object(reason: "TSTInfo version \(version)") }
            let policy = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let imprint = try MessageImprint(derEncoded: try nodes.required("messageImprint"))
            let serialNumber = try ArraySlice<UInt8>(derEncoded: &nodes)
            let genTime = try GeneralizedTime(derEncoded: &nodes)
            let accuracy = try nodes.next(ifIdentifier: .sequence).map(Accuracy.init(derEncoded:))
            let ordering = try nodes.next(ifIdentifier: .boolean).map { try Bool(derEncoded: $0) } ?? false
            let nonce = try nodes.next(ifIdentifier: .integer).map { try ArraySlice<UInt8>(derEncoded: $0) }
            let tsa = try nodes.next(ifIdentifier: .context(0))
                .map { try GeneralName(derEncoded: $0.explicitlyTaggedChild()) }
            _ = nodes.next(ifIdentifier: .context(1))  // extensions: none is defined for TSTInfo
            return TSTInfo(policy: policy, messageImprint: imprint, serialNumber: Array(serialNumber),
                           genTime: genTime.date, accuracy: accuracy, ordering: ordering,
                           nonce: nonce.map(Array.init), tsa: tsa)
        }
    }
}
