import GRDB
import MailMessage
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `tresor verify`'s check of the derived index: everything `reindex` would write for a message —
/// its `message` row, its `delivery` rows, its `address` rows, its `message_fts` document, its
/// `attachment` rows and `attachment_fts` document — derived again from the archived bytes and
/// envelopes with the very functions indexing uses (`PreparedMessage`, `PreparedDelivery`,
/// `FullTextDocument`), and compared with what the catalog holds. Someone with a shell can edit
/// those rows (hide a word, an address, an attachment's text from legal search); the archive is
/// the record, so a difference is a finding that `tresor reindex` mends.
///
/// The full-text documents are compared term by term: FTS5's `fts5vocab` "instance" view lists
/// every (term, document, column, position) of an index; each side's instances are hashed into one
/// sum per document and column (the expected side by tokenizing the derived values in a private
/// in-memory database with the same tokenizer). Read only: the vocabulary views live in the
/// connection's `temp` schema.

/// What the archive says about one indexed message, for the comparison.
public struct DerivedSource: Sendable {
    public var row: Int64
    public var sha256: String
    public var message: Message
    /// Every envelope record of the archive that names this body, by location (purged ones left out).
    public var envelopes: [RecordLocation: Envelope]
    /// False when a purge removed some delivery of this body: the catalog keeps what that delivery
    /// added (addresses, received times), which the archive no longer shows, so those are not compared.
    public var envelopesComplete: Bool
    /// What the attachment indexer must have recorded; nil when it has not read this message yet.
    public var attachments: DerivedAttachments?

    public init(row: Int64, sha256: String, message: Message, envelopes: [RecordLocation: Envelope],
                envelopesComplete: Bool, attachments: DerivedAttachments?) {
        self.row = row
        self.sha256 = sha256
        self.message = message
        self.envelopes = envelopes
        self.envelopesComplete = envelopesComplete
        self.attachments = attachments
    }
}

/// The attachment rows and text a message's reading yields.
public struct DerivedAttachments: Sendable {
    public var records: [AttachmentRecord]
    public var text: String
    /// False when some attachment's outcome could not be derived here (a PDF and no `pdftotext`
    /// on this machine): then states and text are not compared, names, types and sizes are.
    public var outcomesKnown: Bool

    public init(records: [AttachmentRecord], text: String, outcomesKnown: Bool) {
        self.records = records
        self.text = text
        self.outcomesKnown = outcomesKnown
    }
}

/// A message row to check, and where its body is.
public struct IndexedMessageRow: Sendable, Hashable {
    public var row: Int64
    public var sha256: String
    public var body: RecordLocation
    public var hasAttachments: Bool
    /// Whether the attachment indexer has read it (its rows must then be what a reading yields).
    public var attachmentsRead: Bool
}

/// One difference between a derived row and the catalog's.
public struct DerivedRowFinding: Sendable, Hashable, CustomStringConvertible {
    public var sha256: String
    public var row: Int64
    /// `message`, `delivery`, `address`, `message_fts`, `attachment`, `attachment_fts`.
    public var table: String
    public var detail: String

    public init(sha256: String, row: Int64, table: String, detail: String) {
        self.sha256 = sha256
        self.row = row
        self.table = table
        self.detail = detail
    }

    public var description: String { "message \(sha256) (row \(row)), \(table): \(detail)" }
}

/// The catalog's side, read once before the messages are compared batch by batch: the term sums of
/// both full-text indexes, and how far indexing got.
public struct DerivedIndexState: Sendable {
    /// message id → one sum per `message_fts` column.
    var documents: [Int64: [UInt64]]
    /// message id → the sum of its `attachment_fts` document.
    var attachmentDocuments: [Int64: UInt64]
    /// The newest message row when the sums were taken: rows after it (a server delivering
    /// meanwhile) are not checked.
    public var lastRow: Int64
    public var fullTextIsCurrent: Bool
    public var attachmentsReadThrough: Int64
}

