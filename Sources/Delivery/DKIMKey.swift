/// A DKIM key of one domain and selector, with the key record to publish (RFC 6376 §3.6).
public struct DKIMKey: Sendable {
    /// The signing domain (`d=`), lower case.
    public var domain: String
    /// The selector (`s=`).
    public var selector: String
    public var privateKey: DKIMPrivateKey

    public init(domain: String, selector: String, privateKey: DKIMPrivateKey) {
        self.domain = domain
        self.selector = selector
        self.privateKey = privateKey
    }

    public var algorithm: DKIMAlgorithm { privateKey.algorithm }

    /// RFC 6376 §3.6.2.1: where verifiers look the key up.
    public var recordName: String { "\(selector)._domainkey.\(domain)" }

    /// The TXT record's text (RFC 6376 §3.6.1; `k=ed25519` from RFC 8463 §4).
    public var recordText: String { "v=DKIM1; k=\(algorithm.keyType); p=\(privateKey.publicKeyBase64)" }

    /// The record as a zone file line: `S._domainkey.DOMAIN. IN TXT "…" "…"`, the text split
    /// into character-strings of at most 255 octets (RFC 1035 §3.3.14; verifiers join them,
    /// RFC 6376 §3.6.2.2).
    public var zoneFileLine: String {
        "\(recordName). IN TXT " + Self.characterStrings(recordText).map { "\"\($0)\"" }.joined(separator: " ")
    }

    /// `text` in pieces of at most 255 bytes (the record text is ASCII, so bytes are characters).
    static func characterStrings(_ text: String) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        repeat {
            pieces.append(String(rest.prefix(255)))
            rest = rest.dropFirst(255)
        } while !rest.isEmpty
        return pieces
    }

    public func signer() -> DKIMSigner {
        DKIMSigner(domain: domain, selector: selector, key: privateKey)
    }
}
