/// Incoming `Authentication-Results:` fields that claim this server's authserv-id (RFC 8601 §5:
/// a receiver must not trust them, and should remove or otherwise disarm them at its border).
///
/// They are renamed, not removed: `Authentication-Results:` becomes
/// `X-Untrusted-Authentication-Results:`. The archive is a compliance record of what arrived, and
/// a forged verdict is itself evidence; but no Sieve `header` test, mail client or `auth:` query
/// reads the renamed field as ours. Fields naming another authserv-id are left alone (§5: they are
/// some other server's claims, which readers judge by that name).
///
/// Only the header section is read; a field's authserv-id is its first token after optional
/// CFWS (§2.2), compared ignoring case (§2.5: it is a host name).
enum ClaimedAuthenticationResults {
    static let fieldName = Array("Authentication-Results".utf8)
    static let renamedPrefix = Array("X-Untrusted-".utf8)

    /// The message with each field that names `authservID` renamed, and how many were.
    static func disarm(_ message: [UInt8], authservID: String) -> (message: [UInt8], renamed: Int) {
        let ours = Array(authservID.lowercased().utf8)
        var starts: [Int] = []
        var index = 0
        // Field lines up to the empty line that ends the header section (RFC 5322 §2.1).
        while index < message.count {
            if message[index] == UInt8(ascii: "\r") || message[index] == UInt8(ascii: "\n") { break }
            let lineEnd = message[index...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? message.count
            if hasName(message, at: index), let id = claimedID(message, from: index + fieldName.count + 1),
               id == ours {
                starts.append(index)
            }
            index = lineEnd
        }
        guard !starts.isEmpty else { return (message, 0) }
        var output: [UInt8] = []
        output.reserveCapacity(message.count + starts.count * renamedPrefix.count)
        var copied = 0
        for start in starts {
            output.append(contentsOf: message[copied..<start])
            output.append(contentsOf: renamedPrefix)
            copied = start
        }
        output.append(contentsOf: message[copied...])
        return (output, starts.count)
    }

    /// Whether the line at `offset` starts with "Authentication-Results:" (any case).
    private static func hasName(_ message: [UInt8], at offset: Int) -> Bool {
        guard message.count > offset + fieldName.count, message[offset + fieldName.count] == UInt8(ascii: ":") else {
            return false
        }
        for (position, byte) in fieldName.enumerated() where message[offset + position] | 0x20 != byte | 0x20 {
            return false
        }
        return true
    }

    /// The first token of the field value at `offset`, lower-cased: folding whitespace and
    /// comments skipped (continuation lines included), ended by whitespace, ";" or "(".
    static func claimedID(_ message: [UInt8], from offset: Int) -> [UInt8]? {
        var index = offset
        var depth = 0
        while index < message.count {
            let byte = message[index]
            if depth > 0 {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "(") { depth += 1 }
                else if byte == UInt8(ascii: ")") { depth -= 1 }
                else if byte == UInt8(ascii: "\n"), !isContinuation(message, index + 1) { return nil }
            } else if byte == UInt8(ascii: "(") {
                depth = 1
            } else if byte == UInt8(ascii: "\n") {
                guard isContinuation(message, index + 1) else { return nil }
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") {
                break
            }
            index += 1
        }
        var token: [UInt8] = []
        while index < message.count {
            let byte = message[index]
            if byte <= 0x20 || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "(") { break }
            token.append(byte | (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? 0x20 : 0))
            index += 1
        }
        // A quoted-string authserv-id ("mx.example.com") is compared without its quotes.
        if token.count >= 2, token.first == UInt8(ascii: "\""), token.last == UInt8(ascii: "\"") {
            token = Array(token.dropFirst().dropLast())
        }
        return token.isEmpty ? nil : token
    }

    private static func isContinuation(_ message: [UInt8], _ index: Int) -> Bool {
        index < message.count && (message[index] == UInt8(ascii: " ") || message[index] == UInt8(ascii: "\t"))
    }
}
