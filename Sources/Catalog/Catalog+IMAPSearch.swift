import GRDB
import StoreModel

/// Narrowing IMAP SEARCH text keys (RFC 3501 §6.4.4) with the full-text index.
extension Catalog {
    /// At most this many vocabulary terms stand for one word of a value; a word inside more terms
    /// ("e") narrows too little to be worth the FTS5 query, and its constraint is dropped.
    static let wordExpansionLimit = 2_000

    /// A vocabulary scan reads every posting of the whole catalog (measured here: about 6 µs per
    /// indexed message of ~120 words), while the session spends ~100 µs or more loading and parsing one
    /// candidate. So the scan runs while the catalog holds at most `vocabularyScanFloor` messages, or
    /// at most `vocabularyScanRatio` times the mailbox's; otherwise words that need it are dropped (a
    /// small mailbox in a large archive is cheaper to check message by message).
    static let vocabularyScanFloor = 20_000
    static let vocabularyScanRatio = 16

    /// Whether a vocabulary scan pays off for a mailbox of `mailboxMessages` in a catalog of `catalogMessages`.
    static func scansVocabulary(catalogMessages: Int, mailboxMessages: Int) -> Bool {
        catalogMessages <= max(vocabularyScanFloor, mailboxMessages * vocabularyScanRatio)
    }

    /// The UTF-8 bytes of body text the index takes per message (`PreparedMessage`); a message whose
    /// text was cut there is marked `body_text_cut`.
    static let indexedBodyLimit = 1 << 20

    /// One SEARCH text key as the index sees it: its columns and its words' patterns.
    struct TermConstraint: Sendable {
        var columns: String
        var patterns: [IndexTermPattern]
        var isBody: Bool
    }

    /// What the index says about the constraints together.
    enum FTSRestriction: Equatable, Sendable {
        /// No word constrains (none given, or every one dropped).
        case unconstrained
        /// Some word fits no indexed term: no indexed message can match.
        case noMatch
        /// The FTS5 query every possible match satisfies.
        case match(String)
    }

    static func ftsRestriction(_ constraints: [TermConstraint], mailbox: Int64, in db: Database) throws
        -> FTSRestriction
    {
        var scanned = Set(constraints.flatMap(\.patterns).filter(\.needsVocabularyScan))
        if !scanned.isEmpty {
            // max(id) stands for the catalog's size: one index lookup instead of a count.
            let catalogMessages = try Int.fetchOne(db, sql: "SELECT max(id) FROM message") ?? 0
            let mailboxMessages = try Int.fetchOne(db, sql: "SELECT count(*) FROM mailbox_message WHERE mailbox = ?",
                                                   arguments: [mailbox]) ?? 0
            if !scansVocabulary(catalogMessages: catalogMessages, mailboxMessages: mailboxMessages) { scanned = [] }
        }
        let expansions = try vocabularyTerms(fitting: scanned, in: db)
        var parts: [String] = []
        for constraint in constraints {
            var words: [String] = []
            for pattern in constraint.patterns {
                if let query = pattern.ftsQuery {
                    words.append(query)
                } else if let terms = expansions[pattern] {
                    guard !terms.isEmpty else { return .noMatch }
                    words.append("(" + terms.map(IndexTermPattern.quoted).joined(separator: " OR ") + ")")
                }
            }
            if !words.isEmpty { parts.append("{\(constraint.columns)} : (" + words.joined(separator: " AND ") + ")") }
        }
        return parts.isEmpty ? .unconstrained : .match(parts.joined(separator: " AND "))
    }

    /// The vocabulary terms each pattern fits, in one scan; a pattern that fits more than
    /// `wordExpansionLimit` terms is absent. The `fts5vocab` table lives in the connection's temp
    /// schema, so reading connections create it and the catalog's schema does not change.
    static func vocabularyTerms(fitting patterns: Set<IndexTermPattern>, in db: Database) throws
        -> [IndexTermPattern: [String]]
    {
        guard !patterns.isEmpty else { return [:] }
        try db.execute(sql: """
            CREATE VIRTUAL TABLE IF NOT EXISTS temp.message_fts_terms USING fts5vocab(main, message_fts, 'row')
            """)
        let ordered = Array(patterns)
        var arguments = StatementArguments()
        var conditions: [String] = []
        for condition in ordered.map(\.sqlCondition) {
            conditions.append("(\(condition.sql))")
            arguments += condition.arguments
        }
        var found = Dictionary(uniqueKeysWithValues: ordered.map { ($0, [String]()) })
        var open = patterns
        let cursor = try String.fetchCursor(
            db, sql: "SELECT term FROM temp.message_fts_terms WHERE " + conditions.joined(separator: " OR "),
            arguments: arguments)
        while !open.isEmpty, let term = try cursor.next() {
            for pattern in open where pattern.matches(term) {
                found[pattern, default: []].append(term)
                if found[pattern, default: []].count > wordExpansionLimit {
                    open.remove(pattern)
                    found[pattern] = nil
                }
            }
        }
        return found
    }

