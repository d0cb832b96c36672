import MailMessage

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Evaluates SEARCH keys (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 §3.1.5) for one message.
///
/// Strings match as case-insensitive substrings of the decoded text: header values with RFC 2047
/// encoded words decoded, bodies with their transfer encoding and charset undone (RFC 3501
/// §6.4.4: "In all search keys that use strings, a message matches the key if the string is a
/// substring of the associated text … case-insensitive").
///
/// Three-valued: without the message's content, keys that need it are unknown (nil), so that a
/// search loads only the messages its cheap keys (flags, sizes, dates, numbers) do not decide.
struct IMAPSearchEvaluator {
    /// The message as the selected state knows it, and its sequence number.
    let info: IMAPMessageInfo
    let sequenceNumber: UInt32
    let messageCount: UInt32
    let largestUID: UInt32
    /// The content, when loaded.
    let message: Message?
    /// The message is \Recent in this session (RFC 3501 §2.3.2; always false under IMAP4rev2).
    var recent = false

    func evaluate(_ key: IMAPSearchKey) -> Bool? {
        switch key {
        case .all: return true
        case .answered: return info.flags.contains(.answered)
        case .deleted: return info.flags.contains(.deleted)
        case .draft: return info.flags.contains(.draft)
        case .flagged: return info.flags.contains(.flagged)
        case .seen: return info.flags.contains(.seen)
        case .unanswered: return !info.flags.contains(.answered)
        case .undeleted: return !info.flags.contains(.deleted)
        case .undraft: return !info.flags.contains(.draft)
        case .unflagged: return !info.flags.contains(.flagged)
        case .unseen: return !info.flags.contains(.seen)
        // RFC 3501 §6.4.4: RECENT has \Recent, NEW is "RECENT UNSEEN", OLD lacks \Recent.
        case .recent: return recent
        case .new: return recent && !info.flags.contains(.seen)
        case .old: return !recent
        case .keyword(let word): return hasKeyword(word)
        case .unkeyword(let word): return !hasKeyword(word)
        case .before(let date): return info.internalDate.date < date
        case .on(let date): return info.internalDate.date == date
        case .since(let date): return info.internalDate.date >= date
        case .larger(let size): return info.size > Int(size)
        case .smaller(let size): return info.size < Int(size)
        case .uid(let set): return set.contains(info.uid, largest: largestUID)
        case .sequenceNumbers(let set): return set.contains(sequenceNumber, largest: messageCount)
        case .modSeq(let value): return info.modSeq >= value
        case .not(let inner): return evaluate(inner).map { !$0 }
        case .or(let a, let b):
            let left = evaluate(a)
            if left == true { return true }
            let right = evaluate(b)
            if right == true { return true }
            return left == false && right == false ? false : nil
        case .and(let keys):
            var unknown = false
            for key in keys {
                switch evaluate(key) {
                case false?: return false
                case nil: unknown = true
                case true?: break
                }
            }
            return unknown ? nil : true
        case .sentBefore(let date): return sentDate.map { $0 < date } ?? (message == nil ? nil : false)
        case .sentOn(let date): return sentDate.map { $0 == date } ?? (message == nil ? nil : false)
        case .sentSince(let date): return sentDate.map { $0 >= date } ?? (message == nil ? nil : false)
        case .from(let text): return addressHeaderContains("From", text)
        case .to(let text): return addressHeaderContains("To", text)
        case .cc(let text): return addressHeaderContains("Cc", text)
        case .bcc(let text): return addressHeaderContains("Bcc", text)
        case .subject(let text): return headerContains(["Subject"], text)
        case .header(let name, let text): return headerContains([name], text)
        case .body(let text):
            // The parts' text without any header block, also not a nested message's (Dovecot skips
            // them all); TEXT below reads those too.
            guard let message else { return nil }
            return Self.contains(message.plainText(nestedHeaders: false), text)
        case .text(let text):
            guard let message else { return nil }
            return Self.contains(headerText(message), text) || Self.contains(message.plainText(), text)
        }
    }

    private func hasKeyword(_ word: String) -> Bool {
        let wanted = word.lowercased()
        return info.flags.contains { if case .keyword(let k) = $0 { k.lowercased() == wanted } else { false } }
    }

    /// The Date: field's day (RFC 3501 §6.4.4 SENTBEFORE etc., "disregarding time and timezone":
    /// the day as written, in the field's own zone).
    private var sentDate: IMAPDate? {
        guard let message, let value = message.header.first(named: "Date"), let instant = DateParser.parse(value) else {
            return nil
        }
        return IMAPDate(instant, offsetSeconds: Self.zoneOffset(value))
    }

    /// The "+hhmm"/"-hhmm" zone at the end of a Date value, in seconds; 0 when absent.
    static func zoneOffset(_ value: [UInt8]) -> Int {
        let text = String(decoding: value, as: UTF8.self).split(separator: " ").reversed()
        for token in text {
            let chars = Array(token.utf8)
            guard chars.count == 5, chars[0] == UInt8(ascii: "+") || chars[0] == UInt8(ascii: "-"),
                let number = Int(String(decoding: chars[1...], as: UTF8.self))
            else { continue }
            let seconds = (number / 100) * 3600 + (number % 100) * 60
            return chars[0] == UInt8(ascii: "-") ? -seconds : seconds
        }
        return 0
    }