extension CatalogMessages {
    /// Reads the catalog's term sums (one pass over each index) and where indexing stands.
    public func derivedIndexState() async throws -> DerivedIndexState {
        try await pool.read { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.verify_message_terms USING fts5vocab(main, message_fts, instance);
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.verify_attachment_terms USING fts5vocab(main, attachment_fts, instance);
                """)
            let documents = try TermSums.read(db, view: "temp.verify_message_terms", columns: TermSums.messageColumns)
            let attachments = try TermSums.read(db, view: "temp.verify_attachment_terms", columns: ["text"])
            return DerivedIndexState(
                documents: documents, attachmentDocuments: attachments.mapValues { $0[0] },
                lastRow: try Int64.fetchOne(db, sql: "SELECT max(id) FROM message") ?? 0,
                fullTextIsCurrent: try Int64.fetchOne(db, sql: "SELECT value FROM catalog_state WHERE key = 'full_text_format'")
                    == Catalog.fullTextFormat,
                attachmentsReadThrough: try Int64.fetchOne(
                    db, sql: "SELECT value FROM catalog_state WHERE key = 'attachments_read_through'") ?? 0)
        }
    }

    /// The message rows after `after` up to `through`, in id order, at most `limit`.
    public func messageRowsToCheck(after: Int64, through: Int64, attachmentsReadThrough: Int64, limit: Int)
        async throws -> [IndexedMessageRow]
    {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, sha256, body_segment, body_offset, has_attachments FROM message
                WHERE id > ? AND id <= ? ORDER BY id LIMIT ?
                """, arguments: [after, through, limit]).map { row in
                let id: Int64 = row[0]
                let hasAttachments: Bool = row[4]
                return IndexedMessageRow(
                    row: id, sha256: row[1],
                    body: RecordLocation(segment: UInt32(row[2] as Int64), offset: UInt64(row[3] as Int64)),
                    hasAttachments: hasAttachments, attachmentsRead: hasAttachments && id <= attachmentsReadThrough)
            }
        }
    }

    /// Compares each source's derived rows with the catalog's; every difference, by message.
    public func compareDerivedRows(_ sources: [DerivedSource], state: DerivedIndexState) async throws
        -> [DerivedRowFinding]
    {
        // Only the envelopes of the catalog's own delivery rows count: one still awaiting recovery
        // is the catalog check's to report, not a difference in every row it would add.
        let named = try await pool.read { db in
            var named: [Int64: Set<RecordLocation>] = [:]
            for source in sources { named[source.row] = Set(try DerivedRowCheck.deliveryLocations(db, message: source.row)) }
            return named
        }
        let delivered = sources.map { source in
            var copy = source
            copy.envelopes = source.envelopes.filter { named[source.row]?.contains($0.key) ?? false }
            return copy
        }
        let expected = await Catalog.prepareDerived(delivered)
        let expectedSums = try await ExpectedTerms.sums(expected, checkText: state.fullTextIsCurrent)
        return try await pool.read { db in
            var findings: [DerivedRowFinding] = []
            for derived in expected {
                var check = DerivedRowCheck(derived: derived, findings: [])
                try check.compareMessage(db)
                try check.compareDeliveriesAndAddresses(db)
                // A message without a document is the full-text coverage check's finding already.
                if state.fullTextIsCurrent, let catalogSums = state.documents[derived.source.row] {
                    check.compareDocument(catalog: catalogSums, expected: expectedSums.documents[derived.source.row]
                        ?? [UInt64](repeating: 0, count: TermSums.messageColumns.count))
                }
                try check.compareAttachments(db, catalogSum: state.attachmentDocuments[derived.source.row],
                                             expectedSum: expectedSums.attachments[derived.source.row])
                findings += check.findings
            }
            return findings
        }
    }
}

/// One source with everything derived from it, computed off the database's threads.
struct DerivedMessage: Sendable {
    let source: DerivedSource
    let prepared: PreparedMessage
    let size: Int
    /// The address rows the envelopes add, per envelope location.
    let envelopeAddresses: [RecordLocation: [PreparedAddress]]
}

