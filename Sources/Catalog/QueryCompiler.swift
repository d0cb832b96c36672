import GRDB
import MailMessage
import QueryLanguage

/// Compiles a `QueryNode` into an SQL condition over `message AS m` (see `CatalogSchema`).
///
/// Every value travels as a bound parameter. Full-text terms become FTS5 MATCH strings that we
/// build ourselves from quoted strings (`"…"`, with `"` doubled), so no user syntax ever reaches
/// FTS5. Neighbouring full-text terms under one AND/OR (including negated ones under an AND with a
/// positive one) are merged into a single MATCH, so `merger -draft subject:q3` is one FTS lookup.
///
/// Both SQLite's parser and FTS5's keep a fixed stack of 100 entries (SQLite 3.40), and a nested
/// operand written after an operator holds three of them per level (`a AND (`), so the text is
/// kept shallow: parentheses only around an operand that is itself an AND or OR, and the most
/// deeply nested operand of each AND or OR first (`(b OR (c …)) AND a`: one entry per level).
/// AND and OR are commutative, so the order changes nothing but the parse.
enum QueryCompiler {
    /// The SQL condition for `node`, for use in `WHERE`.
    static func condition(_ node: QueryNode) -> SQL {
        switch compile(node) {
        case .fts(let match): ftsMembership(match.text)
        case .sql(let condition): condition.text
        }
    }

    /// The FTS5 MATCH string of a node that is pure full-text, or nil. Used by tests.
    static func matchExpression(_ node: QueryNode) -> String? {
        if case .fts(let match) = compile(node) { return match.text }
        return nil
    }

    private enum Compiled {
        case fts(Expression<String>)
        case sql(Expression<SQL>)

        /// A term: never compound, no parentheses of the query's.
        static func fts(_ text: String) -> Compiled { .fts(Expression(text: text)) }
        static func sql(_ text: SQL) -> Compiled { .sql(Expression(text: text)) }
    }

    /// Compiled text, whether it is a bare AND/OR (`isCompound`: it needs parentheses to be an
    /// operand), and how many parentheses deep it nests.
    private struct Expression<Text: QueryText> {
        var text: Text
        var isCompound = false
        var nesting = 0
    }

    private static func ftsMembership(_ match: String) -> SQL {
        "m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH \(match))"
    }

    private static func compile(_ node: QueryNode) -> Compiled {
        switch node {
        case .term(let term):
            return compile(term)
        case .not(let child):
            switch compile(child) {
            case .fts(let match):
                return .sql(Expression(text: "m.id NOT IN (SELECT rowid FROM message_fts WHERE message_fts MATCH \(match.text))"))
            case .sql(let condition):
                return .sql(negated(condition))
            }
        case .and(let children):
            var positive: [Expression<String>] = []
            var negative: [Expression<String>] = []
            var others: [Expression<SQL>] = []
            for child in children {
                // Each child is compiled once: compiling it again for a second look would double the
                // work at every level of a nested query.
                if case .not(let inner) = child {
                    switch compile(inner) {
                    case .fts(let match): negative.append(match)
                    case .sql(let condition): others.append(negated(condition))
                    }
                    continue
                }
                switch compile(child) {
                case .fts(let match): positive.append(match)
                case .sql(let condition): others.append(condition)
                }
            }
            if !positive.isEmpty {
                // FTS5: NOT binds tighter than AND, and `a NOT b` is "a and not b".
                var match = joined(positive, with: " AND ")
                if !negative.isEmpty {
                    let kept = operand(match)
                    var text = kept.text
                    var nesting = kept.nesting
                    for excluded in negative {
                        let excluded = operand(excluded)
                        text += " NOT " + excluded.text
                        nesting = max(nesting, excluded.nesting)
                    }
                    match = Expression(text: text, isCompound: true, nesting: nesting)
                }
                if others.isEmpty { return .fts(match) }
                others.insert(Expression(text: ftsMembership(match.text)), at: 0)  // FTS5 parses the MATCH string apart
            } else if !negative.isEmpty {
                let excluded = joined(negative, with: " OR ")
                others.append(Expression(text: "m.id NOT IN (SELECT rowid FROM message_fts WHERE message_fts MATCH \(excluded.text))"))
            }
            return .sql(joined(others, with: " AND "))
        case .or(let children):
            var matches: [Expression<String>] = []
            var others: [Expression<SQL>] = []
            for child in children {
                switch compile(child) {
                case .fts(let match): matches.append(match)
                case .sql(let condition): others.append(condition)
                }
            }
            if !matches.isEmpty {
                let match = joined(matches, with: " OR ")
                if others.isEmpty { return .fts(match) }
                others.insert(Expression(text: ftsMembership(match.text)), at: 0)
            }
            return .sql(joined(others, with: " OR "))
        }
    }

