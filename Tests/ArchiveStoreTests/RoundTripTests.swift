@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

@Suite struct RoundTripTests {
    /// Every corpus message (and a few mbox messages) comes back byte-exact, before and after
    /// reopening, and the archive verifies.
    @Test func everyCorpusMessageRoundTripsByteExact() async throws {
        guard let corpus = try Corpus.locate() else { return }
        var messages: [[UInt8]] = try Corpus.emlFiles(in: corpus).map { try Corpus.bytes(of: $0) }
        for mbox in try Corpus.mboxFiles(in: corpus).prefix(2) {
            messages.append(contentsOf: splitMbox(try Corpus.bytes(of: mbox)).prefix(100))
        }
        #expect(messages.count > 100)
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            var receipts: [AppendReceipt] = []
            for (start, chunk) in stride(from: 0, to: messages.count, by: 64).map({ ($0, messages[$0..<min($0 + 64, messages.count)]) }) {
                let batch = chunk.enumerated().map { (raw: $0.element, envelope: envelope(start + $0.offset)) }
                receipts.append(contentsOf: try await store.append(messages: batch))
            }
            for (raw, receipt) in zip(messages, receipts) {
                #expect(try store.readBody(at: receipt.body) == raw)
                #expect(receipt.size == raw.count)
            }
            let distinct = Set(receipts.map(\.sha256)).count
            #expect(store.statistics.bodies == distinct)
            store.close()

            let reopened = try fixture.open()
            for (raw, receipt) in zip(messages, receipts) {
                #expect(try reopened.readBody(sha256: receipt.sha256) == raw)
                let record = try reopened.readRecord(at: receipt.envelope)
                #expect(record.kind == .envelope && record.sha256 == receipt.sha256 && record.bodyLocation == receipt.body)
            }
            var seen = 0
            try reopened.forEachRecord { record in
                if record.kind == .envelope { seen += 1 }
            }
            #expect(seen == messages.count)
            reopened.close()
            let report = fixture.verify()
            #expect(report.problem == nil)
            #expect(report.bodies == distinct && report.envelopes == messages.count)
        }
    }

    @Test func sameBytesAreStoredOnceWithTwoEnvelopes() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let raw = message(7, padding: 500)
            let first = try await store.append(message: raw, envelope: envelope(1))
            let second = try await store.append(message: raw, envelope: envelope(2))
            #expect(!first.deduplicated && second.deduplicated)
            #expect(first.body == second.body && first.envelope != second.envelope && first.sha256 == second.sha256)
            #expect(store.containsBody(sha256: first.sha256))
            #expect(try store.readRecord(at: second.envelope).envelope == envelope(2))
            #expect(store.statistics.bodies == 1 && store.statistics.envelopes == 2)
            store.close()
            // The index is rebuilt from the files: a third delivery after reopening dedups too.
            let reopened = try fixture.open()
            let third = try await reopened.append(message: raw, envelope: envelope(3))
            #expect(third.deduplicated && third.body == first.body)
            reopened.close()
            let report = fixture.verify()
            #expect(report.isValid && report.bodies == 1 && report.envelopes == 3)
        }
    }

    @Test func eventsAreRecordsInTheChain() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            let payload = Array(#"{"action":"hold","case":"ACME"}"#.utf8)
            let location = try await store.append(event: .hold, payload: payload)
            let record = try store.readRecord(at: location)
            #expect(record.kind == .event && record.eventKind == .hold && record.eventPayload == payload)
            #expect(throws: ArchiveError.notABody(location)) { try store.readBody(at: location) }
            store.close()
            #expect(fixture.verify().events == 1)
        }
    }

    @Test func recordLocationsPrintAndParse() {
        let location = RecordLocation(segment: 3, offset: 1_048_576)
        #expect(location.description == "3:1048576")
        #expect(RecordLocation("3:1048576") == location)
        for bad in ["", "3", "3:", ":5", "a:1", "-1:2", "3:1:2", " 3:1"] { #expect(RecordLocation(bad) == nil) }
        #expect(RecordLocation(segment: 2, offset: 9) < RecordLocation(segment: 3, offset: 1))
    }

    @Test func keyCreationRefusesToOverwrite() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try ArchiveKey.create(inKeysDirectory: directory)
        #expect(throws: ArchiveError.self) { try ArchiveKey.create(inKeysDirectory: directory) }
        #expect(try ArchiveKey.load(fromKeysDirectory: directory).publicKeyHex == key.publicKeyHex)
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("archive.ed25519").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

/// Splits an mbox on "\nFrom " separator lines, dropping each "From " line.
func splitMbox(_ bytes: [UInt8]) -> [[UInt8]] {
    var messages: [[UInt8]] = []
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)[...]
    var current: [UInt8]? = nil
    while let line = lines.popFirst() {
        if line.starts(with: Array("From ".utf8)) {
            if let done = current { messages.append(done) }
            current = []
        } else if current != nil {
            current!.append(contentsOf: line)
            current!.append(UInt8(ascii: "\n"))
        }
    }
    if let done = current { messages.append(done) }
    return messages.filter { !$0.isEmpty }
}
