import Foundation  // JSONSerialization is not in FoundationEssentials
import MailMessage
import Testing
import TestSupport
@testable import IMAPServer

/// SEARCH BODY and SEARCH TEXT (RFC 3501 §6.4.4) on every corpus message, compared with Dovecot
/// 2.3.19's answers (`Fixtures/dovecot-search-body-text.json`, recorded by
/// `Fixtures/record-dovecot-search.py` from the peer Dovecot without a full-text plugin, so it
/// reads MIME text itself). The words stand in every kind of MIME text: delivery-status and
/// feedback reports, forwarded messages, text/* subtypes, encoded parts, header fields.
///
/// Tresor's answer for a message is what `IMAPSearchEvaluator` decides on its content — the index
/// only narrows the candidates a session loads, and never removes a match. Where Dovecot's answer
/// differs and Tresor keeps its own, the difference is listed in `acceptedDifferences` with the
/// reason; an accepted entry that no longer differs fails the test.
@Suite struct DovecotSearchFixtureTests {
    static let fixtureName = "dovecot-search-body-text.json"

    /// Why an answer differs from Dovecot's and Tresor keeps its own, by cause; each cause is
    /// checked on the message itself (`cause(of:…)`), so an unexplained difference still fails.
    enum Cause: String, CaseIterable {
        /// Dovecot's BODY and TEXT read a multipart message's body as it stands, the header blocks of
        /// its parts included ("Content-Transfer-Encoding" holds "ransf"; "charset", "content-type",
        /// "boundary"); RFC 3501 §6.4.4 leaves open whether part headers are "body". Tresor searches the
        /// text of the parts, which is also what the full-text index holds, so that the index's
        /// candidates stay a superset of IMAP's matches; adding part headers would put MIME syntax
        /// words into every legal search. Counted, not listed: the word stands in a part's header.
        case partHeader = "the word stands only in a MIME part's header block, which Dovecot searches as body text"
        /// Tresor folds ß and ẞ to "ss" on both sides (README, folding table); Dovecot's
        /// i;unicode-casemap (RFC 5051) keeps ß, so "straße" finds no "Strasse" there.
        case sharpS = "ß is folded to ss by Tresor, not by Dovecot"
        /// The message's MIME structure is broken and the two parsers read it differently
        /// (`DovecotFixtureTests.acceptedDifferences`, compared on BODYSTRUCTURE): the part
        /// boundaries, and with them which bytes are text, differ.
        case brokenStructure = "the MIME structure is broken and read differently (see DovecotFixtureTests)"
        /// A part's Content-Transfer-Encoding is none of RFC 2045's ("7-bit", "plain", junk):
        /// Dovecot treats the part as opaque, as RFC 2045 §6.4 says (like application/octet-stream),
        /// Tresor reads its bytes as text, which for a legal search is the better error (the index and
        /// IMAP share one text, so both find the misspelled mailer's words).
        case unknownEncoding = "a part has an unknown Content-Transfer-Encoding: Dovecot skips it, Tresor reads it as text"
        /// The word stands in a part Tresor's text leaves out or reads differently: the HTML
        /// alternative of a multipart/alternative that has a plain one (Tresor takes the plain one,
        /// as the index does), or HTML markup and link targets (Tresor searches the HTML's text).
        case otherRendering = "the word stands in an HTML alternative or in HTML markup, which Dovecot searches and Tresor's text leaves out"
        /// One of `listedMessages`.
        case listed = "listed message"
    }

    /// Messages whose differences no cause above explains, each with what is known. Listed so that
    /// any further difference fails; an entry whose message no longer differs fails too.
    static let listedMessages: [String: String] = [
        "rfc822/sa-hard_ham-00229.0870e13cd0b783d3d0b32826fa06bef3.eml":
            "8-bit text without a charset parameter: Tresor reads it as UTF-8, else Latin-1; Dovecot as US-ASCII (RFC 2046 §4.1.2), where ü is no letter",
        "rfc822/sa-tdata-spam-badmime2.txt.eml":
            "two Content-Type fields and a boundary line inside the header: Dovecot reads on past it and searches the rest as the preamble of the last (text) type; Tresor ends the header there and finds a multipart without parts",
        "rfc822/sa-tdata-spam-015.eml":
            "the opening boundary stands in the header and two Content-Type fields differ: Dovecot's search takes the last (text/plain) and searches the preamble; Tresor takes the first (multipart) and has no parts",
        "rfc822/sa-tdata-spam-016.eml": "as sa-tdata-spam-015, without even a blank line before the boundary",
        "rfc822/phpmmp-issue126.eml":
            "text/plain then multipart/mixed Content-Type: Dovecot's BODYSTRUCTURE says text/plain but its search takes the last field and skips the body; Tresor searches the text/plain body",
        "rfc822/phpmmp-issue149.eml":
            "an encoded word in iso-8859-8-i (RFC 1556), a charset Dovecot's iconv lacks: it keeps that text unfolded, so case-insensitive matching fails there (RFC 9051 §6.4.4); Tresor maps it to ISO-8859-8",
        "rfc822/phpmmp-issue158b.eml":
            "\"original message\" stands as original</strong> message in HTML: Dovecot searches the markup, Tresor the rendered text",
        "rfc822/cpython-msg_14.eml":
            "Content-Type: text without a subtype: RFC 2045 §5.2 makes an invalid type text/plain, as Tresor does; Dovecot searches no body",
    ]

    struct Search {
        var key: String
        var word: String
        var matches: Set<String>
    }