    /// The `message_fts` columns a field's text is indexed in; nil for TEXT, which also covers header
    /// fields the index does not hold.
    static func indexedColumns(_ field: SearchTextField) -> String? {
        switch field {
        case .text: nil
        case .body: "body attachment"
        case .subject: "subject"
        case .from: "from_text"
        case .to: "to_text"
        case .cc: "cc_text"
        case .bcc: "bcc_text"
        }
    }
}

extension CatalogMailboxes {
    /// The UIDs of the mailbox that may match every term, ascending, or nil when the index cannot
    /// narrow the search (the session then checks every message). The session still checks each
    /// candidate's text itself; this only leaves out messages that cannot match.
    ///
    /// The guarantee: the result holds every message of the mailbox whose indexed text contains each
    /// term's value as a substring, with case and diacritics folded as the index folds them
    /// (`unicode61 remove_diacritics 2`, so also any message that contains it case-insensitively,
    /// RFC 3501 §6.4.4). The indexed text of SUBJECT is the decoded first Subject field; of FROM, TO,
    /// CC and BCC the display names, addresses and group names of those header fields (not comments or
    /// routes); of BODY the decoded text of the text parts (`Message.plainText`) and attachment file
    /// names. Always candidates, whatever the terms: drafts (never indexed), messages whose index row
    /// is missing (after `reset()`, before `reindex`), messages without a full-text document (while
    /// `DeliveryPipeline.bringFullTextUpToDate` rebuilds the index), and — when a BODY term narrows —
    /// messages whose indexed body text was cut at `indexedBodyLimit`.
    ///
    /// How: a value is cut into words by the index's own tokenizer (`IndexTokenizer`); each word
    /// becomes an `IndexTermPattern` (inside, ending, whole or starting a term). Whole terms and term
    /// starts are FTS5 lookups; the terms a word lies inside or ends are found by one scan of the FTS5
    /// vocabulary (`fts5vocab`), then looked up as an OR of quoted terms (no user syntax reaches FTS5).
    /// A word inside more than `wordExpansionLimit` terms constrains nothing, nor do words that need the
    /// scan when the catalog is far larger than the mailbox (`scansVocabulary`). TEXT constrains nothing
    /// (RFC 3501: it covers every header field, and the index holds only some), nor does a value
    /// without letters or digits; nil when no term constrains.
    public func searchCandidates(_ terms: [SearchTextTerm], in name: String, of email: String) async throws
        -> [UInt32]?
    {
        var constraints: [Catalog.TermConstraint] = []
        for term in terms {
            guard let columns = Catalog.indexedColumns(term.field) else { continue }
            let words = try await IndexTokenizer.terms(term.value)
            guard !words.isEmpty else { continue }
            constraints.append(Catalog.TermConstraint(columns: columns, patterns: IndexTermPattern.patterns(forWords: words),
                                              isBody: term.field == .body))
        }
        return try await pool.read { [constraints] db -> [UInt32]? in
            let box = try Catalog.mailboxRow(name, of: email, in: db)
            // Drafts, messages without a row, and messages without a document (a rebuild pending).
            var clauses = ["mm.envelope_segment = 0", "m.id IS NULL",
                           "NOT EXISTS (SELECT 1 FROM message_fts_docsize d WHERE d.id = m.id)"]
            var arguments: StatementArguments = [box.id]
            switch try Catalog.ftsRestriction(constraints, mailbox: box.id, in: db) {
            case .unconstrained:
                return nil
            case .noMatch:
                break
            case .match(let query):
                clauses.append("m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)")
                arguments += [query]
            }
            if constraints.contains(where: \.isBody) { clauses.append("m.body_text_cut != 0") }
            return try Int64.fetchAll(db, sql: """
                SELECT mm.uid FROM mailbox_message mm LEFT JOIN message m ON m.sha256 = mm.sha256
                WHERE mm.mailbox = ? AND (\(clauses.joined(separator: " OR ")))
                ORDER BY mm.uid
                """, arguments: arguments).map { UInt32($0) }
        }
    }
}
