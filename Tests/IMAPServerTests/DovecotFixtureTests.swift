import Crypto  // through ServerKit's swift-crypto: SHA-256 of the corpus messages
import Foundation  // JSONSerialization is not in FoundationEssentials
import MailMessage
import Testing
import TestSupport
@testable import IMAPServer

/// ENVELOPE and BODYSTRUCTURE of every corpus message, compared byte for byte with Dovecot
/// 2.3.19's answers (`Fixtures/dovecot-envelope-bodystructure.jsonl`, recorded by
/// `Fixtures/record-dovecot.py`; its README gives the procedure).
///
/// Where Dovecot's answer is wrong by RFC 3501 / RFC 9051, or follows a quirk of its own
/// parser that no client relies on, Tresor keeps the RFC behaviour and the message is listed
/// in `acceptedDifferences` with the reason. An accepted entry that no longer differs fails
/// the test, so the list never outlives its cause. Mismatches are written, grouped by where
/// in the value they first differ, to `Fixtures/dovecot-envelope-bodystructure.actual`.
@Suite struct DovecotFixtureTests {
    /// Why Dovecot's answer and Tresor's differ, by cause. Every entry is a message whose MIME
    /// or header syntax is broken or ambiguous; each server recovers in its own way and neither
    /// way is required by RFC 2046 or RFC 5322, so Tresor keeps MailMessage's reading of the
    /// structure (which MailMessageTests compares with Python's email package on the corpus).
    enum Reason {
        static let strayClose =
            "close delimiters of boundaries that are not open or not innermost (\"--=_aaaaaaaaaa4--\"): Dovecot and Tresor end the parts at different lines"
        static let nestedClose =
            "an inner close delimiter is followed at once by the outer delimiter: Dovecot counts the line end between them in the inner part (2 octets more), Tresor gives it to the outer delimiter (RFC 2046 §5.1.1)"
        static let noHeaderEnd =
            "a message/rfc822 part whose header has no empty line before the part ends (text or base64 instead of a message, or a header cut off by the next delimiter; RFC 2046 §5.2.1): Dovecot reads it all as header, Tresor as body"
        static let headerNoColon =
            "a header line that is neither a field nor folded (RFC 5322 §2.2): Dovecot keeps reading the header past it, Tresor ends the header there"
        static let trailingText =
            "a delimiter line with more text after the boundary (RFC 2046 §5.1.1 allows only white space): Dovecot and Tresor split the parts differently"
        static let longBoundary =
            "a boundary longer than the 70 characters RFC 2046 §5.1.1 allows, with lines that extend it: Dovecot matches only a prefix of it and splits the parts differently"
        static let dashPrefix =
            "the inner boundary \"----\" is a prefix of the outer one: Dovecot takes the outer delimiter lines for the inner boundary and ends the inner multipart early"
        static let sameBoundary =
            "a nested multipart reuses its parent's boundary (RFC 2046 §5.1.2 forbids it): the delimiter lines are assigned to different levels"
        static let prefixBoundary =
            "one boundary is a prefix of another (RFC 2046 §5.1.2 forbids it): Dovecot and Tresor assign the delimiter lines to different levels"
        static let doubleDelimiter =
            "two delimiter lines in a row (an empty part without a header): Dovecot and Tresor count and fill the parts differently"
        static let doubleSemicolon =
            "Content-Type has an empty parameter (\";;\") before the boundary: Dovecot drops all parameters and shows an empty multipart, Tresor reads the boundary and the parts"
        static let rfc2231Boundary =
            "the boundary is given only in RFC 2231 form (boundary*=): Dovecot finds no boundary and shows an empty multipart, Tresor decodes it (RFC 2231 §4)"
        static let missingSemicolon =
            "Content-Type lacks the \";\" before boundary=: Dovecot discards the whole Content-Type (\"\" \"\"), Tresor reads the multipart"
    }