    /// NOT binds tighter than AND and OR, and looser than comparisons and IN: `NOT m.size > ?` is
    /// `NOT (m.size > ?)`.
    private static func negated(_ condition: Expression<SQL>) -> Expression<SQL> {
        let operand = self.operand(condition)
        return Expression(text: "NOT " + operand.text, nesting: operand.nesting)
    }

    /// `expression` as an operand of an operator: in parentheses when it is a bare AND/OR.
    private static func operand<Text>(_ expression: Expression<Text>) -> Expression<Text> {
        guard expression.isCompound else { return expression }
        return Expression(text: "(" + expression.text + ")", nesting: expression.nesting + 1)
    }

    /// The parts joined by `keyword` (" AND " or " OR "), the most deeply nested first; one part alone as it is.
    private static func joined<Text>(_ parts: [Expression<Text>], with keyword: Text) -> Expression<Text> {
        guard parts.count > 1 else { return parts[0] }
        var operands = parts.map { operand($0) }
        if let deepest = operands.indices.max(by: { operands[$0].nesting < operands[$1].nesting }), deepest > 0 {
            operands.insert(operands.remove(at: deepest), at: 0)
        }
        var text = operands[0].text
        for next in operands.dropFirst() { text = text + keyword + next.text }
        return Expression(text: text, isCompound: true, nesting: operands.map(\.nesting).max() ?? 0)
    }

    // MARK: - Terms

    private static func compile(_ term: QueryTerm) -> Compiled {
        switch term {
        case .everything:
            return .sql("1")
        case .text(let field, let text, let prefix):
            // Attachment text lives in `attachment_fts`, apart from the message's own document
            // (`CatalogSchema.migrateToAttachmentText`): a free word or `body:` matches either, so
            // it is one condition over both and no longer merges into a neighbour's MATCH.
            let inAttachments: SQL = """
                m.id IN (SELECT rowid FROM attachment_fts WHERE attachment_fts MATCH \(phrase(text, prefix: prefix, columns: "text")))
                """
            switch field {
            case .any, .body:
                let columns = field == .any ? "{subject body attachment participant}" : "body"
                let own = ftsMembership(phrase(text, prefix: prefix, columns: columns))
                return .sql(Expression(text: "(" + own + " OR " + inAttachments + ")", nesting: 1))
            case .subject: return .fts(phrase(text, prefix: prefix, columns: "subject"))
            case .attachment: return .fts(phrase(text, prefix: prefix, columns: "attachment"))
            case .attachmentText: return .sql(inAttachments)
            }
        case .address(let field, .words(let text, let prefix)):
            return .fts(phrase(text, prefix: prefix, columns: ftsColumn(field)))
        case .address(let field, .exact(let address)):
            let domain = AddressRole.reversedDomain(AddressRole.domain(ofAddress: address))
            return .sql("""
                m.id IN (SELECT message FROM address WHERE rdomain = \(domain) AND address = \(address)\(roleFilter(field)))
                """)
        case .address(let field, .addressPrefix(let start)):
            // The key starts with the domain, which a prefix like `alice@ex` leaves open: one range
            // of addresses per distinct domain, the domains found by skipping through the key.
            return .sql("""
                m.id IN (WITH RECURSIVE domains(name) AS (SELECT min(rdomain) FROM address UNION ALL \
                SELECT (SELECT min(rdomain) FROM address WHERE rdomain > domains.name) FROM domains \
                WHERE domains.name IS NOT NULL) SELECT message FROM domains JOIN address ON rdomain = domains.name \
                WHERE address >= \(start) AND address < \(start + "\u{10FFFF}")\(roleFilter(field)))
                """)
        case .address(let field, .domain(let domain)):
            return .sql("m.id IN (SELECT message FROM address WHERE \(domainRange(domain))\(roleFilter(field)))")
        case .domain(let domain):
            return .sql("m.id IN (SELECT message FROM address WHERE \(domainRange(domain)))")
        case .messageID(let key):
            return .sql("m.message_id_key = \(key)")
        case .date(.after, let period):
            return .sql("m.sort_date >= \(period.start)")
        case .date(.before, let period):
            return .sql("m.sort_date < \(period.start)")
        case .date(.on, let period):
            return .sql("(m.sort_date >= \(period.start) AND m.sort_date < \(period.end))")
        case .size(.larger, let bytes):
            return .sql("m.size > \(bytes)")
        case .size(.smaller, let bytes):
            return .sql("m.size < \(bytes)")
        case .hasAttachment:
            return .sql("m.has_attachments = 1")
        case .hasUnextracted:
            return .sql("m.id IN (SELECT message FROM attachment WHERE state != 'extracted')")
        case .direction(let direction):
            return .sql("m.id IN (SELECT message FROM delivery WHERE direction = \(direction.rawValue))")
        case .source(let source, prefix: false):
            return .sql("m.id IN (SELECT message FROM delivery WHERE source_key = \(source))")
        case .source(let source, prefix: true):
            return .sql("""
                m.id IN (SELECT message FROM delivery WHERE source_key >= \(source) \
                AND source_key < \(source + "\u{10FFFF}"))
                """)
        case .authentication(let method, let result):
            // The column lists each pair between spaces (CatalogSchema+AuthenticationResults).
            let pair = " \(method.rawValue)=\(result) "
            return .sql("m.id IN (SELECT message FROM delivery WHERE instr(auth_results, \(pair)) > 0)")
        }
    }

