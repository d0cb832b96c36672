import Foundation
import TestSupport
import TimeStamping

extension OpenSSLAuthority {
    /// A verifier trusting this CA, as Tresor would be configured.
    func verifier() throws -> TimeStampVerifier {
        try TimeStampVerifier(pemEncodedRoots: String(contentsOf: caCertificate, encoding: .utf8))
    }
}
