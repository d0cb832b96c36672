#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import _CryptoExtras

/// Verifies every DKIM-Signature field of an incoming message (RFC 6376 §6.1): simple and
/// relaxed canonicalisation of header and body, `l=`, `x=` against the given time, key records
/// with `k=`, `h=` and the `t=s` flag, rsa-sha256 and ed25519-sha256 (RFC 8463). Each field
/// gets its own result; an unsigned message gets none (RFC 8601 `dkim=none`).
///
/// Invariants: keys are fetched through DNS one field at a time (no cache: the recursive
/// server caches); a temporary DNS failure is temperror, not fail; nothing here throws.
public struct DKIMInboundVerifier: Sendable {
    private let dns: any SPFNameLookup

    public init(dns: any SPFNameLookup) { self.dns = dns }

    public func verify(_ message: [UInt8], now: Date) async -> [DKIMSignatureResult] {
        let parts = DKIMMessageParts(message)
        var results: [DKIMSignatureResult] = []
        for field in parts.fields where field.lowercasedName == Array("dkim-signature".utf8) {
            results.append(await verify(field, parts: parts, message: message, now: now))
        }
        return results
    }

    private func verify(_ field: DKIMHeaderField, parts: DKIMMessageParts, message: [UInt8], now: Date) async -> DKIMSignatureResult {
        let tags = DKIMTagList.parse(field.value)
        var result = DKIMSignatureResult(code: .permerror, reason: "", domain: tags["d"] ?? "", selector: tags["s"] ?? "",
                                         identity: tags["i"], algorithm: tags["a"] ?? "")
        func outcome(_ code: DKIMSignatureResult.Code, _ reason: String) -> DKIMSignatureResult {
            result.code = code
            result.reason = reason
            return result
        }
        // §6.1.1: required tags, version, h= including From, i= within d=.
        guard tags["v"] == "1" else { return outcome(.permerror, "v= is not 1") }
        guard let domain = tags["d"], let selector = tags["s"], let headerList = tags["h"],
              let bodyHashText = tags["bh"], let signatureText = tags["b"], let algorithmName = tags["a"] else {
            return outcome(.permerror, "a required tag is missing")
        }
        guard let algorithm = DKIMAlgorithm.allCases.first(where: { $0.signatureAlgorithm == algorithmName.lowercased() }) else {
            // rsa-sha1 included: RFC 8301 §3.1 forbids treating it as valid.
            return outcome(.neutral, "algorithm \(algorithmName) not supported")
        }
        let names = headerList.split(separator: ":").map { $0.filter { !$0.isWhitespace }.lowercased() }
        guard names.contains("from") else { return outcome(.permerror, "h= does not include From") }
        let identityDomain = tags["i"].map { identity in String(identity[(identity.lastIndex(of: "@").map { identity.index(after: $0) } ?? identity.startIndex)...]) }
        if let identityDomain, !Self.isWithin(identityDomain, domain) {
            return outcome(.permerror, "i= is not within d=")
        }
        let canonicalization = (tags["c"] ?? "simple/simple").lowercased().split(separator: "/", omittingEmptySubsequences: false)
        let headerCanon = canonicalization.first.map(String.init) ?? "simple"
        let bodyCanon = canonicalization.count > 1 ? String(canonicalization[1]) : "simple"  // §3.5 c=: body defaults to simple
        guard ["simple", "relaxed"].contains(headerCanon), ["simple", "relaxed"].contains(bodyCanon),
              canonicalization.count <= 2 else { return outcome(.permerror, "unknown c=") }
        // §3.5 x=: expired signatures fail; x= before t= is invalid.
        if let expiry = tags["x"] {
            guard let seconds = Int64(expiry) else { return outcome(.permerror, "x= is not a number") }
            if let signed = tags["t"].flatMap({ Int64($0) }), seconds < signed { return outcome(.permerror, "x= is before t=") }
            if Double(seconds) < now.timeIntervalSince1970 { return outcome(.fail, "signature expired") }
        }

        // §6.1.2: the key record.
        let key: KeyRecord
        switch await fetchKey(selector: selector, domain: domain) {
        case .success(let found): key = found
        case .failure(let failure): return outcome(failure.code, failure.reason)
        }
        guard key.type == algorithm.keyType else { return outcome(.permerror, "key is k=\(key.type), signature is \(algorithmName)") }
        if let hashes = key.hashes, !hashes.contains("sha256") { return outcome(.permerror, "key h= excludes sha256") }
        if key.flags.contains("s"), let identityDomain, identityDomain.lowercased() != domain.lowercased() {
            return outcome(.fail, "key has t=s and i= is a subdomain of d=")  // §3.6.1 t=s
        }

        // §3.7 body hash, with l= (§3.5: the count of canonical body octets that were hashed).
        let bodyBytes = message[parts.bodyStart...]
        var body = bodyCanon == "relaxed" ? DKIMCanonicalization.relaxedBody(bodyBytes) : DKIMSimpleCanonicalization.body(bodyBytes)
        if let lengthText = tags["l"] {
            guard let length = Int(lengthText), length >= 0 else { return outcome(.permerror, "l= is not a number") }
            guard length <= body.count else { return outcome(.fail, "l= is longer than the body") }
            body = Array(body.prefix(length))
        }
        guard Data(base64Encoded: Self.removingWhitespace(bodyHashText)) == Data(SHA256.hash(data: body)) else {
            return outcome(.fail, "body hash did not verify")
        }

        // §3.7 header hash: the h= fields from the bottom, then this field with b= empty and no CRLF.
        var data: [UInt8]
        var own: [UInt8]
        let emptied = DKIMTagList.emptyingSignature(field.value)
        if headerCanon == "relaxed" {
            data = DKIMHeaderSelection.canonicalFields(named: names, in: parts.fields)
            own = DKIMCanonicalization.relaxedHeader(name: field.name, value: emptied)
        } else {
            data = Self.simpleFields(named: names, in: parts.fields)
            own = DKIMSimpleCanonicalization.header(name: field.name, value: emptied)
        }
        own.removeLast(2)
        data.append(contentsOf: own)
        let digest = SHA256.hash(data: data)
        guard let signature = Data(base64Encoded: Self.removingWhitespace(signatureText)) else {
            return outcome(.permerror, "b= is not base64")
        }
        let valid: Bool
        switch algorithm {
        case .rsa:
            guard let publicKey = try? _RSA.Signing.PublicKey(derRepresentation: key.publicKey) else {
                return outcome(.permerror, "key p= is not an RSA key")
            }
            // RFC 8301 §3.2: keys under 1024 bits are not accepted.
            guard publicKey.keySizeInBits >= 1024 else { return outcome(.permerror, "RSA key shorter than 1024 bits") }
            valid = publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest,
                                               padding: .insecurePKCS1v1_5)
        case .ed25519:  // RFC 8463 §3: the signature is over the SHA-256 of the header data
            guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey) else {
                return outcome(.permerror, "key p= is not an Ed25519 key")
            }
            valid = publicKey.isValidSignature(signature, for: Array(digest))
        }
        return valid ? outcome(.pass, "signature verified") : outcome(.fail, "signature did not verify")
    }

    /// §5.4.2 with simple canonicalisation: each named field taken from the bottom.
    private static func simpleFields(named names: [String], in fields: [DKIMHeaderField]) -> [UInt8] {
        var used: [[UInt8]: Int] = [:]
        var output: [UInt8] = []
        for name in names {
            let key = Array(name.utf8)
            let skip = used[key, default: 0]
            let matching = fields.filter { $0.lowercasedName == key }
            guard skip < matching.count else { continue }
            used[key] = skip + 1
            let field = matching[matching.count - 1 - skip]
            output.append(contentsOf: DKIMSimpleCanonicalization.header(name: field.name, value: field.value))
        }
        return output
    }

    struct KeyRecord {
        var type: String
        var hashes: [String]?
        var flags: [String]
        var publicKey: Data
    }

    struct KeyFailure: Error {
        var code: DKIMSignatureResult.Code
        var reason: String
    }

    /// §3.6.1/§3.6.2.2: the TXT record at selector._domainkey.domain.
    private func fetchKey(selector: String, domain: String) async -> Result<KeyRecord, KeyFailure> {
        guard let name = try? DNSName("\(selector)._domainkey.\(domain)") else {
            return .failure(KeyFailure(code: .permerror, reason: "s= or d= is not a domain name"))
        }
        let answer: DNSLookupResult
        do { answer = try await dns.lookup(name, type: .txt) } catch {
            return .failure(KeyFailure(code: .temperror, reason: "key lookup: \(error)"))
        }
        let texts = answer.records.compactMap { data -> String? in
            guard case .txt(let strings) = data else { return nil }
            return String(decoding: strings.joined(), as: UTF8.self)
        }
        guard let text = texts.first else { return .failure(KeyFailure(code: .permerror, reason: "no key record")) }
        let tags = DKIMTagList.parse(Array(text.utf8))
        if let version = tags["v"], version != "DKIM1" {
            return .failure(KeyFailure(code: .permerror, reason: "key record v= is not DKIM1"))
        }
        guard let p = tags["p"] else { return .failure(KeyFailure(code: .permerror, reason: "key record has no p=")) }
        let base64 = Self.removingWhitespace(p)
        // §3.6.1 p=: an empty value means the key was revoked.
        guard !base64.isEmpty else { return .failure(KeyFailure(code: .permerror, reason: "key revoked")) }
        guard let publicKey = Data(base64Encoded: base64) else {
            return .failure(KeyFailure(code: .permerror, reason: "key p= is not base64"))
        }
        func list(_ tag: String) -> [String]? {
            tags[tag].map { $0.split(separator: ":").map { $0.filter { !$0.isWhitespace }.lowercased() } }
        }
        return .success(KeyRecord(type: (tags["k"] ?? "rsa").lowercased(), hashes: list("h"), flags: list("t") ?? [],
                                  publicKey: publicKey))
    }

    static func isWithin(_ child: String, _ parent: String) -> Bool {
        let child = child.lowercased(), parent = parent.lowercased()
        return child == parent || child.hasSuffix("." + parent)
    }

    private static func removingWhitespace(_ text: String) -> String { text.filter { !$0.isWhitespace } }
}