    /// "KEY FIELD" → why Tresor's answer differs from Dovecot's and is kept.
    static let acceptedDifferences: [String: String] = [
        "rfc822/cpython-msg_38.eml bodystructure": Reason.strayClose,
        "rfc822/finnie-mime-torture-v1.0.eml bodystructure": Reason.nestedClose,
        "rfc822/flanker-mime-torture-part.eml bodystructure": Reason.nestedClose,
        "rfc822/flanker-mime-torture.eml bodystructure": Reason.nestedClose,
        "rfc822/mimekit-rfc2060.eml bodystructure": Reason.nestedClose,
        "rfc822/sa-tdata-nice-mime8.eml bodystructure": Reason.nestedClose,
        "rfc822/stalwart-thirdparty-007.eml bodystructure": Reason.nestedClose,
        "rfc822/mime4j-mimetools-testmsgs-multi-2gifs-base64.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/mime4j-testmsgs-bad-newlines-multiple-parts-base64.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/mime4j-testmsgs-base64encoded-rfc822message-nested.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/mime4j-testmsgs-base64encoded-rfc822message.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/phpmmp-issue274.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/stalwart-malformed-022.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/stalwart-rfc-008.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/stalwart-thirdparty-015.eml bodystructure": Reason.noHeaderEnd,
        "rfc822/cpython-msg_35.eml bodystructure": Reason.headerNoColon,
        "rfc822/enmime-mail-qp-utf8-header-no-break.eml bodystructure": Reason.headerNoColon,
        "rfc822/mime4j-mimetools-testmsgs-hdr-fakeout.eml bodystructure": Reason.headerNoColon,
        "rfc822/mime4j-testmsgs-basic-plain-with-bad-header-separator.eml bodystructure": Reason.headerNoColon,
        "rfc822/phpmmp-issue84.eml bodystructure": Reason.headerNoColon,
        "rfc822/phpmmp-issue84.eml envelope": Reason.headerNoColon,
        "rfc822/enmime-mail-epilogue-sample.eml bodystructure": Reason.trailingText,
        "rfc822/mime4j-testmsgs-ending-boundaries.eml bodystructure": Reason.trailingText,
        "rfc822/rubymail-mime_emails_raw_email4.eml bodystructure": Reason.trailingText,
        "rfc822/mime4j-testmsgs-very-long-boundary.eml bodystructure": Reason.longBoundary,
        "rfc822/mime4j-testmsgs-very-very-long-boundary.eml bodystructure": Reason.longBoundary,
        "rfc822/stalwart-malformed-016.eml bodystructure": Reason.longBoundary,
        "rfc822/rubymail-mime_emails_raw_email_with_binary_encoded.eml bodystructure": Reason.dashPrefix,
        "rfc822/rubymail-mime_emails_raw_email_with_illegal_boundary.eml bodystructure": Reason.dashPrefix,
        "rfc822/rubymail-plain_emails_raw_email_bad_time.eml bodystructure": Reason.dashPrefix,
        "rfc822/sa-tdata-spam-utf16.eml.eml bodystructure": Reason.dashPrefix,
        "rfc822/cpython-msg_15.eml bodystructure": Reason.sameBoundary,
        "rfc822/cpython-msg_39.eml bodystructure": Reason.sameBoundary,
        "rfc822/spamscope-mail_malformed_1.eml bodystructure": Reason.sameBoundary,
        "rfc822/stalwart-malformed-003.eml bodystructure": Reason.sameBoundary,
        "rfc822/stalwart-malformed-013.eml bodystructure": Reason.sameBoundary,
        "rfc822/mimekit-mbox-simple-001.eml bodystructure": Reason.prefixBoundary,
        "rfc822/stalwart-malformed-004.eml bodystructure": Reason.prefixBoundary,
        "rfc822/stalwart-malformed-007.eml bodystructure": Reason.prefixBoundary,
        "rfc822/cpython-msg_37.eml bodystructure": Reason.doubleDelimiter,
        "rfc822/mime4j-mimetools-testmsgs-2002_06_12_doublebound.eml bodystructure": Reason.doubleDelimiter,
        "rfc822/mime4j-mimetools-testmsgs-double-bound.eml bodystructure": Reason.doubleDelimiter,
        "rfc822/stalwart-malformed-000.eml bodystructure": Reason.doubleDelimiter,
        "rfc822/mime4j-mimetools-testmsgs-double-semicolon.eml bodystructure": Reason.doubleSemicolon,
        "rfc822/mimekit-mbox-content-length-001.eml bodystructure": Reason.doubleSemicolon,
        "rfc822/cpython-msg_33.eml bodystructure": Reason.rfc2231Boundary,
        "rfc822/stalwart-malformed-017.eml bodystructure": Reason.missingSemicolon,
    ]

    static let fixtureName = "dovecot-envelope-bodystructure.jsonl"

    struct FixtureEntry {
        var key: String
        var sha256: String
        var skip: String?
        var envelope: [UInt8]?
        var bodyStructure: [UInt8]?
    }

