import ServerKit
import Testing

@Suite struct TLSAndLimiterTests {
    @Test func selfSignedCertificateLoadsIntoATLSContext() throws {
        let (certificate, key) = try SelfSignedCertificate.generate(hostname: "mx.test")
        #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(key.contains("PRIVATE KEY-----"))
        _ = try ServerTLS(certificatePEM: certificate, keyPEM: key)
    }

    @Test func mismatchedOrGarbagePEMIsAnError() throws {
        let (certificate, _) = try SelfSignedCertificate.generate(hostname: "a.test")
        let (_, otherKey) = try SelfSignedCertificate.generate(hostname: "b.test")
        #expect(throws: ServerTLSError.self) { try ServerTLS(certificatePEM: certificate, keyPEM: otherKey) }
        #expect(throws: ServerTLSError.self) { try ServerTLS(certificatePEM: "garbage", keyPEM: "garbage") }
        #expect(throws: ServerTLSError.self) {
            try ServerTLS(certificateFile: "/nonexistent/cert.pem", keyFile: "/nonexistent/key.pem")
        }
    }

    @Test func limiterRefusesPastTheLimitPerAddress() {
        let limiter = ConnectionLimiter(limit: 2)
        #expect(limiter.acquire("192.0.2.1"))
        #expect(limiter.acquire("192.0.2.1"))
        #expect(!limiter.acquire("192.0.2.1"))
        #expect(limiter.acquire("192.0.2.2"))
        limiter.release("192.0.2.1")
        #expect(limiter.count("192.0.2.1") == 1)
        #expect(limiter.acquire("192.0.2.1"))
        limiter.release("192.0.2.1")
        limiter.release("192.0.2.1")
        #expect(limiter.count("192.0.2.1") == 0)
    }
}
