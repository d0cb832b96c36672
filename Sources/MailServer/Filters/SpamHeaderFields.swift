/// The header fields that mark a message rspamd called spam but did not refuse, in the form
/// SpamAssassin made common (so clients' and Sieve scripts' existing rules find them):
///
///     X-Spam-Status: Yes, score=7.00 required=15.00 action="add header"
///      symbols=RULE_A,RULE_B
///     X-Spam-Score: 7.00
///
/// RFC 5322 §2.2.3: lines are folded before 78 characters, at a space; CRLF line ends.
/// `X-Spam-Score` carries the number alone, for `[sieve] spam_score_header` (RFC 5235 spamtest).
enum SpamHeaderFields {
    static func make(_ result: RspamdResult, actionText: String) -> [UInt8] {
        var status = "X-Spam-Status: Yes, score=\(decimal(result.score))"
        if let required = result.requiredScore { status += " required=\(decimal(required))" }
        status += " action=\"\(actionText)\""
        var lines = [status]
        if !result.symbols.isEmpty {
            // Folded after a comma: unfolding adds one space between two names.
            var line = " symbols="
            for (index, symbol) in result.symbols.enumerated() {
                let piece = symbol + (index < result.symbols.count - 1 ? "," : "")
                if line.utf8.count + piece.utf8.count > 78 && line != " symbols=" && line != " " {
                    lines.append(line)
                    line = " "
                }
                line += piece
            }
            lines.append(line)
        }
        lines.append("X-Spam-Score: \(decimal(result.score))")
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// Two decimals, no locale: "7.00", "-0.50".
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "0.00" }
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// Where fields go that are "prepended with the trace fields": after this server's own
    /// `Return-Path:` and its `Received:` (with their continuation lines), before everything the
    /// client sent — so the archive and the mailbox hold the same bytes, and the sender's own
    /// fields stay below ours.
    static func insertionOffset(in message: [UInt8]) -> Int {
        var offset = 0
        for name in ["return-path:", "received:"] {
            guard startsWith(name, in: message, at: offset) else { continue }
            offset = endOfField(in: message, from: offset)
        }
        return offset
    }

    private static func startsWith(_ name: String, in message: [UInt8], at offset: Int) -> Bool {
        let bytes = Array(name.utf8)
        guard message.count >= offset + bytes.count else { return false }
        for (index, byte) in bytes.enumerated() where message[offset + index] | 0x20 != byte | 0x20 { return false }
        return true
    }

    /// The offset after the field starting at `offset`: its line and every continuation line
    /// (one starting with space or tab, RFC 5322 §2.2.3).
    private static func endOfField(in message: [UInt8], from offset: Int) -> Int {
        var index = offset
        while index < message.count {
            guard let lf = message[index...].firstIndex(of: UInt8(ascii: "\n")) else { return message.count }
            index = lf + 1
            guard index < message.count, message[index] == UInt8(ascii: " ") || message[index] == UInt8(ascii: "\t")
            else { return index }
        }
        return index
    }
}
