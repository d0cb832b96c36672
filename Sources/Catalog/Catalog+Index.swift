import Foundation
import GRDB
import QueryLanguage
import MailMessage
import StoreModel

extension Catalog {
    static func prepareConcurrently(_ items: [IndexItem]) async -> [PreparedDelivery] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, items.count / 8))
        if workers == 1 { return items.map(PreparedDelivery.init) }
        return await withTaskGroup(of: (Int, [PreparedDelivery]).self) { group in
            let size = (items.count + workers - 1) / workers
            for (index, start) in stride(from: 0, to: items.count, by: size).enumerated() {
                let slice = Array(items[start..<min(items.count, start + size)])
                group.addTask { (index, slice.map(PreparedDelivery.init)) }
            }
            var parts = [[PreparedDelivery]](repeating: [], count: workers)
            for await (index, part) in group { parts[index] = part }
            return parts.flatMap { $0 }
        }
    }

    // MARK: - One delivery

    static func index(_ item: PreparedDelivery, statements: IndexStatements, in db: Database) throws {
        let receipt = item.receipt, envelope = item.envelope
        // SQLite integers are signed 64-bit; a location beyond that is corrupt input, not a trap.
        guard let envelopeOffset = Int64(exactly: receipt.envelope.offset) else {
            throw CatalogError.locationOutOfRange(receipt.envelope)
        }
        guard let bodyOffset = Int64(exactly: receipt.body.offset) else {
            throw CatalogError.locationOutOfRange(receipt.body)
        }
        let envelopeSegment = Int64(receipt.envelope.segment)
        if try Bool.fetchOne(statements.deliveryExists, arguments: [envelopeSegment, envelopeOffset]) ?? false {
            return
        }

        let archivedAt = envelope.archiveTime.timeIntervalSince1970
        let receivedAt = envelope.receivedAt.timeIntervalSince1970
        let messageRow: Int64
        let isNewMessage: Bool
        if let row = try Row.fetchOne(statements.findMessage, arguments: [item.sha256]) {
            messageRow = row[0]
            isNewMessage = false
            let date: Double? = row[1]
            if archivedAt < row[2] as Double {
                try statements.updateArchivedAt.execute(arguments: [archivedAt, date ?? archivedAt, messageRow])
            }
            // Retention counts from the latest receipt: a message received again is kept for that
            // receipt's period too.
            if receivedAt > (row[3] as Double? ?? -Double.infinity) {
                try statements.updateReceivedAt.execute(arguments: [receivedAt, messageRow])
            }
        } else {
            let message = item.message
            try statements.insertMessage.execute(arguments: [
                item.sha256, message.date, message.date ?? archivedAt, archivedAt, receivedAt, message.subject,
                message.fromList, message.senderList, message.replyToList, message.toList, message.ccList,
                message.bccList, message.messageID, message.messageIDKey, receipt.size, message.hasAttachments,
                message.attachments, Int64(receipt.body.segment), bodyOffset, message.bodyTextCut,
            ])
            messageRow = db.lastInsertedRowID
            isNewMessage = true
            for address in message.addresses {
                try statements.insertAddress.execute(arguments: [messageRow, address.role, address.address, address.rdomain])
            }
        }

        try statements.insertDelivery.execute(arguments: [
            messageRow, envelopeSegment, envelopeOffset, envelope.mailFrom, item.recipients, receivedAt,
            envelope.clientAddress, envelope.helo, envelope.authenticatedUser, envelope.direction.rawValue,
            envelope.source.description, item.sourceKey, envelope.sourceDetail,
            (envelope.receivedFrom ?? .archive).rawValue, archivedAt,
            CatalogSchema.authResultsColumn(envelope.authenticationResults),
        ])
        for floor in envelope.retentionFloors ?? [] {
            try statements.insertFloor.execute(arguments: [
                messageRow, floor.policy, floor.policyHash, floor.until.timeIntervalSince1970, envelopeSegment,
                envelopeOffset,
            ])
        }
        // The document as it stands, before this delivery's envelope may change its address columns.
        var previous: FullTextDocument?
        if !isNewMessage, try statements.fullText.hasDocument(messageRow) {
            previous = try statements.fullText.document(of: item.message, row: messageRow)
        }
        for address in item.envelopeAddresses {
            try statements.insertAddress.execute(arguments: [messageRow, address.role, address.address, address.rdomain])
        }
        try writeFullText(item, row: messageRow, replacing: previous, statements: statements.fullText)
        // Restrictions are live: a message that arrives later (or a delivery that adds an
        // envelope recipient) joins every active restriction whose query now matches it.
        if !statements.restrictions.isEmpty {
            try restrictNewlyIndexed(message: messageRow, restrictions: statements.restrictions, in: db)
        }
    }

    /// Writes the message's `message_fts` document: for a further delivery of a stored message it
    /// replaces the previous one (removed with the values it was indexed with, the index being
    /// contentless) when this delivery's envelope added addresses, else leaves it as it is. The
    /// message is the same bytes (one row per SHA-256), so its own text is unchanged.
    fileprivate static func writeFullText(
        _ item: PreparedDelivery, row: Int64, replacing previous: FullTextDocument?, statements: FullTextStatements
    ) throws {
        let document = try statements.document(of: item.message, row: row)
        if let previous {
            guard previous != document else { return }
            try statements.delete(previous, row: row)
        }
        try statements.insert(document, row: row)
    }

    // MARK: - Normal forms

    /// The folded address used for exact matching: angle brackets and spaces dropped, case and
    /// diacritics folded. "" for the null reverse-path `<>`.
    static func addressKey(_ mailbox: String) -> String {
        var text = Substring(mailbox.trimmingWhitespace())
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return TextFolding.key(String(text).trimmingWhitespace())
    }

    /// A Message-ID without its angle brackets.
    static func bareMessageID(_ id: String) -> String {
        var text = Substring(id.trimmingWhitespace())
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return String(text)
    }

    /// `Name <mailbox>` (or the mailbox alone) per address, one per line.
    static func rendered(_ addresses: [Address]) -> String {
        addresses.map { address in
            if let name = address.displayName, !name.isEmpty { return oneLine("\(name) <\(address.mailbox)>") }
            return oneLine(address.mailbox)
        }.joined(separator: "\n")
    }

    /// Names and addresses for the FTS5 address columns (the tokenizer splits `alice@example.com`
    /// into `alice`, `example`, `com`, so `from:alice` and `from:example.com` find it).
    static func searchable(_ addresses: [Address]) -> String {
        addresses.map { address in
            [address.displayName, address.mailbox, address.group].compactMap { $0 }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }

    /// The stored list columns back as arrays.
    static func lines(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

/// The statements of one index transaction, prepared once (GRDB's statement cache).
struct IndexStatements {
    let deliveryExists, findMessage, updateArchivedAt, updateReceivedAt, insertMessage, insertAddress, insertDelivery,
        insertFloor: Statement
    let fullText: FullTextStatements
    /// The active restrictions, read once per transaction (none: nothing more is done per message).
    let restrictions: [(name: String, condition: SQL)]

    init(_ db: Database) throws {
        deliveryExists = try db.cachedStatement(sql: "SELECT 1 FROM delivery WHERE envelope_segment = ? AND envelope_offset = ?")
        findMessage = try db.cachedStatement(sql: "SELECT id, date, archived_at, received_at FROM message WHERE sha256 = ?")
        updateArchivedAt = try db.cachedStatement(sql: "UPDATE message SET archived_at = ?, sort_date = ? WHERE id = ?")
        updateReceivedAt = try db.cachedStatement(sql: "UPDATE message SET received_at = ? WHERE id = ?")
        insertMessage = try db.cachedStatement(sql: """
            INSERT INTO message (sha256, date, sort_date, archived_at, received_at, subject, from_list, sender_list,
                reply_to_list, to_list, cc_list, bcc_list, message_id, message_id_key, size, has_attachments,
                attachments, body_segment, body_offset, body_text_cut)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertFloor = try db.cachedStatement(sql: """
            INSERT INTO retention_floor (message, policy, policy_hash, until, envelope_segment, envelope_offset)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        insertAddress = try db.cachedStatement(sql: "INSERT OR IGNORE INTO address (message, role, address, rdomain) VALUES (?, ?, ?, ?)")
        insertDelivery = try db.cachedStatement(sql: """
            INSERT INTO delivery (message, envelope_segment, envelope_offset, mail_from, recipients, received_at,
                client_address, helo, authenticated_user, direction, source, source_key, source_detail,
                received_source, archived_at, auth_results)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        restrictions = try Catalog.activeRestrictionConditions(db)
        fullText = try FullTextStatements(db)
    }
}

/// One address row: its role, folded address and reversed domain.
struct PreparedAddress: Sendable {
    let role: String
    let address: String
    let rdomain: String

    init(_ role: AddressRole, _ address: String) {
        self.role = role.rawValue
        self.address = address
        self.rdomain = AddressRole.reversedDomain(AddressRole.domain(ofAddress: address))
    }
}

/// The columns of a message row and its FTS5 row, derived from the parsed message.
struct PreparedMessage: Sendable {
    let date: Double?
    let subject: String?
    let fromList, senderList, replyToList, toList, ccList, bccList: String
    let messageID: String?
    let messageIDKey: String?
    let hasAttachments: Bool
    let attachments: String
    let addresses: [PreparedAddress]
    let ftsSubject, ftsBody, ftsAttachment: String
    /// Whether `ftsBody` was cut at `Catalog.indexedBodyLimit` (IMAP SEARCH then reads the message).
    let bodyTextCut: Bool
    let fromText, toText, ccText, bccText, headerParticipants: String
    /// Folded To and Cc addresses: envelope recipients outside them are blind (Bcc).
    let headerRecipients: Set<String>

    init(_ message: Message) {
        typealias C = Catalog
        date = message.date?.timeIntervalSince1970
        subject = message.subject
        fromList = C.rendered(message.from)
        senderList = C.rendered(message.sender)
        replyToList = C.rendered(message.replyTo)
        toList = C.rendered(message.to)
        ccList = C.rendered(message.cc)
        bccList = C.rendered(message.bcc)
        messageID = message.messageID.map(C.bareMessageID)
        messageIDKey = messageID.map(TextFolding.key)
        hasAttachments = message.hasAttachments
        let names = message.attachmentFileNames
        attachments = names.map(C.oneLine).joined(separator: "\n")
        var addresses: [PreparedAddress] = []
        let roles: [(AddressRole, [Address])] = [
            (.from, message.from), (.sender, message.sender), (.replyTo, message.replyTo),
            (.to, message.to), (.cc, message.cc), (.bcc, message.bcc),
        ]
        for (role, list) in roles {
            for address in list {
                let key = C.addressKey(address.mailbox)
                if !key.isEmpty { addresses.append(PreparedAddress(role, key)) }
            }
        }
        self.addresses = addresses
        ftsSubject = message.subject ?? ""
        ftsBody = message.plainText(limit: Catalog.indexedBodyLimit)
        // A cut text ends within 4 bytes of the limit (a scalar boundary, or a part refused when full).
        bodyTextCut = ftsBody.utf8.count >= Catalog.indexedBodyLimit - 4
        ftsAttachment = names.joined(separator: "\n")
        fromText = C.searchable(message.from)
        toText = C.searchable(message.to)
        ccText = C.searchable(message.cc)
        bccText = C.searchable(message.bcc)
        headerParticipants = C.searchable(message.from + message.sender + message.replyTo + message.to + message.cc + message.bcc)
        headerRecipients = Set((message.to + message.cc).map { C.addressKey($0.mailbox) })
    }
}

/// One delivery ready for the write transaction.
struct PreparedDelivery: Sendable {
    let sha256: String
    let receipt: AppendReceipt
    let envelope: Envelope
    let message: PreparedMessage
    let recipients: String
    let sourceKey: String
    /// The envelope sender and recipients, and the blind recipients among them.
    let envelopeAddresses: [PreparedAddress]

    init(_ item: IndexItem) {
        sha256 = item.receipt.sha256.lowercased()
        receipt = item.receipt
        envelope = item.envelope
        message = PreparedMessage(item.message)
        recipients = item.envelope.recipients.map(Catalog.oneLine).joined(separator: "\n")
        sourceKey = TextFolding.key(item.envelope.source.description)
        envelopeAddresses = Self.envelopeAddresses(item.envelope, headerRecipients: message.headerRecipients)
    }

    /// The address rows one envelope adds: its sender, its recipients, and as blind (Bcc) those
    /// recipients not in the message's To or Cc (`headerRecipients`).
    static func envelopeAddresses(_ envelope: Envelope, headerRecipients: Set<String>) -> [PreparedAddress] {
        var addresses: [PreparedAddress] = []
        let sender = Catalog.addressKey(envelope.mailFrom)
        if !sender.isEmpty { addresses.append(PreparedAddress(.envelopeFrom, sender)) }
        for recipient in envelope.recipients.map(Catalog.addressKey) where !recipient.isEmpty {
            addresses.append(PreparedAddress(.envelopeTo, recipient))
            if !headerRecipients.contains(recipient) { addresses.append(PreparedAddress(.bcc, recipient)) }
        }
        return addresses
    }
}

extension CatalogMessages {
    /// Indexes deliveries whose archive appends are already durable, in ONE transaction (group
    /// commit). Idempotent on the envelope location: a delivery already indexed is skipped.
    ///
    /// Everything derived from a message (its text, folded addresses, list columns) is computed
    /// first, on every core; the write transaction on SQLite's single writer only runs cached
    /// statements, so that the writer — the one serial step — does as little as possible.
    public func index(_ items: [IndexItem]) async throws {
        guard !items.isEmpty else { return }
        let rows = await Catalog.prepareConcurrently(items)
        try await pool.write { db in
            let statements = try IndexStatements(db)
            for row in rows { try Catalog.index(row, statements: statements, in: db) }
        }
    }

    /// Whether a delivery of this body from this source (and source detail, if given) is indexed;
    /// lets `tresor import` report "already archived" instead of archiving a second delivery.
    public func hasDelivery(sha256: String, source: String, sourceDetail: String? = nil) async throws -> Bool {
        try await pool.read { db in
            var sql: SQL = """
                SELECT 1 FROM delivery d JOIN message m ON m.id = d.message
                WHERE m.sha256 = \(sha256.lowercased()) AND d.source_key = \(TextFolding.key(source))
                """
            if let sourceDetail { sql += " AND d.source_detail = \(sourceDetail)" }
            return try Bool.fetchOne(db, SQLRequest(literal: sql + " LIMIT 1")) ?? false
        }
    }
}
