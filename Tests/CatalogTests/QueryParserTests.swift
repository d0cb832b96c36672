import Testing

@testable import Catalog
@testable import QueryLanguage
import StoreModel

private func word(_ text: String, prefix: Bool = false) -> QueryNode { .term(.text(.any, text, prefix: prefix)) }
private func parse(_ text: String) throws -> QueryNode { try SearchQuery(parsing: text).root }
private func day(_ text: String) -> DatePeriod { DatePeriod(parsing: text)! }

/// Every field, operator and value form, with the tree it must produce.
@Test(arguments: [
    ("merger", word("merger")),
    ("Invoic*", word("Invoic", prefix: true)),
    ("\"quarterly report\"", word("quarterly report")),
    ("\"quarterly rep\"*", word("quarterly rep", prefix: true)),
    ("\"say \\\"hi\\\" \\\\ bye\"", word("say \"hi\" \\ bye")),
    ("e-mail", word("e-mail")),
    ("12:30", word("12:30")),
    ("subject:report", .term(.text(.subject, "report", prefix: false))),
    ("SUBJECT:\"quarterly report\"", .term(.text(.subject, "quarterly report", prefix: false))),
    ("body:naïve", .term(.text(.body, "naïve", prefix: false))),
    ("attachment:contract.pdf", .term(.text(.attachment, "contract.pdf", prefix: false))),
    ("attachment:contr*", .term(.text(.attachment, "contr", prefix: true))),
    ("from:alice", .term(.address(.from, .words("alice", prefix: false)))),
    ("from:ali*", .term(.address(.from, .words("ali", prefix: true)))),
    ("from:Alice@Example.COM", .term(.address(.from, .exact("alice@example.com")))),
    ("from:<alice@example.com>", .term(.address(.from, .exact("alice@example.com")))),
    ("from:alice@exa*", .term(.address(.from, .addressPrefix("alice@exa")))),
    ("from:@Example.com", .term(.address(.from, .domain("example.com")))),
    ("to:bob@example.com", .term(.address(.to, .exact("bob@example.com")))),
    ("cc:carol", .term(.address(.cc, .words("carol", prefix: false)))),
    ("bcc:Zoë@Vault.example", .term(.address(.bcc, .exact("zoe@vault.example")))),
    ("participant:dave@example.com", .term(.address(.participant, .exact("dave@example.com")))),
    ("participant:\"Dave Smith\"", .term(.address(.participant, .words("Dave Smith", prefix: false)))),
    ("domain:Example.COM", .term(.domain("example.com"))),
    ("domain:@example.com", .term(.domain("example.com"))),
    ("message-id:<abc@def.example>", .term(.messageID("abc@def.example"))),
    ("message-id:ABC@def.example", .term(.messageID("abc@def.example"))),
    ("after:2024-01-01", .term(.date(.after, day("2024-01-01")))),
    ("before:2024/07", .term(.date(.before, day("2024-07")))),
    ("on:2024", .term(.date(.on, day("2024")))),
    ("larger:10k", .term(.size(.larger, 10_240))),
    ("larger:5MB", .term(.size(.larger, 5 << 20))),
    ("smaller:1G", .term(.size(.smaller, 1 << 30))),
    ("smaller:1234", .term(.size(.smaller, 1234))),
    ("has:attachment", .term(.hasAttachment)),
    ("has:Attachments", .term(.hasAttachment)),
    ("has:unextracted", .term(.hasUnextracted)),
    ("in:attachment:clause", .term(.text(.attachmentText, "clause", prefix: false))),
    ("in:attachment:claus*", .term(.text(.attachmentText, "claus", prefix: true))),
    ("in:attachment:\"force majeure\"", .term(.text(.attachmentText, "force majeure", prefix: false))),
    ("direction:in", .term(.direction(.inbound))),
    ("direction:outbound", .term(.direction(.outbound))),
    ("direction:internal", .term(.direction(.internal))),
    ("direction:imported", .term(.direction(.imported))),
    ("source:SMTP", .term(.source("smtp", prefix: false))),
    ("source:imp*", .term(.source("imp", prefix: true))),
    ("a b", .and([word("a"), word("b")])),
    ("a AND b", .and([word("a"), word("b")])),
    ("a OR b", .or([word("a"), word("b")])),
    ("a or b", .and([word("a"), word("or"), word("b")])),
    ("a b OR c", .and([word("a"), .or([word("b"), word("c")])])),
    ("a OR b c", .and([.or([word("a"), word("b")]), word("c")])),
    ("a OR b OR c", .or([word("a"), word("b"), word("c")])),
    ("(a b) OR c", .or([.and([word("a"), word("b")]), word("c")])),
    ("-draft", .not(word("draft"))),
    ("NOT draft", .not(word("draft"))),
    ("--draft", word("draft")),
    ("-from:alice", .not(.term(.address(.from, .words("alice", prefix: false))))),
    ("-\"a b\"", .not(word("a b"))),
    ("-(a OR b)", .not(.or([word("a"), word("b")]))),
    ("a -b OR c", .and([word("a"), .or([.not(word("b")), word("c")])])),
    ("((a))", word("a")),
    // `*` alone is every message, as in a retention policy's match.
    ("*", .term(.everything)),
    ("**", .term(.everything)),
    ("a *", .and([word("a"), .term(.everything)])),
    ("* -from:alice", .and([.term(.everything), .not(.term(.address(.from, .words("alice", prefix: false))))])),
    ("  a\t ", word("a")),
    ("from:alice to:bob subject:\"q3 report\" -draft", .and([
        .term(.address(.from, .words("alice", prefix: false))), .term(.address(.to, .words("bob", prefix: false))),
        .term(.text(.subject, "q3 report", prefix: false)), .not(word("draft")),
    ])),
] as [(String, QueryNode)])
func parses(_ text: String, _ expected: QueryNode) throws {
    #expect(try parse(text) == expected)
}

