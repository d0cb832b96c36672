#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@_spi(FixedExpiryValidationTime) import X509
import SwiftASN1

/// A token that passed every check, with what an auditor wants to read from it.
public struct VerifiedTimeStamp: Hashable, Sendable {
    public var token: TimeStampToken
    /// The certificate of the TSA that signed.
    public var signer: Certificate

    /// When the TSA stamped the digest.
    public var genTime: Date { token.info.genTime }
    /// The TSA, named by its certificate's subject (e.g. "CN=Test TSA,O=…").
    public var authority: String { signer.subject.description }
}

/// Checks time-stamp tokens against the CA certificates configured for a TSA. Stateless and
/// cheap to copy; `verify` does a few signature checks on inputs of a few kilobytes.
public struct TimeStampVerifier: Hashable, Sendable {
    /// The CA certificates a TSA's certificate must chain to.
    public var trustRoots: [Certificate]

    public init(trustRoots: [Certificate]) {
        self.trustRoots = trustRoots
    }

    /// Trust roots from PEM text holding one or more certificates (a configured CA file's contents).
    public init(pemEncodedRoots text: String) throws(TimeStampError) {
        do {
            trustRoots = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
                .map { try Certificate(pemDocument: $0) }
        } catch {
            throw .malformed("CA certificates: \(error)")
        }
        guard !trustRoots.isEmpty else { throw .malformed("CA certificates: no certificate in the PEM text") }
    }

    /// Verifies `token` as the answer to `request`: its digest, nonce and policy (if one was asked for).
    public func verify(_ token: TimeStampToken, answering request: TimeStampRequest)
        async throws(TimeStampError) -> VerifiedTimeStamp
    {
        try await verify(token, stamping: request.messageImprint.hashedMessage, nonce: request.nonceMagnitude,
                         policy: request.policy)
    }

    /// Verifies that `token` is a valid stamp of the SHA-256 digest `digest` by a TSA whose
    /// certificate chains to a trust root, checking in this order (RFC 3161 §2.4.2, RFC 5652
    /// §5.4 and §5.6, RFC 3161 §2.3, RFC 5816 §2.2):
    /// 1. the signed attributes: content-type is id-ct-TSTInfo, message-digest is the digest of
    ///    the encapsulated TSTInfo;
    /// 2. the signature over the signed attributes, with the key of the certificate the
    ///    SignerInfo names (found in the token or among the trust roots);
    /// 3. the ESS signing-certificate attribute names that same certificate, and the TSTInfo's
    ///    tsa field, if present, is one of its subject names;
    /// 4. the certificate is a TSA certificate (critical extended key usage timeStamping only);
    /// 5. it chains to a trust root, every certificate valid at genTime;
    /// 6. the TSTInfo stamps `digest` with SHA-256 and names `policy`, when one is given.
    public func verify(_ token: TimeStampToken, stamping digest: [UInt8], policy: ASN1ObjectIdentifier? = nil)
        async throws(TimeStampError) -> VerifiedTimeStamp
    {
        try await verify(token, stamping: digest, nonce: nil, policy: policy)
    }

    /// Verifies a token given as journaled bytes.
    public func verify(tokenDER: [UInt8], stamping digest: [UInt8]) async throws(TimeStampError) -> VerifiedTimeStamp {
        try await verify(try TimeStampToken(derEncoded: tokenDER), stamping: digest)
    }

    /// The checks of `verify(_:stamping:policy:)`, and the nonce when the request is at hand.
    func verify(_ token: TimeStampToken, stamping digest: [UInt8], nonce: [UInt8]?, policy: ASN1ObjectIdentifier?)
        async throws(TimeStampError) -> VerifiedTimeStamp
    {
        let signerInfo = token.signerInfo
        try checkSignedAttributes(of: token)
        let certificate = try signerCertificate(of: token)
        let algorithm = try signerInfo.x509SignatureAlgorithm()
        guard let attributes = signerInfo.signedAttributes,
              certificate.publicKey.isValidSignature(signerInfo.signature, for: attributes.signedBytes,
                                                     signatureAlgorithm: algorithm)
        else {
            throw .badSignature("the signature does not verify with the key of \(certificate.subject)")
        }
        try checkSigningCertificateAttribute(attributes, names: certificate)
        try checkTSAName(token.info.tsa, of: certificate)
        if let problem = TimeStampingCertificatePolicy.problem(with: certificate) {
            throw .notTimeStampingCertificate(problem)
        }
        try await checkChain(of: certificate, in: token)
        try checkContent(token.info, digest: digest, nonce: nonce, policy: policy)
        return VerifiedTimeStamp(token: token, signer: certificate)
    }

    // MARK: - The steps

