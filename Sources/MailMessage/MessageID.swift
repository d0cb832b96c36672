/// Message identifiers (RFC 5322 §3.6.4) in Message-ID, Content-ID, In-Reply-To and References.
///
/// Invariants: results never contain the angle brackets or comments, nor white space outside a
/// quoted id-left; never traps.
public enum MessageID {
    // msg-id   = [CFWS] "<" id-left "@" id-right ">" [CFWS]      ; RFC 5322 §3.6.4
    // obs-id-left / obs-id-right allow local-part and domain with CFWS (§4.5.4)
    /// The first msg-id of a Message-ID or Content-ID value, without its angle brackets. Tolerates
    /// missing brackets (then the first word is taken), white space and comments; nil if empty.
    public static func parse(_ value: some Collection<UInt8>) -> String? {
        scan(value, stopAfterFirst: true).first
    }

    // references  = "References:" 1*msg-id CRLF                  ; RFC 5322 §3.6.4
    // in-reply-to = "In-Reply-To:" 1*msg-id CRLF
    /// Every msg-id of an In-Reply-To or References value, in order. Bracketed ids are taken; if
    /// there is none, the bare words that contain "@" are (obs-in-reply-to also allows phrases,
    /// which are skipped).
    public static func parseList(_ value: some Collection<UInt8>) -> [String] {
        scan(value, stopAfterFirst: false)
    }

    private static func scan(_ value: some Collection<UInt8>, stopAfterFirst: Bool) -> [String] {
        var scanner = HeaderScanner(value)
        var bracketed: [String] = []
        var bare: [String] = []
        while true {
            scanner.skipCFWS()
            guard let byte = scanner.current else { break }
            if byte == UInt8(ascii: "<") {
                scanner.position += 1
                var id: [UInt8] = []
                while let next = scanner.current, next != UInt8(ascii: ">"), next != UInt8(ascii: "<") {
                    if next == UInt8(ascii: "(") {
                        _ = scanner.readComment()
                        continue
                    }
                    if next == UInt8(ascii: "\""), let close = closingQuote(scanner.bytes, from: scanner.position) {
                        // A quoted id-left keeps its white space (obs-id-left = local-part, §4.5.4).
                        id += scanner.bytes[scanner.position...close].filter { $0 != 0x0D && $0 != 0x0A }
                        scanner.position = close + 1
                        continue
                    }
                    if !HeaderScanner.isWhitespace(next) { id.append(next) }
                    scanner.position += 1
                }
                if scanner.current == UInt8(ascii: ">") { scanner.position += 1 }
                if !id.isEmpty {
                    bracketed.append(EncodedWords.decodeRaw(id[...]))
                    if stopAfterFirst { break }
                }
            } else if byte == UInt8(ascii: "\"") {
                _ = scanner.readQuotedString()
            } else {
                let word = scanner.readRun {
                    $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: ",")
                }
                if word.isEmpty {
                    scanner.position += 1
                    continue
                }
                if stopAfterFirst || word.contains(UInt8(ascii: "@")) {
                    bare.append(EncodedWords.decodeRaw(word[...]))
                }
            }
        }
        if stopAfterFirst {
            // A Message-ID is one id: a bracketed one wins over any bare word before it.
            return bracketed.first.map { [$0] } ?? Array(bare.prefix(1))
        }
        return bracketed.isEmpty ? bare : bracketed
    }

    /// The index of the quote that closes the one at `start`, if it closes before any angle bracket.
    private static func closingQuote(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "<") || bytes[index + 1] == UInt8(ascii: ">") {
                    return nil
                }
                index += 2
            case UInt8(ascii: "\""): return index
            case UInt8(ascii: "<"), UInt8(ascii: ">"): return nil
            default: index += 1
            }
        }
        return nil
    }
}
