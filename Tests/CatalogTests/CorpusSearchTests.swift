import ArchiveStore
import Foundation
import MailMessage
import TestSupport
import Testing

@testable import Catalog
@testable import QueryLanguage
import StoreModel

/// The ENVELOPE RULE of Fixtures/generate_search_expectations.py, which computed the expected
/// results independently with Python's `email` package: keep both in step.
private func envelope(forFileAt i: Int) -> Envelope {
    let directions: [Direction] = [.inbound, .outbound, .internal, .imported]
    var recipients: [String] = []
    if i % 5 == 0 { recipients.append("legal-hold@vault.example") }
    if i % 7 == 0 { recipients.append("Zoë.Compliance@Vault.Example") }
    return Envelope(
        mailFrom: "", recipients: recipients,
        receivedAt: Date(timeIntervalSince1970: 1_893_456_000 + 3600 * Double(i)),  // 2030-01-01 + i hours
        direction: directions[i % 4], source: i % 3 == 0 ? .import : .smtp, sourceDetail: "corpus")
}

/// SHA-256 per corpus file, from the corpus manifest (file, bytes, sha256, …).
private func manifest(_ corpus: URL) throws -> [String: String] {
    let text = try String(contentsOf: corpus.appendingPathComponent("manifest.tsv"), encoding: .utf8)
    var hashes: [String: String] = [:]
    for line in text.split(separator: "\n").dropFirst() {
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count >= 3 else { continue }
        hashes[String(columns[0])] = String(columns[2])
    }
    return hashes
}

/// Every corpus .eml indexed with a synthetic envelope; ≥ 40 queries whose expected result sets
/// Python computed (Fixtures/search_expectations.json) must come back exactly.
@Test func corpusSearchMatchesIndependentExpectations() async throws {
    guard let corpus = try Corpus.locate() else { return }
    let expectationsURL = Corpus.fixtures("CatalogTests").appendingPathComponent("search_expectations.json")
    let expectations = try JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: expectationsURL))
    #expect(expectations.count >= 40)
    let hashes = try manifest(corpus)
    try await withTemporaryDirectory { directory in
        let catalog = try Catalog(path: directory.appendingPathComponent("catalog.sqlite"))
        var names: [String: String] = [:]
        var batch: [IndexItem] = []
        for (i, file) in try Corpus.emlFiles(in: corpus).enumerated() {
            let bytes = try Corpus.bytes(of: file)
            let sha = try #require(hashes["rfc822/\(file.lastPathComponent)"])
            names[sha] = file.lastPathComponent
            let location = UInt64(i) * 1000
            let receipt = AppendReceipt(
                sha256: sha, body: RecordLocation(segment: 1, offset: location),
                envelope: RecordLocation(segment: 1, offset: location + 1), deduplicated: false, size: bytes.count)
            batch.append(IndexItem(message: Message(parsing: bytes), receipt: receipt, envelope: envelope(forFileAt: i)))
            if batch.count == 128 {
                try await catalog.messages.index(batch)
                batch.removeAll()
            }
        }
        try await catalog.messages.index(batch)
        let total = try await catalog.messages.count(SearchQuery(parsing: "-zzzzzz"))
        let matchingZ = try await catalog.messages.count(SearchQuery(parsing: "zzzzzz"))
        #expect(total + matchingZ == names.count)

        for (query, expected) in expectations.sorted(by: { $0.key < $1.key }) {
            let hits = try await catalog.messages.search(SearchQuery(parsing: query), limit: nil, offset: 0)
            let found = hits.map { names[$0.id] ?? $0.id }.sorted()
            let missing = Set(expected).subtracting(found).sorted()
            let extra = Set(found).subtracting(expected).sorted()
            #expect(missing.isEmpty && extra.isEmpty, "\(query): missing \(missing), unexpected \(extra)")
            #expect(!expected.isEmpty || query.hasPrefix("-"), "\(query) expects nothing: pick a better query")
            // Newest first.
            let dates = hits.map { $0.date ?? $0.archivedAt }
            #expect(dates == dates.sorted(by: >), "\(query): not newest first")
        }
    }
}
