/// Credentials carried by a SASL exchange.
public struct SASLCredentials: Hashable, Sendable {
    /// The identity to act as (RFC 4616 authzid); nil when absent or equal to the username.
    public var authorizationIdentity: String?
    public var username: String
    public var password: String

    public init(authorizationIdentity: String? = nil, username: String, password: String) {
        self.authorizationIdentity = authorizationIdentity
        self.username = username
        self.password = password
    }
}

/// SASL mechanisms the servers offer.
public enum SASLMechanism: String, Hashable, Sendable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"

    /// Case-insensitive lookup of a mechanism name (RFC 4422 §3.1: names are upper case; clients vary).
    public init?(name: some Collection<UInt8>) {
        let upper = String(decoding: name.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        self.init(rawValue: upper)
    }
}

/// SASL PLAIN (RFC 4616 §2).
public enum SASLPlain {
    // message   = [authzid] UTF8NUL authcid UTF8NUL passwd
    // authcid   = 1*SAFE ; MUST accept up to 255 octets
    // passwd    = 1*SAFE ; MUST accept up to 255 octets
    // SAFE      = UTF1 / UTF2 / UTF3 / UTF4 ; any UTF-8 except NUL
    /// Decodes a PLAIN message (already base64-decoded); nil when malformed.
    public static func decode(_ message: [UInt8]) -> SASLCredentials? {
        let parts = message.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty, !parts[2].contains(0),
              let authzid = String(validating: parts[0], as: UTF8.self),
              let authcid = String(validating: parts[1], as: UTF8.self),
              let password = String(validating: parts[2], as: UTF8.self)
        else { return nil }
        return SASLCredentials(authorizationIdentity: authzid.isEmpty ? nil : authzid,
                               username: authcid, password: password)
    }

    /// Encodes credentials as a PLAIN message (for clients and tests).
    public static func encode(_ credentials: SASLCredentials) -> [UInt8] {
        Array((credentials.authorizationIdentity ?? "").utf8) + [0] + Array(credentials.username.utf8) + [0]
            + Array(credentials.password.utf8)
    }
}

/// SASL LOGIN (draft-murchison-sasl-login): the server asks "Username:" then "Password:", each
/// answered with one base64 line. Obsolete, but Outlook and many phones still use it.
public enum SASLLogin {
    /// The base64 challenge that asks for the user name ("Username:").
    public static let usernameChallenge = Base64.encodeToString(Array("Username:".utf8))
    /// The base64 challenge that asks for the password ("Password:").
    public static let passwordChallenge = Base64.encodeToString(Array("Password:".utf8))

    /// Decodes one LOGIN response (already base64-decoded): UTF-8 without NUL, or nil.
    public static func decodeField(_ bytes: [UInt8]) -> String? {
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
