import Testing
@testable import IMAPServer

/// SEARCH keys (RFC 3501 §6.4.4, RFC 4731, RFC 7162) and FETCH items (RFC 3501 §6.4.5).
@Suite struct IMAPSearchFetchGrammarTests {
    private func key(_ text: String) -> IMAPSearchKey? {
        guard case .search(let search, _) = command("a SEARCH \(text)") else { return nil }
        return search.key
    }

    private func set(_ text: String) -> SequenceSet { SequenceSet(parsing: bytes(text))! }

    static let simpleKeys: [(String, IMAPSearchKey)] = [
        ("ALL", .all), ("ANSWERED", .answered), ("DELETED", .deleted), ("DRAFT", .draft), ("FLAGGED", .flagged),
        ("SEEN", .seen), ("RECENT", .recent), ("NEW", .new), ("OLD", .old), ("UNANSWERED", .unanswered),
        ("UNDELETED", .undeleted), ("UNDRAFT", .undraft), ("UNFLAGGED", .unflagged), ("unseen", .unseen),
        ("KEYWORD $Forwarded", .keyword("$Forwarded")), ("UNKEYWORD $Junk", .unkeyword("$Junk")),
        ("BCC boss", .bcc(bytes("boss"))), ("CC \"a b\"", .cc(bytes("a b"))), ("FROM alice", .from(bytes("alice"))),
        ("TO bob@example.com", .to(bytes("bob@example.com"))), ("SUBJECT \"\"", .subject([])),
        ("BODY ransf", .body(bytes("ransf"))), ("TEXT {4}\r\nwi}d", .text(bytes("wi}d"))),
        ("HEADER X-Spam-Flag YES", .header("X-Spam-Flag", bytes("YES"))), ("HEADER List-Id \"\"", .header("List-Id", [])),
        ("BEFORE 1-Feb-1994", .before(IMAPDate(year: 1994, month: 2, day: 1)!)),
        ("ON \"12-dec-2023\"", .on(IMAPDate(year: 2023, month: 12, day: 12)!)),
        ("SINCE 29-Feb-2024", .since(IMAPDate(year: 2024, month: 2, day: 29)!)),
        ("SENTBEFORE 1-Jan-2000", .sentBefore(IMAPDate(year: 2000, month: 1, day: 1)!)),
        ("SENTON 1-Jan-2000", .sentOn(IMAPDate(year: 2000, month: 1, day: 1)!)),
        ("SENTSINCE 1-Jan-2000", .sentSince(IMAPDate(year: 2000, month: 1, day: 1)!)),
        ("LARGER 1024", .larger(1024)), ("SMALLER 10", .smaller(10)),
        ("MODSEQ 720162338", .modSeq(720_162_338)),
        ("MODSEQ \"/flags/\\\\draft\" all 620162338", .modSeq(620_162_338)),
    ]

    @Test(arguments: simpleKeys)
    func everyKey(text: String, expected: IMAPSearchKey) {
        #expect(key(text) == expected)
    }

    @Test func sequenceSetsAndUIDs() {
        #expect(key("1:5,*") == .sequenceNumbers(set("1:5,*")))
        #expect(key("UID 10:*") == .uid(set("10:*")))
        #expect(key("$") == .sequenceNumbers(.savedResult))
    }

