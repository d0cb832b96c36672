import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
@testable import TimeStamping

/// Stamping through `TimeStampClient` against a real TSA (`openssl ts -reply` behind Python's
/// http.server), and openssl checking what Tresor got.
@Suite struct TimeStampClientTests {
    static let digest = Array(SHA256.hash(data: Array("HEAD of segment 7".utf8)))

    @Test func stampsADigestAndVerifiesTheToken() async throws {
        try await withTestTSA { authority, server in
            try await withTimeStampClient { client in
                let before = Date()
                let stamped = try await client.stamp(
                    sha256Digest: Self.digest, by: TimeStampAuthority(url: server.url, verifier: authority.verifier()))
                let after = Date()
                let info = stamped.token.info
                #expect(info.messageImprint == MessageImprint(hashAlgorithm: .sha256, hashedMessage: Self.digest))
                #expect(info.policy == ASN1ObjectIdentifier(stringLiteral: OpenSSLAuthority.defaultPolicy))
                #expect(info.accuracy == Accuracy(seconds: 1, milliseconds: 500, microseconds: 100))
                #expect(info.ordering)
                #expect(stamped.authority.contains("CN=Test TSA"))
                // The TSA's clock is this machine's: genTime lies between the two readings, give
                // or take the accuracy the TSA states and the milliseconds it rounds to.
                let slack = 1.6
                let window = before.addingTimeInterval(-slack)...after.addingTimeInterval(slack)
                #expect(window.contains(stamped.genTime), "genTime \(stamped.genTime) outside \(window)")
                // A journaled token is checked again from its bytes alone.
                let again = try await authority.verifier().verify(tokenDER: stamped.token.derEncoded,
                                                                  stamping: Self.digest)
                #expect(again.genTime == stamped.genTime)
            }
        }
    }

    @Test func opensslAcceptsTresorsRequestAndToken() async throws {
        try await withTestTSA { authority, server in
            try await withTimeStampClient { client in
                let request = TimeStampRequest(sha256Digest: Self.digest)
                let stamped = try await client.stamp(
                    request, by: TimeStampAuthority(url: server.url, verifier: authority.verifier()))
                let folder = authority.folder
                try Data(stamped.token.derEncoded).write(to: folder.appendingPathComponent("token.der"))
                try Data(request.derEncoded).write(to: folder.appendingPathComponent("request.tsq"))
                let trust = ["-CAfile", "ca.pem", "-untrusted", "tsa.pem"]

                let byDigest = try await OpenSSLAuthority.run(
                    ["ts", "-verify", "-digest", hex(Self.digest), "-in", "token.der", "-token_in"] + trust, in: folder)
                #expect(byDigest.status == 0, "openssl ts -verify -digest: \(byDigest.stdout) \(byDigest.stderr)")

                let byRequest = try await OpenSSLAuthority.run(
                    ["ts", "-verify", "-queryfile", "request.tsq", "-in", "token.der", "-token_in"] + trust, in: folder)
                #expect(byRequest.status == 0, "openssl ts -verify -queryfile: \(byRequest.stdout) \(byRequest.stderr)")

                // openssl does refuse the token for another digest, so the two checks above mean something.
                let other = Array(SHA256.hash(data: Array("another HEAD".utf8)))
                let refused = try await OpenSSLAuthority.run(
                    ["ts", "-verify", "-digest", hex(other), "-in", "token.der", "-token_in"] + trust, in: folder)
                #expect(refused.status != 0)
            }
        }
    }

