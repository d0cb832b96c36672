/// What a server announced in its EHLO reply (RFC 5321 §4.1.1.1: one extension keyword per line
/// after the first, with its parameters). A server that only answered HELO announces nothing.
public struct SMTPServerCapabilities: Sendable, Hashable {
    /// RFC 2920.
    public var pipelining = false
    /// RFC 3207.
    public var startTLS = false
    /// RFC 1870 §4: the largest message the server takes; 0 means no fixed limit; nil when SIZE
    /// was not announced.
    public var maximumSize: Int?
    /// RFC 6152.
    public var eightBitMIME = false
    /// RFC 6531.
    public var smtpUTF8 = false
    /// RFC 2034.
    public var enhancedStatusCodes = false
    /// RFC 4954 §3: the SASL mechanisms after AUTH, upper-cased.
    public var authMechanisms: Set<String> = []

    public init() {}

    /// From the lines of a 250 EHLO reply (the first names the server).
    public init(ehloLines: [String]) {
        for line in ehloLines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            switch keyword {
            case "PIPELINING": pipelining = true
            case "STARTTLS": startTLS = true
            case "SIZE": maximumSize = words.count > 1 ? Int(words[1]) ?? 0 : 0
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            case "ENHANCEDSTATUSCODES": enhancedStatusCodes = true
            case "AUTH": authMechanisms.formUnion(words.dropFirst())
            default: continue
            }
        }
    }
}
