import GRDB
import Testing

@testable import Catalog
@testable import QueryLanguage
import StoreModel

private func sql(_ query: String) throws -> (sql: String, arguments: StatementArguments) {
    let condition = QueryCompiler.condition(try SearchQuery(parsing: query).root)
    return try DatabaseQueue().read { db in try condition.build(db) }
}

@Test func phrasesAreQuotedFTS5StringsScalarByScalar() {
    #expect(QueryCompiler.phrase("a\"b", prefix: false, columns: "subject") == "subject : \"a\"\"b\"")
    #expect(QueryCompiler.phrase("invoic", prefix: true, columns: "body") == "body : \"invoic\"*")
    // A NUL would end FTS5's C string inside the quotes.
    #expect(QueryCompiler.phrase("a\u{0}b\u{7}", prefix: false, columns: "body") == "body : \"a b \"")
    // `"` + U+0301 is one Character but still a quote byte for FTS5: it must be doubled.
    #expect(QueryCompiler.phrase("x\"\u{301}", prefix: false, columns: "body") == "body : \"x\"\"\u{301}\"")
    #expect(QueryCompiler.phrase("NEAR(a b) OR c*", prefix: false, columns: "body") == "body : \"NEAR(a b) OR c*\"")
}

@Test func neighbouringFullTextTermsShareOneMatch() throws {
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "subject:q3").root) == "subject : \"q3\"")
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "subject:q3 -attachment:draft from:ann").root)
        == "(subject : \"q3\" AND from_text : \"ann\") NOT attachment : \"draft\"")
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "subject:a OR attachment:b*").root)
        == "subject : \"a\" OR attachment : \"b\"*")
    // Not pure full text: no single MATCH.
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "subject:a larger:1k").root) == nil)
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "-subject:a").root) == nil)
    let (text, arguments) = try sql("subject:merger -subject:draft larger:1k")
    #expect(text.components(separatedBy: "MATCH").count == 2)
    #expect(arguments == ["subject : \"merger\" NOT subject : \"draft\"", 1024])
}

/// A free word and `body:` look in the message's own document and in its attachments' text; each
/// is one condition over both indexes, since its words may stand in either.
@Test func freeWordsAndBodyAlsoSearchAttachmentText() throws {
    let any = "{subject body attachment participant}"
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "merger").root) == nil)
    let (text, arguments) = try sql("merger body:draft")
    #expect(text.components(separatedBy: "attachment_fts MATCH").count == 3)
    #expect(arguments == ["\(any) : \"merger\"", "text : \"merger\"", "body : \"draft\"", "text : \"draft\""])
    let (scoped, scopedArguments) = try sql("in:attachment:clause")
    #expect(scoped == "m.id IN (SELECT rowid FROM attachment_fts WHERE attachment_fts MATCH ?)")
    #expect(scopedArguments == ["text : \"clause\""])
    let (unextracted, _) = try sql("has:unextracted")
    #expect(unextracted.contains("FROM attachment WHERE state != 'extracted'"))
}

@Test func onlyNegationsMeanAllExcept() throws {
    let (text, arguments) = try sql("-merger -from:bob@example.com")
    #expect(text.contains("NOT (m.id IN (SELECT rowid FROM message_fts"))
    #expect(text.contains("NOT m.id IN (SELECT message FROM address"))
    #expect(arguments.description.contains("bob@example.com"))
}

/// Values are bound parameters; none of them is pasted into the SQL text.
@Test(arguments: [
    "subject:\"'; DROP TABLE message; --\"", "from:x'--@example.com", "participant:o'brien@example.com",
    "message-id:<a'b@c>", "source:sm'tp", "to:\"Robert'); DROP TABLE message;--\"",
])
func valuesNeverReachTheSQLText(_ query: String) throws {
    let (text, arguments) = try sql(query)
    #expect(!text.contains("'"))
    #expect(!text.lowercased().contains("drop"))
    #expect(!arguments.isEmpty)
}

@Test func everyTermCompilesToItsIndexedColumn() throws {
    let cases: [(String, String)] = [
        ("from:a@b.c", "SELECT message FROM address WHERE rdomain = ? AND address = ? AND role IN (?)"),
        ("participant:a@b.c", "SELECT message FROM address WHERE rdomain = ? AND address = ?)"),
        ("from:a@b*", "address >= ? AND address < ?"),
        ("to:@b.c", "rdomain = ? OR (rdomain >= ? AND rdomain < ?)"),
        ("domain:b.c", "rdomain = ? OR (rdomain >= ? AND rdomain < ?)"),
        ("message-id:x@y", "m.message_id_key = ?"),
        ("after:2024", "m.sort_date >= ?"),
        ("before:2024", "m.sort_date < ?"),
        ("on:2024", "m.sort_date >= ? AND m.sort_date < ?"),
        ("larger:1", "m.size > ?"),
        ("smaller:1", "m.size < ?"),
        ("has:attachment", "m.has_attachments = 1"),
        ("direction:in", "FROM delivery WHERE direction = ?"),
        ("source:smtp", "FROM delivery WHERE source_key = ?"),
        ("source:sm*", "source_key >= ? AND source_key < ?"),
    ]
    for (query, fragment) in cases {
        #expect(try sql(query).sql.contains(fragment), "\(query)")
    }
    #expect(try sql("domain:mail.example.com").arguments == ["com.example.mail", "com.example.mail.", "com.example.mail/"])
    #expect(try sql("on:2024").arguments == [1_704_067_200, 1_735_689_600])
}