    @Test func booleanStructure() {
        #expect(key("SEEN FLAGGED") == .and([.seen, .flagged]))
        #expect(key("NOT SEEN") == .not(.seen))
        #expect(key("OR SEEN FLAGGED") == .or(.seen, .flagged))
        #expect(key("OR (SEEN FROM x) NOT (DELETED OR ANSWERED DRAFT)") == .or(
            .and([.seen, .from(bytes("x"))]), .not(.and([.deleted, .or(.answered, .draft)]))))
        #expect(key("(OR 1:3 UID 7) LARGER 5") == .and([.or(.sequenceNumbers(set("1:3")), .uid(set("7"))), .larger(5)]))
    }

    @Test func returnOptionsAndCharset() {
        #expect(command("a UID SEARCH RETURN (MIN MAX COUNT ALL SAVE) CHARSET utf-8 TEXT x") == .search(
            IMAPSearchCommand(returnOptions: [.min, .max, .count, .all, .save], charset: "UTF-8", key: .text(bytes("x"))), uid: true))
        #expect(command("a SEARCH RETURN () ALL") == .search(IMAPSearchCommand(returnOptions: [], key: .all), uid: false))
        #expect(command("a SEARCH CHARSET \"US-ASCII\" ALL") == .search(IMAPSearchCommand(charset: "US-ASCII", key: .all), uid: false))
        #expect(refusal("a SEARCH RETURN (FIRST) ALL")?.text == "unknown SEARCH return option FIRST")
    }

    private func fetch(_ text: String) -> [IMAPFetchAttribute]? {
        guard case .fetch(_, let attributes, _, _) = command("a FETCH 1 \(text)") else { return nil }
        return attributes
    }

    @Test func macros() {
        #expect(fetch("ALL") == [.flags, .internalDate, .rfc822Size, .envelope])
        #expect(fetch("fast") == [.flags, .internalDate, .rfc822Size])
        #expect(fetch("FULL") == [.flags, .internalDate, .rfc822Size, .envelope, .body])
        #expect(refusal("a FETCH 1 (ALL)")?.text == "unknown FETCH item ALL")
    }

    static let items: [(String, IMAPFetchAttribute)] = [
        ("ENVELOPE", .envelope), ("FLAGS", .flags), ("INTERNALDATE", .internalDate), ("RFC822", .rfc822),
        ("RFC822.HEADER", .rfc822Header), ("RFC822.SIZE", .rfc822Size), ("RFC822.TEXT", .rfc822Text),
        ("BODY", .body), ("BODYSTRUCTURE", .bodyStructure), ("UID", .uid), ("MODSEQ", .modSeq),
        ("BODY[]", .bodySection(IMAPSection(), partial: nil, peek: false)),
        ("BODY.PEEK[]<0.2048>", .bodySection(IMAPSection(), partial: IMAPPartial(offset: 0, length: 2048), peek: true)),
        ("BODY[HEADER]", .bodySection(IMAPSection(kind: .header), partial: nil, peek: false)),
        ("body.peek[text]", .bodySection(IMAPSection(kind: .text), partial: nil, peek: true)),
        ("BODY[1.2.3]", .bodySection(IMAPSection(part: [1, 2, 3]), partial: nil, peek: false)),
        ("BODY[1.2.HEADER]", .bodySection(IMAPSection(part: [1, 2], kind: .header), partial: nil, peek: false)),
        ("BODY[3.TEXT]<5.10>", .bodySection(IMAPSection(part: [3], kind: .text), partial: IMAPPartial(offset: 5, length: 10), peek: false)),
        ("BODY[1.MIME]", .bodySection(IMAPSection(part: [1], kind: .mime), partial: nil, peek: false)),
        ("BODY.PEEK[HEADER.FIELDS (From To Subject)]",
         .bodySection(IMAPSection(kind: .headerFields(["From", "To", "Subject"])), partial: nil, peek: true)),
        ("BODY[2.HEADER.FIELDS.NOT (\"Received\" X-Spam)]",
         .bodySection(IMAPSection(part: [2], kind: .headerFieldsNot(["Received", "X-Spam"])), partial: nil, peek: false)),
        ("BINARY[1]", .binary(part: [1], partial: nil, peek: false)),
        ("BINARY.PEEK[1.2]<0.100>", .binary(part: [1, 2], partial: IMAPPartial(offset: 0, length: 100), peek: true)),
        ("BINARY.SIZE[2]", .binarySize(part: [2])),
    ]

    @Test(arguments: items)
    func everyItem(text: String, expected: IMAPFetchAttribute) {
        #expect(fetch(text) == [expected])
        #expect(fetch("(UID \(text))") == [.uid, expected])
    }

    @Test func changedSinceAddsModSeq() {
        #expect(command("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)") == .fetch(
            set("1:*"), [.flags, .modSeq], changedSince: 12345, uid: true))
        #expect(refusal("a FETCH 1 FLAGS (VANISHED)")?.text == "unknown FETCH modifier VANISHED")
    }

    @Test func sectionDescriptionsRoundTrip() {
        for (text, attribute) in Self.items {
            guard case .bodySection(let section, _, _) = attribute else { continue }
            let start = text.firstIndex(of: "[")!
            let end = text.firstIndex(of: "]")!
            let written = String(text[text.index(after: start)..<end]).uppercased()
            #expect(section.description.uppercased() == String(written.filter { $0 != "\"" }))
        }
    }

    @Test func seenSemantics() {
        #expect(IMAPFetchAttribute.bodySection(IMAPSection(), partial: nil, peek: false).setsSeen)
        #expect(!IMAPFetchAttribute.bodySection(IMAPSection(), partial: nil, peek: true).setsSeen)
        #expect(IMAPFetchAttribute.rfc822.setsSeen)
        #expect(!IMAPFetchAttribute.rfc822Header.setsSeen)
        #expect(!IMAPFetchAttribute.envelope.setsSeen)
    }
}