extension Catalog {
    static func prepareDerived(_ sources: [DerivedSource]) async -> [DerivedMessage] {
        await withTaskGroup(of: [DerivedMessage].self) { group in
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, sources.count / 8))
            let size = max(1, (sources.count + workers - 1) / workers)
            for start in stride(from: 0, to: sources.count, by: size) {
                let slice = Array(sources[start..<min(sources.count, start + size)])
                group.addTask {
                    slice.map { source in
                        let prepared = PreparedMessage(source.message)
                        return DerivedMessage(
                            source: source, prepared: prepared, size: source.message.raw.count,
                            envelopeAddresses: source.envelopes.mapValues {
                                PreparedDelivery.envelopeAddresses($0, headerRecipients: prepared.headerRecipients)
                            })
                    }
                }
            }
            var all: [DerivedMessage] = []
            for await part in group { all += part }
            return all.sorted { $0.source.row < $1.source.row }
        }
    }
}

/// The comparison of one message; collects its findings.
struct DerivedRowCheck {
    let derived: DerivedMessage
    var findings: [DerivedRowFinding]
    /// The envelopes of the catalog's delivery rows that the archive holds (read by
    /// `compareDeliveriesAndAddresses`): the expected address rows and document come from these, so
    /// that a delivery still awaiting recovery is not counted twice as missing.
    var envelopes: [Envelope] = []
    var envelopeAddresses: [PreparedAddress] = []

    init(derived: DerivedMessage, findings: [DerivedRowFinding]) {
        self.derived = derived
        self.findings = findings
    }

    var source: DerivedSource { derived.source }

    mutating func add(_ table: String, _ detail: String) {
        findings.append(DerivedRowFinding(sha256: source.sha256, row: source.row, table: table, detail: detail))
    }

