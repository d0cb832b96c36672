import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509
@testable import TimeStamping

/// Responses and tokens openssl wrote once (Fixtures/README.md), parsed and verified without
/// running openssl: RSA with SigningCertificateV2, ECDSA P-384 with SHA-384 and a version 1
/// SigningCertificate, a token without certificates, a rejection.
@Suite struct TimeStampFixtureTests {
    static let folder = Corpus.fixtures("TimeStampingTests")
    static let digest = Array(SHA256.hash(data: Array("HEAD of the fixture archive".utf8)))

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func verifier(_ names: String...) throws -> TimeStampVerifier {
        let text = try names.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
        return try TimeStampVerifier(pemEncodedRoots: text.joined(separator: "\n"))
    }

    @Test func readsEveryFieldOfAGrantedResponse() throws {
        let response = try TimeStampResponse(derEncoded: Self.bytes("rsa-response.tsr"))
        #expect(response.status.status == .granted)
        let info = response.token.info
        #expect(info.policy == "1.2.3.4.1")
        #expect(info.messageImprint == MessageImprint(hashAlgorithm: .sha256, hashedMessage: Self.digest))
        #expect(info.serialNumber == [0x2B])
        // 2026-12-06 22:15:29.603 UTC
        #expect(abs(info.genTime.timeIntervalSince1970 - 1_796_595_329.603) < 0.0005)
        #expect(info.accuracy == Accuracy(seconds: 1, milliseconds: 500, microseconds: 100))
        #expect(info.ordering)
        #expect(info.nonce == [0xD9, 0x01, 0xE1, 0x71, 0x10, 0x95, 0x2C, 0xC9])
        guard case .directoryName(let name) = info.tsa else {
            Issue.record("tsa is \(String(describing: info.tsa))")
            return
        }
        #expect(name.description.contains("CN=Fixture TSA"))
        // The token is kept as the bytes the TSA sent, inside the response.
        let whole = try Self.bytes("rsa-response.tsr")
        #expect(whole.firstRange(of: response.token.derEncoded) != nil)
        #expect(try TimeStampToken(derEncoded: response.token.derEncoded) == response.token)
    }

    @Test func verifiesAnRSATokenAtItsGenTime() async throws {
        let token = try TimeStampResponse(derEncoded: Self.bytes("rsa-response.tsr")).token
        let verified = try await Self.verifier("rsa-ca.pem").verify(token, stamping: Self.digest, policy: "1.2.3.4.1")
        #expect(verified.authority.contains("CN=Fixture TSA"))
        #expect(verified.genTime == token.info.genTime)
    }

    @Test func verifiesAnECDSATokenWithSHA384AndAVersion1SigningCertificate() async throws {
        let token = try TimeStampResponse(derEncoded: Self.bytes("ec-response.tsr")).token
        #expect(token.signerInfo.digestAlgorithm == .sha384)
        let verified = try await Self.verifier("ec-ca.pem").verify(token, stamping: Self.digest)
        #expect(verified.authority.contains("CN=Fixture EC TSA"))
    }

    @Test func aTokenOfAnotherPolicyIsAFinding() async throws {
        let token = try TimeStampResponse(derEncoded: Self.bytes("rsa-response.tsr")).token
        await #expect(throws: TimeStampError.wrongPolicy(expected: "1.2.3.4.5", stamped: "1.2.3.4.1")) {
            try await Self.verifier("rsa-ca.pem").verify(token, stamping: Self.digest, policy: "1.2.3.4.5")
        }
    }

    @Test func aTokenWithoutCertificatesNeedsTheTSACertificateConfigured() async throws {
        let token = try TimeStampResponse(derEncoded: Self.bytes("nocert-response.tsr")).token
        #expect(token.signedData.certificates.isEmpty)
        #expect(token.info.nonce == nil)
        await #expect(throws: TimeStampError.signerCertificateMissing) {
            try await Self.verifier("rsa-ca.pem").verify(token, stamping: Self.digest)
        }
        let verified = try await Self.verifier("rsa-ca.pem", "rsa-tsa.pem").verify(token, stamping: Self.digest)
        #expect(verified.authority.contains("CN=Fixture TSA"))
    }

    @Test func aRejectionCarriesItsStatusTextAndFailure() throws {
        let error = #expect(throws: TimeStampError.self) {
            try TimeStampResponse(derEncoded: Self.bytes("rejected-response.tsr"))
        }
        guard case .rejected(let status) = error else {
            Issue.record("expected a rejection, got \(String(describing: error))")
            return
        }
        #expect(status.status == .rejection)
        #expect(status.failures == [.unacceptedPolicy])
        #expect(status.text.count == 1)
    }

    @Test(arguments: [0, 1, 100, 1000, 2000])
    func aTruncatedResponseIsMalformed(keeping count: Int) throws {
        let truncated = Array(try Self.bytes("rsa-response.tsr").prefix(count))
        let error = #expect(throws: TimeStampError.self) { try TimeStampResponse(derEncoded: truncated) }
        guard case .malformed = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
    }

    @Test func theRequestIsTheDERTimeStampReq() throws {
        let request = TimeStampRequest(sha256Digest: Self.digest, policy: "1.2.3.4.1", nonce: 0xD901_E171_1095_2CC9)
        // SEQUENCE { INTEGER 1, SEQUENCE { SEQUENCE { OID sha256, NULL }, OCTET STRING digest },
        //            OID policy, INTEGER nonce (with a leading 0: its top bit is set), BOOLEAN TRUE }
        let expected: [UInt8] = [0x30, 0x4A, 0x02, 0x01, 0x01, 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09,
                                 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
            + Self.digest
            + [0x06, 0x04, 0x2A, 0x03, 0x04, 0x01]
            + [0x02, 0x09, 0x00, 0xD9, 0x01, 0xE1, 0x71, 0x10, 0x95, 0x2C, 0xC9]
            + [0x01, 0x01, 0xFF]
        #expect(request.derEncoded == expected)
        #expect(request.nonceMagnitude == [0xD9, 0x01, 0xE1, 0x71, 0x10, 0x95, 0x2C, 0xC9])
        #expect(TimeStampRequest(sha256Digest: Self.digest, nonce: 0x1234).nonceMagnitude == [0x12, 0x34])
    }

    @Test func genTimeConvertsWithoutACalendar() throws {
        #expect(GeneralizedTime.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(GeneralizedTime.daysSinceEpoch(year: 2000, month: 3, day: 1) == 11_017)
        #expect(GeneralizedTime.daysSinceEpoch(year: 2024, month: 2, day: 29) == 19_782)
        let time = try GeneralizedTime(year: 2026, month: 12, day: 6, hours: 22, minutes: 15, seconds: 29,
                                       fractionalSeconds: 0.603)
        #expect(abs(time.date.timeIntervalSince1970 - 1_796_595_329.603) < 0.0005)
    }
}
