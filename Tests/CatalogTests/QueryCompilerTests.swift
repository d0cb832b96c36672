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
    let any = "{subject body attachment participant}"
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "merger").root) == "\(any) : \"merger\"")
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "merger -draft subject:q3 from:ann").root)
        == "(\(any) : \"merger\" AND subject : \"q3\" AND from_text : \"ann\") NOT \(any) : \"draft\"")
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "a OR body:b*").root)
        == "\(any) : \"a\" OR body : \"b\"*")
    // Not pure full text: no single MATCH.
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "a larger:1k").root) == nil)
    #expect(QueryCompiler.matchExpression(try SearchQuery(parsing: "-a").root) == nil)
    let (text, arguments) = try sql("merger -draft larger:1k")
    #expect(text.components(separatedBy: "MATCH").count == 2)
    #expect(arguments == ["\(any) : \"merger\" NOT \(any) : \"draft\"", 1024])
}

@Test func onlyNegationsMeanAllExcept() throws {
    let (text, arguments) = try sql("-merger -from:bob@example.com")
    #expect(text.contains("NOT IN (SELECT rowid FROM message_fts"))
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
