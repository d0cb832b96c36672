import Foundation
import Testing
import TestSupport
import X509
@testable import TimeStamping

/// RFC 3161 §2.3 on certificates openssl made: only a critical extended key usage of
/// id-kp-timeStamping alone makes a TSA certificate. (`openssl ts -reply` refuses to sign with
/// any other, so tokens from such certificates cannot be had from it; the rule is checked here.)
@Suite struct TimeStampingCertificatePolicyTests {
    static func certificate(extendedKeyUsage: String?, in folder: URL) async throws -> Certificate {
        let name = UUID().uuidString
        var arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", "\(name).key", "-out", "\(name).pem", "-days", "1", "-subj", "/CN=\(name)"]
        if let extendedKeyUsage { arguments += ["-addext", "extendedKeyUsage=\(extendedKeyUsage)"] }
        try await OpenSSLAuthority.openssl(arguments, in: folder)
        let pem = try String(contentsOf: folder.appendingPathComponent("\(name).pem"), encoding: .utf8)
        return try Certificate(pemEncoded: pem)
    }

    @Test func onlyACriticalTimeStampingUsageAloneMakesATSACertificate() async throws {
        guard try await OpenSSLAuthority.available() else { return }
        try await withTemporaryDirectory { folder in
            let accepted = try await Self.certificate(extendedKeyUsage: "critical,timeStamping", in: folder)
            #expect(TimeStampingCertificatePolicy.problem(with: accepted) == nil)

            for usage in [nil, "timeStamping", "critical,timeStamping,codeSigning", "critical,serverAuth"] {
                let refused = try await Self.certificate(extendedKeyUsage: usage, in: folder)
                #expect(TimeStampingCertificatePolicy.problem(with: refused) != nil,
                        "extendedKeyUsage=\(usage ?? "none")")
            }
        }
    }
}