    @Test func opensslReadsTresorsRequestAsWritten() async throws {
        guard try await OpenSSLAuthority.available() else { return }
        try await withTemporaryDirectory { folder in
            let request = TimeStampRequest(sha256Digest: Self.digest, policy: "1.2.3.4.5", nonce: 0x8000_0000_0000_0001)
            try Data(request.derEncoded).write(to: folder.appendingPathComponent("request.tsq"))
            let text = try await OpenSSLAuthority.run(["ts", "-query", "-in", "request.tsq", "-text"], in: folder)
            #expect(text.status == 0, "\(text.stderr)")
            let lines = text.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines.contains("Version: 1"))
            #expect(lines.contains("Hash Algorithm: sha256"))
            #expect(lines.contains("Policy OID: 1.2.3.4.5"))
            #expect(lines.contains("Nonce: 0x8000000000000001"))
            #expect(lines.contains("Certificate required: yes"))
        }
    }

    @Test func aRejectionIsAnErrorNamingItsStatusAndReason() async throws {
        try await withTestTSA { authority, server in
            try await withTimeStampClient { client in
                // The TSA stamps under 1.2.3.4.1 and 1.2.3.4.5 only (its tsa.cnf).
                let tsa = TimeStampAuthority(url: server.url, verifier: try authority.verifier(), policy: "1.2.3.4.99")
                let error = await #expect(throws: TimeStampError.self) {
                    try await client.stamp(sha256Digest: Self.digest, by: tsa)
                }
                guard case .rejected(let status) = error else {
                    Issue.record("expected a rejection, got \(String(describing: error))")
                    return
                }
                #expect(status.status == .rejection)
                #expect(status.failures == [.unacceptedPolicy])
                #expect("\(error!)".contains("unacceptedPolicy"))
            }
        }
    }

    @Test func aTokenUnderTheRequestedPolicyIsAccepted() async throws {
        try await withTestTSA { authority, server in
            try await withTimeStampClient { client in
                let policy = ASN1ObjectIdentifier(stringLiteral: OpenSSLAuthority.otherPolicy)
                let tsa = TimeStampAuthority(url: server.url, verifier: try authority.verifier(), policy: policy)
                let stamped = try await client.stamp(sha256Digest: Self.digest, by: tsa)
                #expect(stamped.token.info.policy == policy)
            }
        }
    }

    @Test func anECDSATimeStampingAuthorityIsVerifiedToo() async throws {
        try await withTestTSA(name: "EC TSA", key: .ecdsaP256) { authority, server in
            try await withTimeStampClient { client in
                let stamped = try await client.stamp(
                    sha256Digest: Self.digest, by: TimeStampAuthority(url: server.url, verifier: authority.verifier()))
                #expect(stamped.authority.contains("CN=EC TSA"))
            }
        }
    }

    @Test func aTSAWhereNothingListensIsUnreachable() async throws {
        // A port that was free a moment ago: bound, read and released.
        let port = try await ChildProcess.python(
            "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()", [])
        let url = "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))/tsa"
        try await withTimeStampClient { client in
            let tsa = TimeStampAuthority(url: url, verifier: TimeStampVerifier(trustRoots: []))
            let error = await #expect(throws: TimeStampError.self) {
                try await client.stamp(sha256Digest: Self.digest, by: tsa)
            }
            guard case .unreachable(let reportedURL, _) = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(reportedURL == url)
        }
    }

    @Test(.timeLimit(.minutes(1)))  // a request the clock does not end would hang
    func aTSAThatNeverAnswersTimesOutOnTheClock() async throws {
        let server = try await TSAServer.startSilent()
        let clock = ManualClock()
        try await withTimeStampClient(timeout: .seconds(10), clock: clock) { client in
            let tsa = TimeStampAuthority(url: server.url, verifier: TimeStampVerifier(trustRoots: []))
            let outcome = Task { () -> TimeStampError? in
                do {
                    _ = try await client.stamp(sha256Digest: Self.digest, by: tsa)
                    return nil
                } catch {
                    return error as? TimeStampError
                }
            }
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: .seconds(10))
            #expect(await outcome.value == .timedOut(url: server.url, after: .seconds(10)))
        }
        await server.stop()
    }
}

/// Runs `body` with a client that is shut down afterwards, whatever `body` did.
func withTimeStampClient<T>(timeout: Duration = .seconds(10), clock: any Clock<Duration> = ContinuousClock(),
                            _ body: (TimeStampClient) async throws -> T) async throws -> T {
    let client = TimeStampClient(timeout: timeout, clock: clock)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
