import ArchiveStore
import Export
import Foundation
import MailStore
import TestSupport

/// A data directory with an archive key and a store, and the messages the export tests use.
enum ExportFixtures {
    static func makeStore(_ dir: URL) throws -> MailStore {
        let data = dir.appendingPathComponent("data", isDirectory: true)
        let keys = data.appendingPathComponent("keys", isDirectory: true)
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        _ = try ArchiveKey.create(inKeysDirectory: keys)
        return try MailStore(dataDirectory: data)
    }

    /// Messages that exercise the formats: CRLF and LF line ends, body lines an mbox must
    /// escape (`From `, `>From `, `>>From `, and a first line that is one), an encoded subject, an
    /// attachment, and a message without a final line end.
    static let messages: [[UInt8]] = [
        Array("""
            From: Anna Example <anna@example.org>\r
            To: Bob <bob@example.org>, "Carl, Jr." <carl@example.org>\r
            Subject: Contract draft\r
            Date: Mon, 2 Jun 2025 10:00:00 +0000\r
            Message-ID: <x1@example.org>\r
            \r
            Dear Bob,\r
            From the start of a line this looks like an mbox separator.\r
            >From quoted once\r
            >>From quoted twice\r
            \r
            From \r
            Regards\r

            """.utf8),
        Array("""
            From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.net>
            To: anna@example.org
            Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= contract
            Date: Tue, 3 Jun 2025 09:30:00 +0200
            Message-ID: <x2@example.net>

            From here on, LF line ends only.
            ,"quotes", and commas

            """.utf8),
        Array("""
            From: Billing <billing@vendor.test>\r
            To: anna@example.org\r
            Subject: Invoice with attachment, contract 7\r
            Date: Wed, 4 Jun 2025 12:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            See attached.\r
            --b1\r
            Content-Type: application/pdf; name="invoice.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQK\r
            --b1--\r

            """.utf8),
        Array("From: anna@example.org\r\nTo: bob@example.org\r\nSubject: no final line end contract\r\nDate: Thu, 5 Jun 2025 08:00:00 +0000\r\n\r\nthe last line has no CRLF".utf8),
    ]

    static func sha256(_ bytes: [UInt8]) -> String { ExportDigest.sha256Hex(bytes) }

    /// Imports `raw` messages into the archive (source "import"), one batch.
    static func importMessages(_ raws: [[UInt8]], into store: MailStore) async throws {
        var session = ImportSession(store: store)
        for (n, raw) in raws.enumerated() {
            try await session.add(ImportCandidate(raw: raw, origin: "fixture \(n)", sourceDetail: "fixtures"))
        }
        try await session.flush()
    }

    static func files(under root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var out: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                out.append(path)
            }
        }
        return out.sorted()
    }
}
