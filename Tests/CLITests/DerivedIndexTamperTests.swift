import Foundation
import Testing
import TestSupport

/// Someone with a shell edits the catalog's derived index with sqlite3 — a word taken out of the
/// full-text index, an address row, an attachment's text or extraction state — to hide a message
/// from legal search. `tresor verify` derives those rows again from the archive, names the message
/// and the table, exits 1 and points at `tresor reindex`, which mends them.
@Suite struct DerivedIndexTamperTests {
    static let merger = """
        From: Alice Example <alice@acme.example>\r
        To: Bob <bob@acme.example>\r
        Cc: carol@acme.example\r
        Bcc: dave@acme.example\r
        Subject: Merger plans\r
        Date: Thu, 2 Jan 2020 09:00:00 +0000\r
        Message-ID: <merger@acme.example>\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain\r
        \r
        The globex merger closes friday.\r
        --b1\r
        Content-Type: text/plain; name="notes.txt"\r
        Content-Disposition: attachment; filename="notes.txt"\r
        \r
        Secret terms: the zanzibar clause.\r
        --b1--\r

        """

    static let lunch = """
        From: Trent <trent@other.example>\r
        To: Bob <bob@acme.example>\r
        Subject: Lunch\r
        Date: Fri, 3 Jan 2020 12:00:00 +0000\r
        Message-ID: <lunch@other.example>\r
        \r
        Pizza at noon?\r

        """

    func tresor(_ dir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dir.appendingPathComponent("data").path], stdin: stdin)
    }

    /// Runs SQL statements on the catalog as an administrator would with sqlite3; prints the first
    /// column of the last statement's first row.
    func sql(_ dir: URL, _ statements: String) async throws -> String {
        try await ChildProcess.python("""
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            row = None
            for s in sys.argv[2].split(';'):
                if s.strip(): row = c.execute(s).fetchone()
            c.commit()
            print(row[0] if row else '')
            """, [dir.appendingPathComponent("data/catalog.sqlite").path, statements])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Two imported messages (their attachments read); returns the merger message's SHA-256.
    func setUp(_ dir: URL) async throws -> String {
        #expect(try tresor(dir, ["init"]).status == 0)
        for raw in [Self.merger, Self.lunch] {
            let imported = try tresor(dir, ["import", "-"], stdin: Array(raw.utf8))
            #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        }
        return try await sql(dir, "SELECT sha256 FROM message WHERE message_id = 'merger@acme.example'")
    }

    @Test func anUntouchedStoreVerifiesCleanAndVerifyLeavesNoSideFiles() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await setUp(dir)
            let catalog = dir.appendingPathComponent("data/catalog.sqlite").path
            let verify = try tresor(dir, ["verify"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("index:      2 messages"), "\(verify.stdout)")
            #expect(try tresor(dir, ["search", "zanzibar", "--count"]).stdout.hasPrefix("1"))
            for suffix in ["-wal", "-shm"] {
                #expect(!FileManager.default.fileExists(atPath: catalog + suffix), "verify created catalog.sqlite\(suffix)")
            }
        }
    }

    /// Each edit, and the table verify must name for the merger message.
    static let edits: [(edit: String, table: String)] = [
        ("UPDATE message SET subject = 'Weather' WHERE message_id = 'merger@acme.example'", "message: column(s) subject"),
        ("UPDATE delivery SET mail_from = 'someone@else.example' WHERE message = "
            + "(SELECT id FROM message WHERE message_id = 'merger@acme.example')", "delivery: row of envelope record"),
        ("DELETE FROM address WHERE address = 'dave@acme.example'", "address: missing bcc dave@acme.example"),
        ("UPDATE address SET address = 'x@nowhere.example', rdomain = 'example.nowhere' WHERE role = 'from' "
            + "AND address = 'alice@acme.example'", "address: missing from alice@acme.example"),
        // A contentless document loses its subject's terms and gets another subject: the document
        // still exists, so only its words tell.
        ("INSERT INTO message_fts(message_fts, rowid, subject) SELECT 'delete', id, 'merger plans' FROM message "
            + "WHERE message_id = 'merger@acme.example'; INSERT INTO message_fts(rowid, subject) SELECT id, 'weather' "
            + "FROM message WHERE message_id = 'merger@acme.example'", "message_fts: the words of column(s) subject"),
        // A sender-authentication verdict the delivery never had: `auth:dmarc=pass` would find it.
        ("UPDATE delivery SET auth_results = ' dmarc=pass ' WHERE message = "
            + "(SELECT id FROM message WHERE message_id = 'merger@acme.example')", "column(s) auth_results"),
        ("UPDATE attachment_fts SET text = 'nothing here'", "attachment_fts: the stored text"),
        ("UPDATE attachment SET state = 'unsupported-type'", "attachment: #0: catalog part 2 \"notes.txt\""),
        ("DELETE FROM attachment", "attachment: #0: catalog none"),
        ("UPDATE attachment SET size = 3", "attachment: #0"),
    ]

    @Test(arguments: Self.edits)
    func anEditedIndexRowIsNamedAndReindexMendsIt(_ edit: String, _ table: String) async throws {
        try await withTemporaryDirectory { dir in
            let sha256 = try await setUp(dir)
            #expect(sha256.count == 64)
            _ = try await sql(dir, edit)
            let verify = try tresor(dir, ["verify"])
            #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
            let findings = verify.stdout.split(separator: "\n").filter { $0.hasPrefix("FINDING derived index: ") }
            #expect(findings.contains { $0.contains("message \(sha256)") && $0.contains(table) }, "\(verify.stdout)")
            #expect(findings.allSatisfy { $0.contains(sha256) }, "only the edited message: \(findings)")
            #expect(verify.stdout.contains("`tresor reindex`"), "\(verify.stdout)")

            let reindex = try tresor(dir, ["reindex"])
            #expect(reindex.status == 0, "\(reindex.stderr)")
            let again = try tresor(dir, ["verify"])
            #expect(again.status == 0, "\(again.stdout)")
            #expect(try tresor(dir, ["search", "merger", "--count"]).stdout.hasPrefix("1"))
        }
    }
}
