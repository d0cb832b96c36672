import ArchiveStore
import Foundation
import MailMessage
import TestSupport
import Testing

@testable import Catalog
@testable import QueryLanguage
import StoreModel

/// A small catalog of hand-written messages, one per concern, searched field by field.
private let messages: [(name: String, raw: String, direction: Direction, source: String, mailFrom: String,
    recipients: [String], receivedAt: String)] = [
    ("report", """
        From: =?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <zoe@example.com>
        To: Bob <bob@example.com>
        Cc: carol@sub.example.org
        Subject: =?UTF-8?Q?Quarterly_r=C3=A9port?=
        Date: Fri, 15 Mar 2024 10:00:00 +0000
        Message-ID: <report-1@example.com>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8

        The merger with Globex is confidential.
        --b1
        Content-Type: application/pdf; name="contract.pdf"
        Content-Disposition: attachment; filename="contract.pdf"
        Content-Transfer-Encoding: base64

        JVBERi0xLjQKJcfsj6IKCg==
        --b1--

        """, .inbound, "smtp", "zoe@example.com", ["bob@example.com", "hidden@vault.example"], "2024-03-15 11"),
    ("lunch", """
        From: Alice <alice@corp.example>
        To: zoe@example.com
        Subject: Re: lunch
        Date: Mon, 1 Jul 2024 12:00:00 +0200
        Message-ID: <lunch-2@corp.example>

        A draft invoice for the lunch, sent from Zürich.

        """, .outbound, "submission", "alice@corp.example", ["zoe@example.com"], "2024-07-01 10"),
    ("undated", """
        From: mallory@evil.example
        To: everyone@example.com
        Subject: naive cafe

        Crème brûlée for everyone. Call 555-0100.

        """, .internal, "import", "", ["everyone@example.com"], "2023-05-05 05"),
    ("big", """
        From: Globex Sales <sales@globex.example>
        To: bob@example.com
        Subject: Invoice 42 from Globex
        Date: Sat, 30 Dec 2023 23:30:00 +0000

        \(String(repeating: "Lorem ipsum dolor sit amet. ", count: 500))

        """, .imported, "import", "sales@globex.example", ["archive@example.com"], "2024-01-02 00"),
]

private func withSmallCatalog(_ body: (Catalog, [String: String]) async throws -> Void) async throws {
    try await withTemporaryDirectory { directory in
        let catalog = try Catalog(path: directory.appendingPathComponent("catalog.sqlite"))
        var fixtures = CatalogFixtures()
        var names: [String: String] = [:]
        var items: [IndexItem] = []
        for (n, m) in messages.enumerated() {
            let sha = CatalogFixtures.fakeSHA256(n + 1)
            names[sha] = m.name
            items.append(fixtures.item(
                m.raw, sha256: sha, direction: m.direction, source: MessageSource(m.source), mailFrom: m.mailFrom,
                recipients: m.recipients, receivedAt: m.receivedAt))
        }
        try await catalog.messages.index(items)
        try await body(catalog, names)
    }
}

private func find(_ catalog: Catalog, _ query: String, _ names: [String: String]) async throws -> [String] {
    try await catalog.messages.search(SearchQuery(parsing: query), limit: nil, offset: 0).map { names[$0.id] ?? $0.id }
}