    static func loadFixture() throws -> [FixtureEntry] {
        let url = Corpus.fixtures("IMAPServerTests").appendingPathComponent(fixtureName)
        let text = try String(contentsOf: url, encoding: .utf8)
        var entries: [FixtureEntry] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let key = object["key"] as? String, let sha256 = object["sha256_original"] as? String
            else { throw FixtureError.malformed(String(line.prefix(120))) }
            func value(_ name: String) throws -> [UInt8]? {
                if let text = object[name] as? String { return Array(text.utf8) }
                if let encoded = object[name + "_base64"] as? String {
                    guard let data = Data(base64Encoded: encoded) else { throw FixtureError.malformed(key + " " + name) }
                    return Array(data)
                }
                return nil
            }
            let skip = (object["skip"] as? String) ?? (object["append_refused"] as? String).map { "refused: " + $0 }
            entries.append(FixtureEntry(
                key: key, sha256: sha256, skip: skip, envelope: try value("envelope"),
                bodyStructure: try value("bodystructure")))
        }
        return entries
    }

    enum FixtureError: Error { case malformed(String) }

    /// The corpus messages under the fixture's keys: `.eml` files whole, mbox members as
    /// MboxReader yields them with mboxrd unescaping (the recorder's enumeration).
    static func corpusMessages(_ corpus: URL) throws -> [String: [UInt8]] {
        var messages: [String: [UInt8]] = [:]
        for url in try Corpus.emlFiles(in: corpus) {
            messages["rfc822/" + url.lastPathComponent] = try Corpus.bytes(of: url)
        }
        for url in try Corpus.mboxFiles(in: corpus) {
            for (index, entry) in MboxReader(data: try Corpus.bytes(of: url)).enumerated() {
                messages["mbox/\(url.lastPathComponent)#\(index)"] = entry.message
            }
        }
        return messages
    }

    /// What the recorder sent in APPEND: every LF not preceded by CR becomes CRLF (RFC 3501 §2.2).
    static func appendedBytes(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + raw.count / 32)
        var previous: UInt8 = 0
        for byte in raw {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    @Test func lineEndsAreNormalisedLikeTheRecorder() {
        #expect(Self.appendedBytes(Array("a\nb\r\nc\n\n".utf8)) == Array("a\r\nb\r\nc\r\n\r\n".utf8))
        #expect(Self.appendedBytes(Array("\n".utf8)) == Array("\r\n".utf8))
    }

    @Test func differencesAreLocatedInTheValue() {
        let dovecot = Array("(NIL \"a\" ((\"x\" NIL \"m\" \"h\")) NIL)".utf8)
        let ours = Array("(NIL \"a\" ((NIL NIL \"m\" \"h\")) NIL)".utf8)
        let difference = FixtureDifference(field: "envelope", expected: dovecot, actual: ours)
        #expect(difference?.offset == 11)
        #expect(difference?.path == [2, 0, 0])
        #expect(FixtureDifference(field: "envelope", expected: dovecot, actual: dovecot) == nil)
    }

    @Test func tresorAnswersLikeDovecot() throws {
        guard let corpus = try Corpus.locate() else { return }
        let entries = try Self.loadFixture()
        let messages = try Self.corpusMessages(corpus)
        #expect(entries.count == messages.count, "fixture lines vs. corpus messages")
        var differences: [FixtureDifference] = []
        var problems: [String] = []
        var used: Set<String> = []
        var compared = 0
        for entry in entries {
            guard let raw = messages[entry.key] else {
                problems.append("\(entry.key): not in the corpus")
                continue
            }
            guard Self.hex(SHA256.hash(data: raw)) == entry.sha256 else {
                problems.append("\(entry.key): sha256_original differs from the corpus message")
                continue
            }
            if let skip = entry.skip {
                print("skipped \(entry.key): \(skip)")
                continue
            }
            guard let envelope = entry.envelope, let bodyStructure = entry.bodyStructure else {
                problems.append("\(entry.key): no answers and no reason")
                continue
            }
            compared += 1
            let message = Message(parsing: Self.appendedBytes(raw))
            let answers = [
                ("envelope", envelope, IMAPEnvelope.encode(message)),
                ("bodystructure", bodyStructure, IMAPBodyStructure.encode(message, extensible: true)),
            ]
            for (field, expected, actual) in answers {
                let name = entry.key + " " + field
                let difference = FixtureDifference(field: field, expected: expected, actual: actual)
                if Self.acceptedDifferences[name] != nil {
                    used.insert(name)
                    if difference == nil { problems.append("\(name): accepted difference is gone, drop the entry") }
                } else if var difference {
                    difference.key = entry.key
                    differences.append(difference)
                }
            }
        }
        for stale in Set(Self.acceptedDifferences.keys).subtracting(used).sorted() {
            problems.append("\(stale): accepted difference names no compared answer")
        }
        let report = Corpus.fixtures("IMAPServerTests").appendingPathComponent("dovecot-envelope-bodystructure.actual")
        if differences.isEmpty, problems.isEmpty {
            try? FileManager.default.removeItem(at: report)
        } else {
            try FixtureDifference.report(differences, problems: problems).write(to: report, atomically: true, encoding: .utf8)
        }
        print("compared \(compared) messages with Dovecot: \(differences.count) differ, \(used.count) accepted")
        #expect(compared > 4700, "messages compared")
        #expect(Self.acceptedDifferences.count * 50 < compared, "accepted differences stay under 2%")
        let problemCount = problems.count
        let firstProblem = problems.first ?? ""
        #expect(problemCount == 0, "problems, see \(report.path); first: \(firstProblem)")
        let differenceCount = differences.count
        let firstDifference = differences.first.map { $0.summary } ?? ""
        #expect(differenceCount == 0, "answers differ from Dovecot's, see \(report.path); first: \(firstDifference)")
    }
}

