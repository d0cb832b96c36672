import SwiftASN1
import X509

/// The rule for a TSA's certificate, RFC 3161 §2.3: "The corresponding certificate MUST contain
/// only one instance of the extended key usage field extension ... with KeyPurposeID having
/// value: id-kp-timeStamping. This extension MUST be critical."
///
/// `check` tells exactly what is wrong with a signer's certificate; as a `VerifierPolicy` the
/// same rule lets X509's `Verifier` accept the critical extended key usage it would otherwise
/// refuse as unhandled, and holds it for the leaf of every candidate chain. A CA certificate
/// above it that restricts its own key usages must allow time stamping (or any purpose).
struct TimeStampingCertificatePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    /// Why `certificate` may not sign time stamps, or nil if it may.
    static func problem(with certificate: Certificate) -> String? {
        guard let usage = certificate.extensions[oid: .X509ExtensionID.extendedKeyUsage] else {
            return "no extended key usage"
        }
        guard usage.critical else { return "the extended key usage is not critical" }
        let purposes: ExtendedKeyUsage
        do { purposes = try ExtendedKeyUsage(usage) } catch { return "unreadable extended key usage: \(error)" }
        guard purposes.count == 1, purposes.contains(.timeStamping) else {
            return "extended key usage is \(purposes.map { "\($0)" }.joined(separator: ", ")), not timeStamping alone"
        }
        return nil
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        if let problem = Self.problem(with: chain.leaf) { return .failsToMeetPolicy(reason: problem) }
        for issuer in chain.dropFirst() {
            guard let purposes = try? issuer.extensions.extendedKeyUsage else { continue }
            if !purposes.contains(.timeStamping) && !purposes.contains(.any) {
                return .failsToMeetPolicy(reason: "CA \(issuer.subject) does not allow time stamping")
            }
        }
        return .meetsPolicy
    }
}
