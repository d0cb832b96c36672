import GRDB
import QueryLanguage

/// Compiles a `QueryNode` into an SQL condition over `message AS m` (see `CatalogSchema`).
///
/// Every value travels as a bound parameter. Full-text terms become FTS5 MATCH strings that we
/// build ourselves from quoted strings (`"…"`, with `"` doubled), so no user syntax ever reaches
/// FTS5. Neighbouring full-text terms under one AND/OR (including negated ones under an AND with a
/// positive one) are merged into a single MATCH, so `merger -draft subject:q3` is one FTS lookup.
enum QueryCompiler {
    /// The SQL condition for `node`, for use in `WHERE`.
    static func condition(_ node: QueryNode) -> SQL {
        switch compile(node) {
        case .fts(let match): ftsMembership(match)
        case .sql(let sql): sql
        }
    }

    /// The FTS5 MATCH string of a node that is pure full-text, or nil. Used by tests.
    static func matchExpression(_ node: QueryNode) -> String? {
        if case .fts(let match) = compile(node) { return match }
        return nil
    }

    private enum Compiled {
        case fts(String)
        case sql(SQL)
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
            case .fts(let match): return .sql("m.id NOT IN (SELECT rowid FROM message_fts WHERE message_fts MATCH \(match))")
            case .sql(let sql): return .sql("NOT (\(sql))")
            }
        case .and(let children):
            var positive: [String] = []
            var negative: [String] = []
            var others: [SQL] = []
            for child in children {
                if case .not(let inner) = child, case .fts(let match) = compile(inner) {
                    negative.append(match)
                    continue
                }
                switch compile(child) {
                case .fts(let match): positive.append(match)
                case .sql(let sql): others.append(sql)
                }
            }
            if !positive.isEmpty {
                // FTS5: NOT binds tighter than AND, and `a NOT b` is "a and not b".
                var match = positive.map { "(\($0))" }.joined(separator: " AND ")
                if !negative.isEmpty { match = "(\(match))" + negative.map { " NOT (\($0))" }.joined() }
                if others.isEmpty { return .fts(match) }
                others.insert(ftsMembership(match), at: 0)
            } else if !negative.isEmpty {
                let excluded = negative.map { "(\($0))" }.joined(separator: " OR ")
                others.append("m.id NOT IN (SELECT rowid FROM message_fts WHERE message_fts MATCH \(excluded))")
            }
            return .sql(joined(others, with: "AND"))
        case .or(let children):
            var matches: [String] = []
            var others: [SQL] = []
            for child in children {
                switch compile(child) {
                case .fts(let match): matches.append(match)
                case .sql(let sql): others.append(sql)
                }
            }
            let match = matches.map { "(\($0))" }.joined(separator: " OR ")
            if others.isEmpty { return .fts(match) }
            if !matches.isEmpty { others.insert(ftsMembership(match), at: 0) }
            return .sql(joined(others, with: "OR"))
        }
    }

    private static func joined(_ parts: [SQL], with keyword: String) -> SQL {
        guard parts.count > 1 else { return parts[0] }
        return "(" + parts.map { "(\($0))" as SQL }.joined(separator: " \(keyword) ") + ")"
    }

    // MARK: - Terms

    private static func compile(_ term: QueryTerm) -> Compiled {
        switch term {
        case .text(let field, let text, let prefix):
            let columns = switch field {
            case .any: "{subject body attachment participant}"
            case .subject: "subject"
            case .body: "body"
            case .attachment: "attachment"
            }
            return .fts(phrase(text, prefix: prefix, columns: columns))
        case .address(let field, .words(let text, let prefix)):
            return .fts(phrase(text, prefix: prefix, columns: ftsColumn(field)))
        case .address(let field, .exact(let address)):
            return .sql("m.id IN (SELECT message FROM address WHERE address = \(address)\(roleFilter(field)))")
        case .address(let field, .addressPrefix(let start)):
            return .sql("""
                m.id IN (SELECT message FROM address WHERE address >= \(start) \
                AND address < \(start + "\u{10FFFF}")\(roleFilter(field)))
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
        case .direction(let direction):
            return .sql("m.id IN (SELECT message FROM delivery WHERE direction = \(direction.rawValue))")
        case .source(let source, prefix: false):
            return .sql("m.id IN (SELECT message FROM delivery WHERE source_key = \(source))")
        case .source(let source, prefix: true):
            return .sql("""
                m.id IN (SELECT message FROM delivery WHERE source_key >= \(source) \
                AND source_key < \(source + "\u{10FFFF}"))
                """)
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
    /// `com.example.mail`, …) so that the `address_domain` index answers it.
    private static func domainRange(_ domain: String) -> SQL {
        let reversed = AddressRole.reversedDomain(domain)
        return "(rdomain = \(reversed) OR (rdomain >= \(reversed + ".") AND rdomain < \(reversed + "/")))"
    }

    /// One FTS5 string: the text in double quotes with inner quotes doubled, so FTS5 tokenizes it
    /// as a phrase and never interprets it as syntax; `*` after the closing quote makes the last
    /// token a prefix. Built scalar by scalar: as `Character`s, `"` followed by a combining mark
    /// would not compare equal to `"` and would escape unescaped. Control characters become
    /// spaces: FTS5 reads its expression as a C string, so a NUL would end it inside the quotes.
    static func phrase(_ text: String, prefix: Bool, columns: String) -> String {
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in text.unicodeScalars {
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