/// Bad queries, each with the exact message and column.
@Test(arguments: [
    ("", "query error at column 1: empty query"),
    ("   ", "query error at column 1: empty query"),
    ("subject:\"quarterly", "query error at column 9: unclosed quote"),
    ("from:alice \"oops", "query error at column 12: unclosed quote"),
    ("form:alice", "query error at column 1: unknown field \"form\" (did you mean from?)"),
    ("a subjet:x", "query error at column 3: unknown field \"subjet\" (did you mean subject?)"),
    ("zzzzzzzz:x", "query error at column 1: unknown field \"zzzzzzzz\""),
    ("from:", "query error at column 6: missing value after \"from:\""),
    ("a from: b", "query error at column 8: missing value after \"from:\""),
    ("(a b", "query error at column 1: unclosed parenthesis"),
    ("(", "query error at column 1: unclosed parenthesis"),
    ("a )", "query error at column 3: unmatched \")\""),
    ("()", "query error at column 2: empty parentheses"),
    ("a OR", "query error at column 3: OR needs a term after it"),
    ("OR a", "query error at column 1: OR needs a term before it"),
    ("a OR OR b", "query error at column 3: OR needs a term after it"),
    ("AND a", "query error at column 1: AND needs a term before it"),
    ("a AND", "query error at column 3: AND needs a term after it"),
    ("a -", "query error at column 3: nothing to exclude after \"-\""),
    ("-)", "query error at column 1: nothing to exclude after \"-\""),
    ("NOT", "query error at column 1: nothing to exclude after \"-\""),
    ("after:2024-13-01", "query error at column 7: invalid date \"2024-13-01\" (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    ("on:2023-02-29", "query error at column 4: invalid date \"2023-02-29\" (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    ("before:yesterday", "query error at column 8: invalid date \"yesterday\" (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    ("larger:big", "query error at column 8: invalid size \"big\" (use a number of bytes, or with k, M or G like 10k or 5M)"),
    ("smaller:99999999999999G", "query error at column 9: invalid size \"99999999999999G\" (use a number of bytes, or with k, M or G like 10k or 5M)"),
    ("has:pdf", "query error at column 5: has: takes \"attachment\" or \"unextracted\""),
    ("direction:sideways", "query error at column 11: direction: takes in, out, internal or imported"),
    ("domain:exa*", "query error at column 8: domain: takes a domain name like example.com"),
    ("domain:\"a b\"", "query error at column 8: domain: takes a domain name like example.com"),
    ("from:@", "query error at column 6: \"@\" is not a domain like @example.com"),
    ("to:\"a b@c\"", "query error at column 4: an address cannot contain spaces"),
    ("message-id:<>", "query error at column 12: message-id: takes a Message-ID like <id@example.com>"),
    ("!!!", "query error at column 1: !!! has no letters or digits to search for"),
    ("\"\"*", "query error at column 1: \"\" has no letters or digits to search for"),
    ("subject:\"...\"", "query error at column 9: \"...\" has no letters or digits to search for"),
] as [(String, String)])
func rejects(_ text: String, _ expected: String) {
    #expect(throws: QueryError.self) { try SearchQuery(parsing: text) }
    do {
        _ = try SearchQuery(parsing: text)
    } catch {
        #expect(error.description == expected)
    }
}

@Test func columnsCountCharactersNotBytes() {
    do {
        _ = try SearchQuery(parsing: "Zoë Ünïcödé \"open")
        Issue.record("expected an error")
    } catch {
        #expect(error.column == 13)
    }
}

@Test func datePeriodsAreUTCAndHalfOpen() throws {
    #expect(day("1970-01-01") == DatePeriod(start: 0, end: 86_400))
    #expect(day("2024-02-29").start == 1_709_164_800)
    #expect(day("2024-02") == DatePeriod(start: 1_706_745_600, end: 1_709_251_200))
    #expect(day("2024-12").end == day("2025").start)
    #expect(day("2024") == DatePeriod(start: 1_704_067_200, end: 1_735_689_600))
    #expect(DatePeriod(parsing: "24-01-01") == nil)
    #expect(DatePeriod(parsing: "2024-1-01") == nil)
    #expect(DatePeriod(parsing: "2024-01-01-01") == nil)
    #expect(DatePeriod(parsing: "2024-04-31") == nil)
    #expect(DatePeriod(parsing: "1900-02-29") == nil)
    #expect(DatePeriod(parsing: "2000-02-29") != nil)
}

/// Levenshtein distances the "did you mean" hints rest on (query fields, retention policy keys).
@Test(arguments: [
    ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("same", "same", 0),
    ("form", "from", 2), ("subjet", "subject", 1), ("grüße", "grusse", 3),
])
func editDistance(a: String, b: String, expected: Int) {
    #expect(EditDistance.between(a, b) == expected)
    #expect(EditDistance.between(b, a) == expected)
}