    /// RFC 5652 §5.3: with content other than id-data, signed attributes must be present, with
    /// content-type (§11.1) naming that content and message-digest (§11.2) over the eContent.
    private func checkSignedAttributes(of token: TimeStampToken) throws(TimeStampError) {
        let signerInfo = token.signerInfo
        guard let attributes = signerInfo.signedAttributes else {
            throw .badSignature("no signed attributes, which a TSTInfo signature must have")
        }
        let contentType: ASN1ObjectIdentifier?
        let messageDigest: ArraySlice<UInt8>?
        do {
            contentType = try attributes.contentType
            messageDigest = try attributes.messageDigest
        } catch {
            throw .malformed("signed attributes: \(error)")
        }
        guard contentType == OID.tstInfo else {
            let named = contentType.map { "\($0)" } ?? "missing"
            throw .badSignature("the content-type attribute is \(named), not id-ct-TSTInfo")
        }
        guard signerInfo.digestAlgorithm != .sha1,
              let computed = signerInfo.digestAlgorithm.digest(token.signedData.encapsulatedContent)
        else {
            throw .unsupportedAlgorithm("content digest \(signerInfo.digestAlgorithm)")
        }
        guard let messageDigest, messageDigest.elementsEqual(computed) else {
            throw .badSignature("the message-digest attribute does not match the TSTInfo")
        }
    }

    /// The certificate the SignerInfo's sid names (RFC 5652 §5.3), from the token (certReq) or
    /// the trust roots.
    private func signerCertificate(of token: TimeStampToken) throws(TimeStampError) -> Certificate {
        let sid = token.signerInfo.signerIdentifier
        guard let certificate = (token.signedData.certificates + trustRoots).first(where: sid.identifies) else {
            throw .signerCertificateMissing
        }
        return certificate
    }

    /// RFC 3161 §2.4.2 and RFC 5816 §2.2: the signing-certificate attribute (v1 or v2) must
    /// identify the certificate that verified the signature.
    private func checkSigningCertificateAttribute(_ attributes: SignedAttributes, names certificate: Certificate)
        throws(TimeStampError)
    {
        let named: Bool?
        do {
            guard let id = try attributes.signingCertificate else {
                throw TimeStampError.signerCertificateMismatch("no ESS signing-certificate attribute")
            }
            named = try id.identifies(certificate)
            if named == nil { throw TimeStampError.unsupportedAlgorithm("ESSCertIDv2 hash \(id.hashAlgorithm)") }
        } catch let error as TimeStampError {
            throw error
        } catch {
            throw .malformed("ESS signing-certificate attribute: \(error)")
        }
        guard named == true else {
            throw .signerCertificateMismatch(
                "the signing-certificate attribute names another certificate than \(certificate.subject)")
        }
    }

    /// RFC 3161 §2.4.2: the tsa field, if present, "MUST correspond to one of the subject names
    /// included in the certificate that is to be used to verify the token".
    private func checkTSAName(_ name: GeneralName?, of certificate: Certificate) throws(TimeStampError) {
        guard let name, name != .directoryName(certificate.subject) else { return }
        let alternativeNames = (try? certificate.extensions.subjectAlternativeNames).map(Array.init) ?? []
        guard alternativeNames.contains(name) else {
            throw .signerCertificateMismatch(
                "the TSTInfo names the TSA \(name), not a subject name of \(certificate.subject)")
        }
    }

    /// A chain from `certificate` to a trust root, through the token's certificates, with every
    /// certificate valid at genTime: a token stays verifiable after its TSA's certificate expired,
    /// as long as it was made while the certificate was valid (RFC 3161 §4, point 3).
    private func checkChain(of certificate: Certificate, in token: TimeStampToken) async throws(TimeStampError) {
        let genTime = token.info.genTime
        var verifier = Verifier(rootCertificates: CertificateStore(trustRoots)) {
            RFC5280Policy(fixedExpiryValidationTime: genTime)
            TimeStampingCertificatePolicy()
        }
        let intermediates = CertificateStore(token.signedData.certificates)
        let result = await verifier.validate(leaf: certificate, intermediates: intermediates)
        switch result {
        case .validCertificate:
            return
        case .couldNotValidate(let failures):
            // No failure at all means no candidate chain reached a root.
            let reasons = Set(failures.map { "\($0.policyFailureReason)" }).sorted()
            let noChain = "no chain from \(certificate.subject) to a configured CA certificate"
            throw .untrustedChain(reasons.isEmpty ? noChain : reasons.joined(separator: "; "))
        }
    }

    /// RFC 3161 §2.4.2: messageImprint as in the request, the nonce echoed, the policy asked for.
    private func checkContent(_ info: TSTInfo, digest: [UInt8], nonce: [UInt8]?, policy: ASN1ObjectIdentifier?)
        throws(TimeStampError)
    {
        guard info.messageImprint == MessageImprint(hashAlgorithm: .sha256, hashedMessage: digest) else {
            throw .wrongDigest(expected: digest, stamped: info.messageImprint)
        }
        if let nonce, info.nonce != nonce {
            throw .wrongNonce(expected: nonce, stamped: info.nonce)
        }
        if let policy, info.policy != policy {
            throw .wrongPolicy(expected: "\(policy)", stamped: "\(info.policy)")
        }
    }
}