    /// The `message` row's columns against the parsed message (and, when every delivery is still in
    /// the archive, the times its deliveries set).
    mutating func compareMessage(_ db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT date, sort_date, archived_at, received_at, subject, from_list, sender_list, reply_to_list, to_list,
                   cc_list, bcc_list, message_id, message_id_key, size, has_attachments, attachments, body_text_cut
            FROM message WHERE id = ?
            """, arguments: [source.row]) else { return }
        let message = derived.prepared
        var expected: [(String, DatabaseValue)] = [
            ("date", message.date.databaseValue), ("subject", message.subject.databaseValue),
            ("from_list", message.fromList.databaseValue), ("sender_list", message.senderList.databaseValue),
            ("reply_to_list", message.replyToList.databaseValue), ("to_list", message.toList.databaseValue),
            ("cc_list", message.ccList.databaseValue), ("bcc_list", message.bccList.databaseValue),
            ("message_id", message.messageID.databaseValue), ("message_id_key", message.messageIDKey.databaseValue),
            ("size", derived.size.databaseValue), ("has_attachments", message.hasAttachments.databaseValue),
            ("attachments", message.attachments.databaseValue), ("body_text_cut", message.bodyTextCut.databaseValue),
        ]
        let deliveries = try Self.deliveryLocations(db, message: source.row).compactMap { source.envelopes[$0] }
        if source.envelopesComplete, !deliveries.isEmpty {
            let archived = deliveries.map(\.archiveTime.timeIntervalSince1970).min()!
            expected += [
                ("archived_at", archived.databaseValue), ("sort_date", (message.date ?? archived).databaseValue),
                ("received_at", deliveries.map(\.receivedAt.timeIntervalSince1970).max()!.databaseValue),
            ]
        }
        let differing = expected.filter { !Self.same(row[$0.0], $0.1, column: $0.0) }.map { $0.0 }
        if !differing.isEmpty {
            add("message", "column(s) \(differing.joined(separator: ", ")) differ from the archived message")
        }
    }

    /// The time columns: a live delivery indexes its envelope's times at full precision, while the
    /// envelope record keeps milliseconds; within a millisecond they are the same time.
    static let timeColumns: Set<String> = ["date", "sort_date", "archived_at", "received_at"]

    static func same(_ stored: DatabaseValue, _ expected: DatabaseValue, column: String) -> Bool {
        guard timeColumns.contains(column), let a = Double.fromDatabaseValue(stored),
            let b = Double.fromDatabaseValue(expected)
        else { return stored == expected }
        return abs(a - b) <= 0.001
    }

    static func deliveryLocations(_ db: Database, message: Int64) throws -> [RecordLocation] {
        try Row.fetchAll(db, sql: "SELECT envelope_segment, envelope_offset FROM delivery WHERE message = ?",
                         arguments: [message]).map { RecordLocation(segment: UInt32($0[0] as Int64), offset: UInt64($0[1] as Int64)) }
    }

    /// Each `delivery` row against its envelope record, then the `address` rows against the
    /// message's header addresses and its envelopes'.
    mutating func compareDeliveriesAndAddresses(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT envelope_segment, envelope_offset, mail_from, recipients, received_at, client_address, helo,
                   authenticated_user, direction, source, source_key, source_detail, received_source, archived_at,
                   auth_results
            FROM delivery WHERE message = ? ORDER BY envelope_segment, envelope_offset
            """, arguments: [source.row])
        if rows.isEmpty { add("delivery", "the message row has no delivery row (every message arrived at least once)") }
        for row in rows {
            let location = RecordLocation(segment: UInt32(row[0] as Int64), offset: UInt64(row[1] as Int64))
            // A delivery the archive does not hold is a finding of the catalog check already.
            guard let envelope = source.envelopes[location] else { continue }
            envelopes.append(envelope)
            envelopeAddresses += derived.envelopeAddresses[location] ?? []
            let expected: [(String, DatabaseValue)] = [
                ("mail_from", envelope.mailFrom.databaseValue),
                ("recipients", envelope.recipients.map(Catalog.oneLine).joined(separator: "\n").databaseValue),
                ("received_at", envelope.receivedAt.timeIntervalSince1970.databaseValue),
                ("client_address", envelope.clientAddress.databaseValue), ("helo", envelope.helo.databaseValue),
                ("authenticated_user", envelope.authenticatedUser.databaseValue),
                ("direction", envelope.direction.rawValue.databaseValue),
                ("source", envelope.source.description.databaseValue),
                ("source_key", TextFolding.key(envelope.source.description).databaseValue),
                ("source_detail", envelope.sourceDetail.databaseValue),
                ("received_source", (envelope.receivedFrom ?? .archive).rawValue.databaseValue),
                ("archived_at", envelope.archiveTime.timeIntervalSince1970.databaseValue),
                // What `auth:` queries answer from: an edit could hide a DMARC fail from a search.
                ("auth_results", CatalogSchema.authResultsColumn(envelope.authenticationResults).databaseValue),
            ]
            let differing = expected.filter { !Self.same(row[$0.0], $0.1, column: $0.0) }.map { $0.0 }
            if !differing.isEmpty {
                add("delivery", "row of envelope record \(location): column(s) \(differing.joined(separator: ", ")) "
                    + "differ from the envelope")
            }
        }
        let stored = Set(try Row.fetchAll(db, sql: "SELECT role, address, rdomain FROM address WHERE message = ?",
                                          arguments: [source.row]).map { AddressRow(role: $0[0], address: $0[1], rdomain: $0[2]) })
        let header = derived.prepared.addresses.map(AddressRow.init)
        let expected = Set(header + envelopeAddresses.map(AddressRow.init))
        let missing = expected.subtracting(stored)
        // After a partial purge the removed delivery's envelope addresses stay (the archive no longer
        // shows them): only rows the message's own header and remaining envelopes cannot explain
        // are then… unexplainable, so extra envelope rows are let be.
        let headerRoles = Set([AddressRole.from, .sender, .replyTo, .to, .cc].map(\.rawValue))
        let extra = stored.subtracting(expected).filter { source.envelopesComplete || headerRoles.contains($0.role) }
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing " + missing.sorted().map(\.description).joined(separator: ", ")) }
            if !extra.isEmpty { parts.append("not in the archive " + extra.sorted().map(\.description).joined(separator: ", ")) }
            add("address", parts.joined(separator: "; "))
        }
    }

    /// The expected document's envelope address rows (bcc, env-from, env-to), in the order
    /// `FullTextStatements.envelopeAddresses` reads them (SQLite's BINARY collation: UTF-8 bytes).
    var documentAddressRows: [(role: String, address: String)] {
        let roles = Set([AddressRole.bcc, .envelopeFrom, .envelopeTo].map(\.rawValue))
        let rows = Set((derived.prepared.addresses + envelopeAddresses).map(AddressRow.init).filter { roles.contains($0.role) })
        return rows.sorted().map { (role: $0.role, address: $0.address) }
    }

    /// The document's terms, column by column; with a delivery purged, the columns its envelope
    /// fed (bcc_text, participant) are not compared.
    mutating func compareDocument(catalog: [UInt64], expected: [UInt64]) {
        let compared = source.envelopesComplete ? TermSums.messageColumns.indices : 0..<6
        let differing = compared.filter { catalog[$0] != expected[$0] }.map { TermSums.messageColumns[$0] }
        if !differing.isEmpty {
            add("message_fts", "the words of column(s) \(differing.joined(separator: ", ")) differ from the archived message's")
        }
    }

    /// The `attachment` rows and `attachment_fts` document against a reading of the archived
    /// attachments; a message not read yet must have neither.
    mutating func compareAttachments(_ db: Database, catalogSum: UInt64?, expectedSum: UInt64?) throws {
        let stored = try Row.fetchAll(db, sql: """
            SELECT position, part, file_name, media_type, size, state FROM attachment WHERE message = ? ORDER BY position
            """, arguments: [source.row]).map { row in
            AttachmentRecord(position: row[0], part: row[1], fileName: row[2], mediaType: row[3], size: row[4], state: row[5])
        }
        let storedText = try String.fetchOne(db, sql: "SELECT text FROM attachment_fts WHERE rowid = ?", arguments: [source.row])
        guard let reading = source.attachments else {
            if !stored.isEmpty || storedText != nil || catalogSum != nil {
                add("attachment", "rows or text for a message whose attachments the indexer has not read")
            }
            return
        }
        func shape(_ record: AttachmentRecord, state: Bool) -> AttachmentRecord {
            var copy = record
            if !state { copy.state = "" }
            return copy
        }
        let known = reading.outcomesKnown
        let storedShape = stored.map { shape($0, state: known) }, expectedShape = reading.records.map { shape($0, state: known) }
        if storedShape != expectedShape {
            var parts: [String] = []
            for position in 0..<max(stored.count, reading.records.count) {
                let have = position < stored.count ? storedShape[position] : nil
                let want = position < reading.records.count ? expectedShape[position] : nil
                guard have != want else { continue }
                parts.append("#\(position): catalog \(have.map(AttachmentRecord.describe) ?? "none"), archive "
                    + (want.map(AttachmentRecord.describe) ?? "none"))
            }
            add("attachment", parts.joined(separator: "; "))
        }
        guard known else { return }
        let text = SearchFolding.fold(reading.text)
        let expectedText: String? = reading.text.isEmpty ? nil : text
        if storedText != expectedText {
            add("attachment_fts", "the stored text of the attachments differs from a reading of the archived ones")
        } else if catalogSum != expectedSum {
            add("attachment_fts", "the indexed words of the attachments differ from a reading of the archived ones")
        }
    }
}

