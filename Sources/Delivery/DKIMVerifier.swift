#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import _CryptoExtras

/// Checks the DKIM-Signature fields of a message (RFC 6376 §6), for what this server signs:
/// relaxed/relaxed, rsa-sha256 and ed25519-sha256, no `l=`. It lets the server check its own
/// signatures (and tests prove that tampering breaks them); it is not a general inbound verifier
/// (no simple canonicalisation, no key-record flags or expiry): DKIMInboundVerifier is that.
public struct DKIMVerifier: Sendable {
    /// The TXT text at a name ("sel._domainkey.example.com"), or nil when there is none.
    public var keyRecord: @Sendable (String) throws -> String?

    public init(keyRecord: @escaping @Sendable (String) throws -> String?) {
        self.keyRecord = keyRecord
    }

    /// Verifies every DKIM-Signature field; returns their `d=` domains in header order. Throws
    /// `DKIMError.verificationFailed` for the first that does not verify, or when there is none.
    public func verify(_ message: [UInt8]) throws -> [String] {
        let parts = DKIMMessageParts(message)
        let signatures = parts.fields.filter { $0.lowercasedName == Array("dkim-signature".utf8) }
        guard !signatures.isEmpty else { throw DKIMError.verificationFailed("no DKIM-Signature field") }
        return try signatures.map { try verify($0, parts: parts, message: message) }
    }

    private func verify(_ field: DKIMHeaderField, parts: DKIMMessageParts, message: [UInt8]) throws -> String {
        func fail(_ why: String) -> DKIMError { .verificationFailed(why) }
        let tags = DKIMTagList.parse(field.value)
        guard tags["v"] == "1" else { throw fail("v= is not 1") }
        guard tags["c"] == "relaxed/relaxed" else { throw fail("only relaxed/relaxed is checked here") }
        guard tags["l"] == nil else { throw fail("l= is not supported") }
        guard let algorithm = DKIMAlgorithm.allCases.first(where: { $0.signatureAlgorithm == tags["a"] }) else {
            throw fail("unknown a=")
        }
        guard let domain = tags["d"], let selector = tags["s"], let headerList = tags["h"],
              let bodyHashText = tags["bh"], let signatureText = tags["b"] else { throw fail("a required tag is missing") }
        let names = headerList.split(separator: ":").map { $0.filter { !$0.isWhitespace }.lowercased() }
        guard names.contains("from") else { throw fail("h= does not sign From") }

        let bodyHash = SHA256.hash(data: DKIMCanonicalization.relaxedBody(message[parts.bodyStart...]))
        guard Data(base64Encoded: Self.removingWhitespace(bodyHashText)) == Data(bodyHash) else {
            throw fail("body hash mismatch (bh=)")
        }

        var data = DKIMHeaderSelection.canonicalFields(named: names, in: parts.fields)
        var own = DKIMCanonicalization.relaxedHeader(name: field.name, value: DKIMTagList.emptyingSignature(field.value))
        own.removeLast(2)
        data.append(contentsOf: own)
        let digest = SHA256.hash(data: data)
        guard let signature = Data(base64Encoded: Self.removingWhitespace(signatureText)) else { throw fail("b= is not base64") }

        guard let record = try keyRecord("\(selector)._domainkey.\(domain)") else { throw fail("no key record") }
        let keyTags = DKIMTagList.parse(Array(record.utf8))
        guard keyTags["k", default: "rsa"] == algorithm.keyType,
              let publicKey = keyTags["p"].flatMap({ Data(base64Encoded: Self.removingWhitespace($0)) }), !publicKey.isEmpty else {
            throw fail("key record has no usable key (revoked, or of another type)")
        }
        let valid: Bool
        switch algorithm {
        case .rsa:
            let key = try _RSA.Signing.PublicKey(derRepresentation: publicKey)
            valid = key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest,
                                         padding: .insecurePKCS1v1_5)
        case .ed25519:
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
            valid = key.isValidSignature(signature, for: Array(digest))
        }
        guard valid else { throw fail("signature mismatch (b=)") }
        return domain
    }

    private static func removingWhitespace(_ text: String) -> String { text.filter { !$0.isWhitespace } }
}

/// RFC 6376 §3.2 tag=value lists, as DKIM-Signature fields and key records use them.
enum DKIMTagList {
    /// Tags to values, whitespace around both trimmed (FWS inside values kept, unfolded).
    static func parse(_ value: [UInt8]) -> [String: String] {
        var tags: [String: String] = [:]
        for entry in value.split(separator: UInt8(ascii: ";")) {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let tag = trimmed(String(decoding: entry[..<equals], as: UTF8.self))
            if tags[tag] == nil { tags[tag] = trimmed(String(decoding: entry[(equals + 1)...], as: UTF8.self)) }
        }
        return tags
    }

    /// The field value with the b= tag's value removed (§3.7: "treated as the empty string"),
    /// everything else byte for byte.
    static func emptyingSignature(_ value: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var first = true
        for entry in value.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            if !first { output.append(UInt8(ascii: ";")) }
            first = false
            if let equals = entry.firstIndex(of: UInt8(ascii: "=")),
               trimmed(String(decoding: entry[..<equals], as: UTF8.self)) == "b" {
                output.append(contentsOf: entry[...equals])
            } else {
                output.append(contentsOf: entry)
            }
        }
        return output
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
