import ArchiveStore
import Foundation
import GRDB
import MailMessage

extension Catalog {
    /// Indexes deliveries whose archive appends are already durable, in ONE transaction (group
    /// commit). Idempotent on the envelope location: a delivery already indexed is skipped.
    public func index(_ items: [IndexItem]) async throws {
        guard !items.isEmpty else { return }
        try await pool.write { db in
            for item in items { try Self.index(item, in: db) }
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

    // MARK: - One delivery

    private static func index(_ item: IndexItem, in db: Database) throws {
        let receipt = item.receipt, envelope = item.envelope, message = item.message
        // SQLite integers are signed 64-bit; a location beyond that is corrupt input, not a trap.
        guard let envelopeOffset = Int64(exactly: receipt.envelope.offset) else {
            throw CatalogError.locationOutOfRange(receipt.envelope)
        }
        guard Int64(exactly: receipt.body.offset) != nil else { throw CatalogError.locationOutOfRange(receipt.body) }
        let exists = try Bool.fetchOne(
            db,
            SQLRequest(literal: """
                SELECT 1 FROM delivery WHERE envelope_segment = \(Int64(receipt.envelope.segment)) \
                AND envelope_offset = \(envelopeOffset)
                """)) ?? false
        if exists { return }

        let archivedAt = envelope.receivedAt.timeIntervalSince1970
        let messageRow: Int64
        if let row = try Row.fetchOne(
            db, SQLRequest(literal: "SELECT id, date, archived_at FROM message WHERE sha256 = \(receipt.sha256.lowercased())"))
        {
            messageRow = row[0]
            let date: Double? = row[1]
            if archivedAt < row[2] as Double {
                try db.execute(
                    literal: """
                        UPDATE message SET archived_at = \(archivedAt), sort_date = \(date ?? archivedAt)
                        WHERE id = \(messageRow)
                        """)
            }
        } else {
            messageRow = try insertMessage(message, receipt: receipt, archivedAt: archivedAt, in: db)
        }

        try db.execute(
            literal: """
                INSERT INTO delivery (message, envelope_segment, envelope_offset, mail_from, recipients, received_at,
                    client_address, helo, authenticated_user, direction, source, source_key, source_detail)
                VALUES (\(messageRow), \(Int64(receipt.envelope.segment)), \(envelopeOffset), \
                \(envelope.mailFrom), \(envelope.recipients.map(Self.oneLine).joined(separator: "\n")), \
                \(archivedAt), \(envelope.clientAddress), \(envelope.helo), \(envelope.authenticatedUser), \
                \(envelope.direction.rawValue), \(envelope.source), \(TextFolding.key(envelope.source)), \
                \(envelope.sourceDetail))
                """)

        // Envelope addresses, and the blind recipients they reveal.
        let headerRecipients = Set((message.to + message.cc).map { Self.addressKey($0.mailbox) })
        var envelopeAddresses: [(AddressRole, String)] = []
        let sender = Self.addressKey(envelope.mailFrom)
        if !sender.isEmpty { envelopeAddresses.append((.envelopeFrom, sender)) }
        for recipient in envelope.recipients.map(Self.addressKey) where !recipient.isEmpty {
            envelopeAddresses.append((.envelopeTo, recipient))
            if !headerRecipients.contains(recipient) { envelopeAddresses.append((.bcc, recipient)) }
        }
        for (role, address) in envelopeAddresses {
            try insertAddress(message: messageRow, role: role, address: address, in: db)
        }
        try writeFullText(message, row: messageRow, in: db)
    }

    private static func insertMessage(
        _ message: Message, receipt: AppendReceipt, archivedAt: Double, in db: Database
    ) throws -> Int64 {
        let date = message.date?.timeIntervalSince1970
        let messageID = message.messageID.map(Self.bareMessageID)
        let attachments = message.attachmentFileNames.map(Self.oneLine)
        try db.execute(
            literal: """
                INSERT INTO message (sha256, date, sort_date, archived_at, subject, from_list, sender_list,
                    reply_to_list, to_list, cc_list, bcc_list, message_id, message_id_key, size, has_attachments,
                    attachments, body_segment, body_offset)
                VALUES (\(receipt.sha256.lowercased()), \(date), \(date ?? archivedAt), \(archivedAt), \
                \(message.subject), \(rendered(message.from)), \(rendered(message.sender)), \
                \(rendered(message.replyTo)), \(rendered(message.to)), \(rendered(message.cc)), \
                \(rendered(message.bcc)), \(messageID), \(messageID.map(TextFolding.key)), \(receipt.size), \
                \(message.hasAttachments), \(attachments.joined(separator: "\n")), \
                \(Int64(receipt.body.segment)), \(Int64(receipt.body.offset)))
                """)
        let row = db.lastInsertedRowID
        let roles: [(AddressRole, [Address])] = [
            (.from, message.from), (.sender, message.sender), (.replyTo, message.replyTo),
            (.to, message.to), (.cc, message.cc), (.bcc, message.bcc),
        ]
        for (role, addresses) in roles {
            for address in addresses {
                let key = addressKey(address.mailbox)
                guard !key.isEmpty else { continue }
                try insertAddress(message: row, role: role, address: key, in: db)
            }
        }
        return row
    }

    private static func insertAddress(
        message: Int64, role: AddressRole, address: String, in db: Database
    ) throws {
        let rdomain = AddressRole.reversedDomain(AddressRole.domain(ofAddress: address))
        try db.execute(
            literal: """
                INSERT OR IGNORE INTO address (message, role, address, rdomain)
                VALUES (\(message), \(role.rawValue), \(address), \(rdomain))
                """)
    }

    /// Rewrites the message's FTS5 row. Subject, body and attachment names come from the stored
    /// row when there is one (the body text is extracted once per distinct message); the address
    /// columns are recomputed from the headers plus every delivery's envelope.
    private static func writeFullText(_ message: Message, row: Int64, in db: Database) throws {
        let subject: String, body: String, attachment: String
        if let stored = try Row.fetchOne(
            db, SQLRequest(literal: "SELECT subject, body, attachment FROM message_fts WHERE rowid = \(row)"))
        {
            (subject, body, attachment) = (stored[0], stored[1], stored[2])
            try db.execute(literal: "DELETE FROM message_fts WHERE rowid = \(row)")
        } else {
            subject = message.subject ?? ""
            body = message.plainText()
            attachment = message.attachmentFileNames.joined(separator: "\n")
        }
        let envelopeRows = try Row.fetchAll(
            db,
            SQLRequest(literal: """
                SELECT role, address FROM address WHERE message = \(row)
                AND role IN (\(AddressRole.bcc.rawValue), \(AddressRole.envelopeFrom.rawValue), \
                \(AddressRole.envelopeTo.rawValue))
                """))
        let blind = envelopeRows.filter { $0[0] == AddressRole.bcc.rawValue }.map { $0[1] as String }
        let envelopeParticipants = envelopeRows.filter { $0[0] != AddressRole.bcc.rawValue }.map { $0[1] as String }
        let headers = message.from + message.sender + message.replyTo + message.to + message.cc + message.bcc
        let participant = searchable(headers) + "\n" + envelopeParticipants.joined(separator: "\n")
        try db.execute(
            literal: """
                INSERT INTO message_fts (rowid, subject, body, attachment, from_text, to_text, cc_text, bcc_text,
                    participant)
                VALUES (\(row), \(subject), \(body), \(attachment), \(searchable(message.from)), \
                \(searchable(message.to)), \(searchable(message.cc)), \
                \(searchable(message.bcc) + "\n" + blind.joined(separator: "\n")), \(participant))
                """)
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