/// One `address` row, comparable and sortable (role, then address, by UTF-8 bytes as SQLite sorts).
struct AddressRow: Hashable, Comparable, CustomStringConvertible {
    var role: String
    var address: String
    var rdomain: String

    init(role: String, address: String, rdomain: String) {
        self.role = role
        self.address = address
        self.rdomain = rdomain
    }

    init(_ prepared: PreparedAddress) {
        self.init(role: prepared.role, address: prepared.address, rdomain: prepared.rdomain)
    }

    static func < (lhs: AddressRow, rhs: AddressRow) -> Bool {
        if lhs.role != rhs.role { return lhs.role.utf8.lexicographicallyPrecedes(rhs.role.utf8) }
        return lhs.address.utf8.lexicographicallyPrecedes(rhs.address.utf8)
    }

    var description: String { "\(role) \(address)" }
}

extension AttachmentRecord {
    static func describe(_ record: AttachmentRecord) -> String {
        "part \(record.part) \"\(record.fileName ?? "")\" \(record.mediaType) \(record.size) bytes"
            + (record.state.isEmpty ? "" : " \(record.state)")
    }
}

/// Term sums: per document and column, the wrapping sum of a 64-bit hash of each (position, term)
/// instance. Equal documents give equal sums; a word added, removed, changed or moved changes them.
enum TermSums {
    static let messageColumns = ["subject", "body", "attachment", "from_text", "to_text", "cc_text", "bcc_text",
                                 "participant"]