@Test(arguments: [
    ("globex", ["report", "big"]),
    ("GLOBEX -invoice", ["report"]),
    ("report", ["report"]),
    ("rÉport", ["report"]),
    ("quarterly", ["report"]),
    ("subject:\"quarterly report\"", ["report"]),
    ("subject:\"report quarterly\"", []),
    ("subject:merger", []),
    ("body:merger", ["report"]),
    ("body:zurich", ["lunch"]),
    ("creme brulee", ["undated"]),
    ("\"crème brûlée\"", ["undated"]),
    ("invoic*", ["lunch", "big"]),
    ("attachment:contract.pdf", ["report"]),
    ("attachment:contract", ["report"]),
    ("contract", ["report"]),
    ("has:attachment", ["report"]),
    ("-has:attachment", ["lunch", "big", "undated"]),
    ("from:zoe@example.com", ["report"]),
    ("from:ZOË@EXAMPLE.COM", ["report"]),
    ("from:zoe", ["report"]),
    ("from:muller", ["report"]),
    ("from:\"zoë müller\"", ["report"]),
    ("from:@globex.example", ["big"]),
    ("from:sal*", ["big"]),
    ("from:sales@glo*", ["big"]),
    ("to:bob@example.com", ["report", "big"]),
    ("to:bob", ["report", "big"]),
    ("to:zoe@example.com", ["lunch"]),
    ("cc:carol@sub.example.org", ["report"]),
    ("cc:carol", ["report"]),
    ("bcc:hidden@vault.example", ["report"]),
    ("bcc:bob@example.com", []),
    ("bcc:archive@example.com", ["big"]),
    ("bcc:vault.example", ["report"]),
    ("participant:hidden@vault.example", ["report"]),
    ("participant:alice@corp.example", ["lunch"]),
    ("participant:zoe@example.com", ["report", "lunch"]),
    ("domain:example.com", ["lunch", "report", "big", "undated"]),
    ("domain:example.org", ["report"]),
    ("domain:sub.example.org", ["report"]),
    ("domain:vault.example", ["report"]),
    ("domain:evil.example", ["undated"]),
    ("domain:ample.com", []),
    ("message-id:<report-1@example.com>", ["report"]),
    ("message-id:LUNCH-2@corp.example", ["lunch"]),
    ("after:2024-01-01", ["lunch", "report"]),
    ("after:2024-03-15", ["lunch", "report"]),
    ("after:2024-03-16", ["lunch"]),
    ("before:2024-03-15", ["big", "undated"]),
    ("on:2024-03-15", ["report"]),
    ("on:2024-07", ["lunch"]),
    ("on:2023", ["big", "undated"]),
    ("on:2023-05-05", ["undated"]),
    ("after:2023-12-30 before:2024", ["big"]),
    ("larger:10k", ["big"]),
    ("smaller:10k", ["lunch", "report", "undated"]),
    ("direction:in", ["report"]),
    ("direction:outbound", ["lunch"]),
    ("direction:internal", ["undated"]),
    ("direction:imported", ["big"]),
    ("source:import", ["big", "undated"]),
    ("source:SUB*", ["lunch"]),
    ("-globex", ["lunch", "undated"]),
    ("-from:zoe -to:bob", ["lunch", "undated"]),
    ("lunch OR merger", ["lunch", "report"]),
    ("from:alice OR from:mallory everyone", ["undated"]),
    ("(from:alice OR from:mallory) -everyone", ["lunch"]),
    ("globex OR direction:internal", ["report", "big", "undated"]),
    ("-(globex OR direction:internal)", ["lunch"]),
    ("invoice -(larger:10k)", ["lunch"]),
    ("*", ["lunch", "report", "big", "undated"]),
    ("* -globex", ["lunch", "undated"]),
    ("-*", []),
    ("globex OR *", ["lunch", "report", "big", "undated"]),
    ("globex *", ["report", "big"]),
    ("x'; DROP TABLE message;", []),
    ("\"x'); DROP TABLE message; --\"", []),
    ("subject:\"a \"\" b\" OR \"NEAR(a b)\"", []),
] as [(String, [String])])
func searchFindsExactlyTheseMessages(_ query: String, _ expected: [String]) async throws {
    try await withSmallCatalog { catalog, names in
        let found = try await find(catalog, query, names)
        #expect(Set(found) == Set(expected), "\(query)")
        #expect(try await catalog.messages.count(SearchQuery(parsing: query)) == expected.count)
    }
}

@Test func resultsComeNewestFirstWithLimitAndOffset() async throws {
    try await withSmallCatalog { catalog, names in
        // The undated message sorts by its archive time (2023-05-05).
        #expect(try await find(catalog, "-nothingmatchesthis", names) == ["lunch", "report", "big", "undated"])
        let page = try await catalog.messages.search(SearchQuery(parsing: "-zzz"), limit: 2, offset: 1).map { names[$0.id]! }
        #expect(page == ["report", "big"])
    }
}

@Test func hitsCarryTheStoredMetadata() async throws {
    try await withSmallCatalog { catalog, names in
        let hit = try #require(try await catalog.messages.search(SearchQuery(parsing: "merger"), limit: 1, offset: 0).first)
        #expect(names[hit.id] == "report")
        #expect(hit.subject == "Quarterly réport")
        #expect(hit.from == ["Zoë Müller <zoe@example.com>"])
        #expect(hit.to == ["Bob <bob@example.com>"])
        #expect(hit.cc == ["carol@sub.example.org"])
        #expect(hit.messageID == "report-1@example.com")
        #expect(hit.attachments == ["contract.pdf"])
        #expect(hit.direction == .inbound)
        #expect(hit.source == "smtp")
        #expect(hit.deliveries == 1)
        #expect(hit.date == CatalogFixtures.date("2024-03-15 10"))
        #expect(hit.archivedAt == CatalogFixtures.date("2024-03-15 11"))
    }
}