    /// The FTS5 column holding the names and addresses of a role.
    static func ftsColumn(_ field: AddressField) -> String {
        switch field {
        case .from: "from_text"
        case .to: "to_text"
        case .cc: "cc_text"
        case .bcc: "bcc_text"
        case .participant: "participant"
        }
    }

    /// ` AND role IN (…)` for a role, nothing for `participant` (every role).
    private static func roleFilter(_ field: AddressField) -> SQL {
        let roles = AddressRole.roles(for: field)
        if roles.count == AddressRole.allCases.count { return "" }
        return " AND role IN (" + roles.map { "\($0.rawValue)" as SQL }.joined(separator: ", ") + ")"
    }

    /// The domain or any subdomain, as a range on the reversed domain (`com.example`,
    /// `com.example.mail`, …) so that the `address` table's key answers it.
    private static func domainRange(_ domain: String) -> SQL {
        let reversed = AddressRole.reversedDomain(domain)
        return "(rdomain = \(reversed) OR (rdomain >= \(reversed + ".") AND rdomain < \(reversed + "/")))"
    }

    /// One FTS5 string: the text in double quotes with inner quotes doubled, so FTS5 tokenizes it
    /// as a phrase and never interprets it as syntax; `*` after the closing quote makes the last
    /// token a prefix. Built scalar by scalar: as `Character`s, `"` followed by a combining mark
    /// would not compare equal to `"` and would escape unescaped. Control characters become
    /// spaces: FTS5 reads its expression as a C string, so a NUL would end it inside the quotes.
    /// The text is folded by `SearchFolding` first, as every document is (`FullTextDocument`).
    static func phrase(_ text: String, prefix: Bool, columns: String) -> String {
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in SearchFolding.fold(text).unicodeScalars {
            if scalar == "\"" {
                quoted.append(contentsOf: ["\"", "\""] as [Unicode.Scalar])
            } else if scalar.properties.generalCategory == .control {
                quoted.append(" ")
            } else {
                quoted.append(scalar)
            }
        }
        quoted.append("\"")
        return columns + " : " + String(quoted) + (prefix ? "*" : "")
    }
}

/// What compiled text is made of: `String` for FTS5 expressions, `SQL` for conditions.
private protocol QueryText: ExpressibleByStringLiteral {
    static func + (lhs: Self, rhs: Self) -> Self
}

extension String: QueryText {}
extension SQL: QueryText {}