    /// One pass over an `fts5vocab` instance view.
    static func read(_ db: Database, view: String, columns: [String]) throws -> [Int64: [UInt64]] {
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var sums: [Int64: [UInt64]] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT doc, col, offset, term FROM \(view)")
        while let row = try cursor.next() {
            let doc: Int64 = row[0]
            guard let column = index[row[1] as String] else { continue }
            let term: String = row[3]
            sums[doc, default: [UInt64](repeating: 0, count: columns.count)][column] &+= hash(offset: row[2], term: term)
        }
        return sums
    }

    /// FNV-1a over the term's bytes, the position mixed in, then SplitMix64's finalizer.
    static func hash(offset: Int64, term: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in term.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        h ^= UInt64(bitPattern: offset) &* 0x9e37_79b9_7f4a_7c15
        h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }
}

/// The expected documents' term sums: the derived values indexed into a private in-memory database
/// with the catalog's tokenizer, read back through the same views, and rolled back.
enum ExpectedTerms {
    struct Sums: Sendable {
        var documents: [Int64: [UInt64]] = [:]
        var attachments: [Int64: UInt64] = [:]
    }

    static func sums(_ messages: [DerivedMessage], checkText: Bool) async throws -> Sums {
        let queue = try DatabaseQueue()
        let columns = TermSums.messageColumns.joined(separator: ", ")
        return try await queue.writeWithoutTransaction { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE expected_fts USING fts5(\(columns), tokenize = "\(IndexTokenizer.declaration)", content = '');
                CREATE VIRTUAL TABLE expected_fts_terms USING fts5vocab(expected_fts, instance);
                CREATE VIRTUAL TABLE expected_attachment USING fts5(text, tokenize = "\(IndexTokenizer.declaration)");
                CREATE VIRTUAL TABLE expected_attachment_terms USING fts5vocab(expected_attachment, instance);
                """)
            let insert = try db.makeStatement(sql: """
                INSERT INTO expected_fts (rowid, \(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let attachment = try db.makeStatement(sql: "INSERT INTO expected_attachment (rowid, text) VALUES (?, ?)")
            var sums = Sums()
            try db.inTransaction {
                for message in messages {
                    if checkText {
                        var check = DerivedRowCheck(derived: message, findings: [])
                        check.envelopeAddresses = message.envelopeAddresses.values.flatMap { $0 }
                        let document = FullTextDocument(message.prepared, envelope: check.documentAddressRows)
                        try insert.execute(arguments: StatementArguments(
                            [message.source.row] + document.values.map { $0 as any DatabaseValueConvertible }))
                    }
                    if let reading = message.source.attachments, reading.outcomesKnown, !reading.text.isEmpty {
                        try attachment.execute(arguments: [message.source.row, SearchFolding.fold(reading.text)])
                    }
                }
                sums.documents = try TermSums.read(db, view: "expected_fts_terms", columns: TermSums.messageColumns)
                sums.attachments = try TermSums.read(db, view: "expected_attachment_terms", columns: ["text"])
                    .mapValues { $0[0] }
                return .rollback
            }
            return sums
        }
    }
}
