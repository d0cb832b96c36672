#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailMessage

/// The rules and byte work of `addheader` and `deleteheader` (RFC 5293), on whole messages:
/// each edit gives a new message whose header is the old one with a field added or removed and
/// whose body is the same bytes. Pure.
///
/// The rebuilt message keeps every remaining field byte for byte, and everything from the end of
/// the last original field on (the empty line and the body). Lines in the header that are not
/// fields are dropped when they stand before the last field (MailMessage does not list them).
enum SieveHeaderEditor {
    /// RFC 5322 §3.6.8: `field-name = 1*ftext`, `ftext = %d33-57 / %d59-126`.
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (33...126).contains($0) && $0 != UInt8(ascii: ":") }
    }

    /// Fields no script may add. RFC 5293 §6 lets the site restrict which fields are added; the
    /// trace fields (RFC 5321 §4.4: Received, Return-Path) are written only by the servers the
    /// message passed, so that the path recorded in the archive's copies stays theirs.
    static let protectedFromAdding: Set<String> = ["received", "return-path"]

    /// Fields no script may delete: Received (RFC 5293 §6 forbids deleting it), the other trace
    /// field, Return-Path, and Auto-Submitted, whose removal could make automatic replies loop
    /// (RFC 3834 §2). Pigeonhole refuses Received and Auto-Submitted whatever it is configured with.
    static let protectedFromDeleting: Set<String> = ["received", "return-path", "auto-submitted"]

    static func mayAdd(_ name: String) -> Bool { !protectedFromAdding.contains(name.lowercased()) }
    static func mayDelete(_ name: String) -> Bool { !protectedFromDeleting.contains(name.lowercased()) }

    /// The message with `name: value` added first in the header, or last with `last`
    /// (RFC 5293 §4). The value is encoded as RFC 5293 §4 asks (`encodedValue`); line breaks
    /// follow the message's own (CRLF or LF).
    static func adding(_ name: String, value: String, last: Bool, to message: Message) -> Message {
        var fields = fieldChunks(of: message)
        let lineBreak = lineBreak(of: message)
        let field = Array("\(name): \(encodedValue(value, lineBreak: lineBreak))".utf8) + lineBreak
        if last { fields.append(field) } else { fields.insert(field, at: 0) }
        return rebuilt(message, fields: fields)
    }

    /// The message without the fields at `indexes` (positions in `message.header.fields`).
    static func deleting(_ indexes: Set<Int>, from message: Message) -> Message {
        guard !indexes.isEmpty else { return message }
        let fields = fieldChunks(of: message).enumerated().filter { !indexes.contains($0.offset) }.map(\.element)
        return rebuilt(message, fields: fields)
    }

    /// RFC 5293 §4: a value with characters outside US-ASCII is RFC 2047-encoded (B words of
    /// UTF-8, at most 75 characters each, never splitting a character); white space and line
    /// breaks that fold the value stay folding white space, written with the message's breaks.
    static func encodedValue(_ value: String, lineBreak: [UInt8]) -> String {
        let breakText = String(decoding: lineBreak, as: UTF8.self)
        let lines = value.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        var folded: [String] = []
        for (offset, line) in lines.enumerated() {
            // An empty line would end the header: dropped, as are lines of white space only.
            if offset > 0, line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            var text = String(line)
            if offset > 0, let first = text.first, first != " ", first != "\t" { text = " " + text }
            folded.append(encodedWords(text, fold: breakText + " "))
        }
        return folded.joined(separator: breakText)
    }

    /// Text with non-ASCII characters as RFC 2047 §4.1 B-encoded words of UTF-8, one per line
    /// (joined by `fold`, so that the lines stay within RFC 5322 §2.1.1's 78 characters after a
    /// short field name); ASCII text as it is.
    private static func encodedWords(_ text: String, fold: String) -> String {
        guard !text.unicodeScalars.allSatisfy({ $0.value < 0x80 }) else { return text }
        let leading = text.prefix { $0 == " " || $0 == "\t" }
        var words: [String] = [], chunk: [UInt8] = []
        for character in text.dropFirst(leading.count) {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 42 {  // 42 octets: 56 base64 characters + 12 of "=?UTF-8?B??="
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return leading + words.joined(separator: fold)
    }

    // MARK: - Bytes

    /// Each field's bytes, ending in a line break (one is added to a field that ends the message).
    private static func fieldChunks(of message: Message) -> [[UInt8]] {
        let lineBreak = lineBreak(of: message)
        return message.header.fields.map { field in
            var bytes = Array(message.raw[field.range])
            if bytes.last != UInt8(ascii: "\n") { bytes += lineBreak }
            return bytes
        }
    }

    /// CRLF when the message's first field ends in one, else LF.
    private static func lineBreak(of message: Message) -> [UInt8] {
        guard let first = message.header.fields.first, first.range.upperBound >= 2,
              message.raw[first.range.upperBound - 1] == UInt8(ascii: "\n")
        else { return [13, 10] }
        return message.raw[first.range.upperBound - 2] == 13 ? [13, 10] : [10]
    }

    /// Whatever stood before the header (an mbox "From " line), the fields, then the rest of the
    /// original from the end of its last field (or from the header's start when it had none).
    private static func rebuilt(_ message: Message, fields: [[UInt8]]) -> Message {
        let start = message.header.fields.first?.range.lowerBound ?? message.header.range.lowerBound
        let end = message.header.fields.last?.range.upperBound ?? message.header.range.lowerBound
        var raw = Array(message.raw[..<start])
        raw.reserveCapacity(message.raw.count + 256)
        for field in fields { raw += field }
        if message.header.fields.isEmpty, message.header.range.isEmpty, !message.raw.isEmpty {
            // No header at all: the fields need the empty line that ends a header.
            raw += lineBreak(of: message)
        }
        raw += message.raw[end...]
        return Message(parsing: raw)
    }
}