    /// Whether a field named `names` (any, case-insensitively) contains the text; HEADER with an
    /// empty string matches any message that has the field (RFC 3501 §6.4.4).
    /// FROM, TO, CC, BCC: the field's text as for HEADER, or else one of its addresses written
    /// as local-part@domain. RFC 5322 §3.4.1 lets comments and folding white space sit inside an
    /// address ("<user (comment)@ (comment) domain.org>"); they are not part of it, so the address
    /// "user@domain.org" is in that field although the text is not (Dovecot matches it too).
    private func addressHeaderContains(_ name: String, _ text: [UInt8]) -> Bool? {
        guard let found = headerContains([name], text), let message else { return nil }
        if found { return true }
        for field in message.header.fields(named: name) {
            for address in EnvelopeAddress.parseList(field.unfoldedValue(in: message.raw)) ?? [] {
                guard let mailbox = address.mailbox, let host = address.host else { continue }
                let written = String(decoding: mailbox + [UInt8(ascii: "@")] + host, as: UTF8.self)
                if Self.contains(written, text) { return true }
            }
        }
        return false
    }

    private func headerContains(_ names: [String], _ text: [UInt8]) -> Bool? {
        guard let message else { return nil }
        let needle = String(decoding: text, as: UTF8.self)
        for name in names {
            for field in message.header.fields(named: name) {
                if needle.isEmpty { return true }
                let value = EncodedWords.decode(field.unfoldedValue(in: message.raw))
                if Self.contains(value, text) { return true }
            }
        }
        return false
    }

    /// Every field as "Name: decoded value" lines.
    private func headerText(_ message: Message) -> String {
        message.header.fields.map { field in
            field.name + ": " + EncodedWords.decode(field.unfoldedValue(in: message.raw))
        }.joined(separator: "\n")
    }

    /// Case-insensitive substring test (RFC 3501 §6.4.4, RFC 9051 §6.4.4): both sides lower-cased
    /// and folded by `SearchFolding` (`ß` and `ẞ` as "ss", as full Unicode case folding has it and
    /// the index folds them), then compared as UTF-8 bytes — UTF-8 is self-synchronising, so a
    /// byte match is a match of whole characters, and it is many times faster than comparing
    /// grapheme clusters over a whole message. Diacritics are not removed here ("cafe" does not
    /// find "café"), as Dovecot's i;unicode-casemap (RFC 5051) does not remove them either; only
    /// the index's narrowing, which must return a superset, ignores them.
    static func contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
        var wanted = SearchFolding.fold(String(decoding: needle, as: UTF8.self).lowercased())
        if wanted.isEmpty { return true }
        var text = SearchFolding.fold(haystack.lowercased())
        return text.withUTF8 { text in wanted.withUTF8 { wanted in Self.bytes(text, contain: wanted) } }
    }

    /// Whether `needle` (not empty) occurs in `haystack`: scan for its first byte, then compare.
    static func bytes(_ haystack: UnsafeBufferPointer<UInt8>, contain needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        let last = haystack.count - needle.count
        var i = 0
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether evaluating `key` may need the message's content.
    static func needsContent(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .from, .to, .cc, .bcc, .subject, .header, .body, .text, .sentBefore, .sentOn, .sentSince: true
        case .not(let inner): needsContent(inner)
        case .or(let a, let b): needsContent(a) || needsContent(b)
        case .and(let keys): keys.contains(where: needsContent)
        default: false
        }
    }

    /// Strings every match must contain (BODY and TEXT keys ANDed at the top), for the backend's
    /// narrowing; keys under NOT or OR are left out.
    static func requiredTerms(_ key: IMAPSearchKey) -> [String] {
        switch key {
        case .body(let text), .text(let text):
            let term = String(decoding: text, as: UTF8.self)
            return term.isEmpty ? [] : [term]
        case .and(let keys): return keys.flatMap(requiredTerms)
        default: return []
        }
    }

    /// Whether the key uses MODSEQ (the response then reports the highest mod-sequence).
    static func usesModSeq(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .modSeq: true
        case .not(let inner): usesModSeq(inner)
        case .or(let a, let b): usesModSeq(a) || usesModSeq(b)
        case .and(let keys): keys.contains(where: usesModSeq)
        default: false
        }
    }

    /// The key with every "$" (RFC 5182 §2.1) replaced by the saved UIDs — as a UID set, since
    /// "$" names the same messages in SEARCH and UID SEARCH alike.
    static func replacingSavedResult(_ key: IMAPSearchKey, with uids: [UInt32]) -> IMAPSearchKey {
        switch key {
        case .uid(.savedResult), .sequenceNumbers(.savedResult): .uid(SequenceSet(uids))
        case .not(let inner): .not(replacingSavedResult(inner, with: uids))
        case .or(let a, let b): .or(replacingSavedResult(a, with: uids), replacingSavedResult(b, with: uids))
        case .and(let keys): .and(keys.map { replacingSavedResult($0, with: uids) })
        default: key
        }
    }

    /// Whether the key refers to "$" (RFC 5182 SEARCHRES).
    static func usesSavedResult(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .uid(let set), .sequenceNumbers(let set): set == .savedResult
        case .not(let inner): usesSavedResult(inner)
        case .or(let a, let b): usesSavedResult(a) || usesSavedResult(b)
        case .and(let keys): keys.contains(where: usesSavedResult)
        default: false
        }
    }

    /// Whether every string in the key is valid UTF-8 (the charsets accepted are UTF-8 and its
    /// subset US-ASCII).
    static func stringsAreUTF8(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .from(let t), .to(let t), .cc(let t), .bcc(let t), .subject(let t), .body(let t), .text(let t),
            .header(_, let t):
            String(validating: t, as: UTF8.self) != nil
        case .not(let inner): stringsAreUTF8(inner)
        case .or(let a, let b): stringsAreUTF8(a) && stringsAreUTF8(b)
        case .and(let keys): keys.allSatisfy(stringsAreUTF8)
        default: true
        }
    }
}
