import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
@testable import TimeStamping

/// What `verify` finds in a token that does not prove what it should: each failure named for
/// what failed, on tokens a real TSA (`openssl ts -reply`) made in the test.
@Suite struct TimeStampVerifierTests {
    static let digest = Array(SHA256.hash(data: Array("HEAD of segment 7".utf8)))

    /// A token for `digest` from the TSA, fetched through the client.
    static func stamp(_ authority: OpenSSLAuthority, _ server: TSAServer) async throws -> TimeStampToken {
        try await withTimeStampClient { client in
            try await client.stamp(sha256Digest: digest, by: TimeStampAuthority(url: server.url,
                                                                                verifier: authority.verifier())).token
        }
    }

    @Test func aTokenForAnotherDigestIsTheWrongDigest() async throws {
        try await withTestTSA { authority, server in
            let token = try await Self.stamp(authority, server)
            let other = Array(SHA256.hash(data: Array("a rolled-back HEAD".utf8)))
            await #expect(throws: TimeStampError.wrongDigest(expected: other, stamped: token.info.messageImprint)) {
                try await authority.verifier().verify(token, stamping: other)
            }
        }
    }

    @Test func aTokenFromAnUnconfiguredTSAIsAnUntrustedChain() async throws {
        try await withTestTSA { authority, server in
            let token = try await Self.stamp(authority, server)
            try await withTemporaryDirectory { otherFolder in
                let otherCA = try await OpenSSLAuthority.make(in: otherFolder, name: "Other TSA")
                let error = await #expect(throws: TimeStampError.self) {
                    try await otherCA.verifier().verify(token, stamping: Self.digest)
                }
                guard case .untrustedChain = error else {
                    Issue.record("expected untrustedChain, got \(String(describing: error))")
                    return
                }
            }
        }
    }

    @Test func aFlippedByteInTheSignatureIsABadSignature() async throws {
        try await withTestTSA { authority, server in
            let token = try await Self.stamp(authority, server)
            let signature = Array(token.signerInfo.signature)
            guard let range = token.derEncoded.firstRange(of: signature) else {
                Issue.record("the signature is not in the token's bytes")
                return
            }
            var bytes = token.derEncoded
            bytes[range.lowerBound + signature.count / 2] ^= 0x01
            let tampered = try TimeStampToken(derEncoded: bytes)
            let error = await #expect(throws: TimeStampError.self) {
                try await authority.verifier().verify(tampered, stamping: Self.digest)
            }
            guard case .badSignature = error else {
                Issue.record("expected badSignature, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func aTSTInfoChangedAfterSigningIsABadSignature() async throws {
        try await withTestTSA { authority, server in
            let token = try await Self.stamp(authority, server)
            // Move genTime by one second inside the encapsulated TSTInfo: still a valid TSTInfo,
            // no longer the one the message-digest attribute was computed over.
            let content = Array(token.signedData.encapsulatedContent)
            guard let contentRange = token.derEncoded.firstRange(of: content),
                  case .constructed(let fields) = try DER.parse(content).content,
                  let genTime = fields.first(where: { $0.identifier == .generalizedTime })
            else {
                Issue.record("the TSTInfo is not in the token's bytes")
                return
            }
            var bytes = token.derEncoded
            let secondsUnits = contentRange.lowerBound + genTime.encodedBytes.startIndex + 2 + 13  // YYYYMMDDHHMMS|S
            bytes[secondsUnits] = bytes[secondsUnits] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            let tampered = try TimeStampToken(derEncoded: bytes)
            #expect(tampered.info.genTime != token.info.genTime)
            let error = await #expect(throws: TimeStampError.self) {
                try await authority.verifier().verify(tampered, stamping: Self.digest)
            }
            guard case .badSignature = error else {
                Issue.record("expected badSignature, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func aTokenAnsweringAnotherRequestHasTheWrongNonce() async throws {
        try await withTestTSA { authority, server in
            let token = try await Self.stamp(authority, server)
            let otherRequest = TimeStampRequest(sha256Digest: Self.digest, nonce: 42)
            await #expect(throws: TimeStampError.wrongNonce(expected: [42], stamped: token.info.nonce)) {
                try await authority.verifier().verify(token, answering: otherRequest)
            }
        }
    }

    @Test func garbageIsMalformed() async throws {
        let error = await #expect(throws: TimeStampError.self) {
            try await TimeStampVerifier(trustRoots: []).verify(tokenDER: [0x30, 0x03, 0x02, 0x01, 0x01],
                                                               stamping: Self.digest)
        }
        guard case .malformed = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
    }
}