    static func loadFixture() throws -> (appended: [String], searches: [Search]) {
        let url = Corpus.fixtures("IMAPServerTests").appendingPathComponent(fixtureName)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let appended = object?["appended"] as? [String] ?? []
        let searches = (object?["searches"] as? [[String: Any]] ?? []).compactMap { entry -> Search? in
            guard let key = entry["key"] as? String, let word = entry["word"] as? String else { return nil }
            // The recorder keeps the shorter list: the matches, or all the messages but these.
            if let matches = entry["matches"] as? [String] { return Search(key: key, word: word, matches: Set(matches)) }
            guard let others = entry["all_but"] as? [String] else { return nil }
            return Search(key: key, word: word, matches: Set(appended).subtracting(others))
        }
        return (appended, searches)
    }

    /// Which cause explains that Tresor's answer for `key` differs from Dovecot's, checked on the
    /// message; nil when none does.
    static func cause(key: String, word: String, tresorFinds: Bool, message: Message?) -> Cause? {
        guard let message else { return nil }
        if listedMessages[key] != nil { return .listed }
        if DovecotFixtureTests.acceptedDifferences[key + " bodystructure"] != nil { return .brokenStructure }
        if tresorFinds, word.contains("ß") { return .sharpS }
        if !tresorFinds, partHeaders(message).contains(word.lowercased()) { return .partHeader }
        let known: Set<String> = ["", "7bit", "8bit", "binary", "quoted-printable", "base64"]
        if tresorFinds, message.parts.contains(where: { !known.contains($0.transferEncoding.lowercased()) }) {
            return .unknownEncoding
        }
        if !tresorFinds, message.parts.contains(where: { part in
            part.children.isEmpty && part.contentType.type == "text"
                && String(decoding: part.decodedBody(in: message.raw), as: UTF8.self).lowercased().contains(word.lowercased())
        }) {
            return .otherRendering
        }
        return nil
    }

    /// The header blocks of every part below the root (`parts` lists the root first), as written,
    /// lower-cased.
    static func partHeaders(_ message: Message) -> String {
        message.parts.dropFirst().map {
            String(decoding: message.raw[$0.headerRange], as: UTF8.self).lowercased()
        }.joined(separator: "\n")
    }

    static func evaluator(_ message: Message) -> IMAPSearchEvaluator {
        let info = IMAPMessageInfo(uid: 1, flags: [], modSeq: 1, internalDate: IMAPDateTime(Date(timeIntervalSince1970: 0)),
                                   size: message.raw.count)
        return IMAPSearchEvaluator(info: info, sequenceNumber: 1, messageCount: 1, largestUID: 1, message: message)
    }

    @Test func searchBodyAndTextFindWhatDovecotFinds() throws {
        guard let corpus = try Corpus.locate() else { return }
        let fixture = try Self.loadFixture()
        #expect(fixture.searches.count >= 60, "searches recorded")
        let messages = try DovecotFixtureTests.corpusMessages(corpus)
        // What Dovecot stored: the appended bytes (bare LF as CRLF), parsed once each.
        var parsed: [(key: String, evaluator: IMAPSearchEvaluator)] = []
        var problems: [String] = []
        for key in fixture.appended {
            guard let raw = messages[key] else {
                problems.append("\(key): not in the corpus")
                continue
            }
            parsed.append((key, Self.evaluator(Message(parsing: DovecotFixtureTests.appendedBytes(raw)))))
        }
        #expect(parsed.count > 4700, "messages compared")
        var differences: [String] = []
        var explained: [Cause: Int] = [:]
        var listed: Set<String> = []
        for search in fixture.searches {
            let word = Array(search.word.utf8)
            let searchKey: IMAPSearchKey = search.key == "BODY" ? .body(word) : .text(word)
            for (key, evaluator) in parsed {
                let ours = evaluator.evaluate(searchKey) == true
                guard ours != search.matches.contains(key) else { continue }
                if let cause = Self.cause(key: key, word: search.word, tresorFinds: ours, message: evaluator.message) {
                    explained[cause, default: 0] += 1
                    if cause == .listed { listed.insert(key) }
                } else {
                    differences.append("\(search.key) \(search.word) \(key)"
                        + (ours ? ": Tresor finds it, Dovecot does not" : ": Dovecot finds it, Tresor does not"))
                }
            }
        }
        print("compared \(fixture.searches.count) searches on \(parsed.count) messages with Dovecot: "
            + Cause.allCases.map { "\(explained[$0, default: 0]) \($0)" }.joined(separator: "; ")
            + "; \(differences.count) unexplained")
        for key in Set(Self.listedMessages.keys).subtracting(listed).sorted() {
            problems.append("\(key): listed, but answers like Dovecot now: drop the entry")
        }
        // Every cause is still needed: one that explains nothing any more goes.
        for cause in Cause.allCases where explained[cause, default: 0] == 0 {
            problems.append("cause \"\(cause.rawValue)\" explains no difference any more: drop it")
        }
        let report = Corpus.fixtures("IMAPServerTests").appendingPathComponent("dovecot-search-body-text.actual")
        if differences.isEmpty, problems.isEmpty {
            try? FileManager.default.removeItem(at: report)
        } else {
            try (problems + differences).joined(separator: "\n").write(to: report, atomically: true, encoding: .utf8)
        }
        let problemCount = problems.count, differenceCount = differences.count
        let first = (problems + differences).first ?? ""
        #expect(problemCount == 0, "see \(report.path); first: \(first)")
        #expect(differenceCount == 0, "answers differ from Dovecot's, see \(report.path); first: \(first)")
    }
}