/// Where Tresor's answer first departs from Dovecot's: the byte offset and the position in the
/// nested lists there (element indices from the outermost list inwards), which names the field
/// (e.g. [2, 0, 0] is the first From address's name in an ENVELOPE).
struct FixtureDifference: Equatable {
    var key = ""
    var field: String
    var offset: Int
    var path: [Int]
    var expected: [UInt8]
    var actual: [UInt8]

    init?(field: String, expected: [UInt8], actual: [UInt8]) {
        guard expected != actual else { return nil }
        var offset = 0
        while offset < expected.count, offset < actual.count, expected[offset] == actual[offset] { offset += 1 }
        self.field = field
        self.offset = offset
        self.path = Self.path(in: expected, at: offset)
        self.expected = expected
        self.actual = actual
    }

    /// Element indices of the lists that enclose `offset` (quoted strings and literals skipped).
    static func path(in value: [UInt8], at offset: Int) -> [Int] {
        var stack: [Int] = []
        var atElementStart = false
        var i = 0
        while i < min(offset, value.count) {
            let byte = value[i]
            switch byte {
            case UInt8(ascii: "("):
                if atElementStart, !stack.isEmpty { stack[stack.count - 1] += 1 }
                stack.append(-1)
                atElementStart = true
                i += 1
                continue
            case UInt8(ascii: ")"):
                stack.removeLast()
            case UInt8(ascii: " "):
                atElementStart = true
                i += 1
                continue
            case UInt8(ascii: "\""):
                i += 1
                while i < value.count, value[i] != UInt8(ascii: "\"") { i += value[i] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "{"):
                var j = i + 1
                var length = 0
                while j < value.count, value[j] >= UInt8(ascii: "0"), value[j] <= UInt8(ascii: "9") {
                    length = length * 10 + Int(value[j] - UInt8(ascii: "0"))
                    j += 1
                }
                i = j + 3 + length - 1  // "}" CRLF and the literal
            default:
                break
            }
            if atElementStart, !stack.isEmpty { stack[stack.count - 1] += 1 }
            atElementStart = false
            i += 1
        }
        if atElementStart, !stack.isEmpty, offset < value.count, value[offset] != UInt8(ascii: "(") {
            stack[stack.count - 1] += 1
        }
        return stack.map { max($0, 0) }
    }

    var groupName: String { field + " at " + path.map(String.init).joined(separator: ".") }

    private static func excerpt(_ bytes: [UInt8], around offset: Int) -> String {
        let start = max(0, offset - 40)
        let end = min(bytes.count, offset + 40)
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    var summary: String {
        "\(key) \(field) byte \(offset) [\(path.map(String.init).joined(separator: "."))]\n"
            + "  dovecot: …\(Self.excerpt(expected, around: offset))…\n"
            + "  tresor:  …\(Self.excerpt(actual, around: offset))…"
    }

    static func report(_ differences: [FixtureDifference], problems: [String]) -> String {
        var lines = problems
        let groups = Dictionary(grouping: differences, by: \.groupName)
        for (name, members) in groups.sorted(by: { $0.value.count > $1.value.count }) {
            lines.append("== \(name): \(members.count)")
            lines += members.map(\.summary)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
