import MailStore
import TimeStamping
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token check `tresor verify` hands MailStore: each journaled token is verified (RFC 3161
/// §2.4.2: signature, the TSA certificate's time-stamping usage, its chain to a CA at genTime, the
/// stamped digest) against the CA certificates configured for the TSA it was asked from, and
/// against those given on the command line. A token from a TSA whose URL is not configured is
/// tried against every configured CA; one that chains to none is named as such.
public struct AnchorTokenVerifier: AnchorTokenChecking {
    let byURL: [String: TimeStampVerifier]
    let others: [TimeStampVerifier]

    /// `extraRoots`: verifiers of CA files given besides the configuration (`verify --tsa-ca`).
    public init(authorities: [TimeStampAuthority], extraRoots: [TimeStampVerifier] = []) {
        var byURL: [String: TimeStampVerifier] = [:]
        for authority in authorities { byURL[authority.url] = authority.verifier }
        self.byURL = byURL
        self.others = extraRoots
    }

    /// From the configured TSAs and CA files given besides them (`verify --tsa-ca FILE`), all read now.
    public init(settings: [TresorConfiguration.TimeStampAuthoritySettings], extraCAFiles: [URL])
        throws(ConfigurationError)
    {
        var extra: [TimeStampVerifier] = []
        for file in extraCAFiles { extra.append(try AnchorStamper.verifier(caFile: file, key: "--tsa-ca",
                                                                                            file: "the command line")) }
        self.init(authorities: try AnchorStamper.authorities(settings), extraRoots: extra)
    }

    public func check(token: [UInt8], stamping digest: [UInt8], askedFrom tsa: String) async -> AnchorTokenVerdict {
        let candidates = byURL[tsa].map { [$0] + others }
            ?? byURL.sorted(by: { $0.key < $1.key }).map(\.value) + others
        guard !candidates.isEmpty else {
            return .invalid("no CA certificate is configured for TSA \(tsa) ([[anchor.tsa]] with its ca, or --tsa-ca), "
                            + "so its token cannot be checked")
        }
        var reasons: [String] = []
        for verifier in candidates {
            do {
                let verified = try await verifier.verify(tokenDER: token, stamping: digest)
                return .valid(genTime: verified.genTime, authority: verified.authority)
            } catch {
                reasons.append(error.description)
                // Another CA cannot mend a token that is malformed or stamps another digest.
                switch error {
                case .untrustedChain, .signerCertificateMissing: continue
                default: return .invalid("token from \(tsa): \(error)")
                }
            }
        }
        let configured = byURL[tsa] == nil ? "TSA \(tsa) is not configured, and" : "TSA \(tsa):"
        return .invalid("\(configured) its token does not chain to any configured TSA CA (\(reasons.last ?? ""))")
    }
}
