import Foundation
@testable import MailStore
import Synchronization
import Testing
import TestSupport

/// The archive's side of anchoring, without a TSA: the tip, journaled stamps and their copies,
/// witnesses, and what `verify` finds when the chain and the stamps disagree. Tokens are opaque
/// bytes here; a checker stands in for the TSA's CA (the real one is tested in MailServerTests
/// and CLITests against `openssl ts`).
@Suite struct AnchorTests {
    /// A token checker that answers the same for every token and remembers the digests it was asked about.
    final class FixedChecker: AnchorTokenChecking {
        let verdict: AnchorTokenVerdict
        let asked = Mutex<[[UInt8]]>([])
        init(_ verdict: AnchorTokenVerdict) { self.verdict = verdict }
        func check(token: [UInt8], stamping digest: [UInt8], askedFrom tsa: String) async -> AnchorTokenVerdict {
            asked.withLock { $0.append(digest) }
            return verdict
        }
    }

    static let valid = AnchorTokenVerdict.valid(genTime: Date(timeIntervalSince1970: 1_750_000_000), authority: "CN=Test")

    static func withStore(_ body: (MailStore, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await body(store, dir)
        }
    }

    static func importMessages(_ range: Range<Int>, into store: MailStore) async throws {
        var session = ImportSession(store: store, batchSize: 8)
        for n in range { try await session.add(ImportCandidate(raw: ImportSessionTests.message(n), origin: "m\(n)", sourceDetail: "test")) }
        try await session.flush()
    }

    /// A stamp of `point` as a TSA at `url` would give it (the token is stand-in bytes).
    static func stamp(_ point: ChainPoint, records: Int = 1, tsa: String = "http://tsa.test/a",
                      at genTime: Date = Date(timeIntervalSince1970: 1_750_000_000)) -> AnchorRecord {
        AnchorRecord(point: point, records: records, tsa: tsa, genTime: genTime, token: Array("token of \(point)".utf8))
    }

    static func verification(_ checker: FixedChecker = FixedChecker(valid), witnesses: [WitnessFile] = [],
                             now: Date = Date(timeIntervalSince1970: 1_750_000_000)) -> AnchorVerification {
        AnchorVerification(tokens: checker, witnesses: witnesses, interval: .seconds(3600), expectsAnchors: true, now: now)
    }

    @Test func anchorDigestIsTheDocumentedLayout() {
        // SHA-256("tresor-anchor-v1" ‖ segment u32 ‖ offset u64 ‖ chain), computed with Python's hashlib.
        let point = ChainPoint(location: RecordLocation(segment: 3, offset: 1_048_576), chain: [UInt8](repeating: 0x11, count: 32))
        #expect(Hex.string(point.anchorDigest) == "c70703de9ee824ec8da6942cfac30730f8cb650a3c0a734666de714daf1383a0")
    }

    @Test func theTipMovesWithRecordsButAnchorsAreNotMovement() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<3, into: store)
            let before = store.anchors.tip
            let last = try #require(before.last)
            #expect(before.lastNonAnchor == last.location)
            let journaled = try await store.anchors.journal([Self.stamp(last, records: before.records)])
            let after = store.anchors.tip
            #expect(after.last?.location == journaled[0].location)
            #expect(after.last?.location ?? last.location > last.location)
            #expect(after.lastNonAnchor == last.location)
            #expect(after.records == before.records + 1)
            store.close()
            // A reopened store finds the same tip in the files.
            let reopened = try MailStore(dataDirectory: dir)
            defer { reopened.close() }
            #expect(reopened.anchors.tip == after)
        }
    }

    @Test func journaledStampsAreCopiedOutsideTheSegments() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<2, into: store)
            let point = try #require(store.anchors.tip.last)
            let first = try await store.anchors.journal([Self.stamp(point, tsa: "http://tsa.test/a"),
                                                          Self.stamp(point, tsa: "http://tsa.test/b")])
            #expect(first.count == 2)
            for anchor in first {
                let base = dir.appendingPathComponent(AnchorLedger.copyPath(of: anchor))
                let token = try Data(contentsOf: base.appendingPathExtension("tsr"))
                #expect(Array(token) == anchor.record.tokenBytes)
                let copy = try #require(JournaledAnchor.decode(Array(try Data(contentsOf: base.appendingPathExtension("json")))))
                #expect(copy.location == anchor.location && copy.record.isSameStamp(as: anchor.record))
            }
            try await Self.importMessages(2..<3, into: store)
            let newer = try #require(store.anchors.tip.last)
            let second = try await store.anchors.journal([Self.stamp(newer, tsa: "http://tsa.test/a")])
            let newest = try await store.anchors.newestPerAuthority()
            #expect(newest.map(\.location) == [first[1].location, second[0].location])
            #expect(newest.map(\.record.tsa) == ["http://tsa.test/b", "http://tsa.test/a"])
        }
    }

    @Test func verifyChecksEveryStampAgainstTheChain() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<3, into: store)
            let point = try #require(store.anchors.tip.last)
            _ = try await store.anchors.journal([Self.stamp(point)])
            let checker = FixedChecker(Self.valid)
            let report = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification(checker))
            #expect(report.isValid, "\(report.findings)")
            #expect(report.anchors.anchors.count == 1 && report.anchors.anchors[0].pointHolds)
            #expect(report.anchors.copies == 1)
            #expect(report.anchors.recordsSinceNewest == 0)
            // The checker was asked about the digest of the stamped point.
            #expect(checker.asked.withLock { $0 } == [point.anchorDigest])
        }
    }

    @Test func aStampOfAChainValueTheArchiveNoLongerHasIsAFinding() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<3, into: store)
            let point = try #require(store.anchors.tip.last)
            // A stamp of this record with another chain value: what a history rewritten under an
            // older stamp looks like.
            let other = ChainPoint(location: point.location, chain: [UInt8](repeating: 0xAB, count: 32))
            _ = try await store.anchors.journal([Self.stamp(other)])
            let report = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification())
            #expect(!report.isValid)
            let finding = try #require(report.findings.first { $0.area == "anchor" })
            #expect(finding.detail.contains("\(point.location)") && finding.detail.contains("rewritten"))
        }
    }

    @Test func aTokenTheCheckerRefusesIsAFindingNamingTheStamp() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<1, into: store)
            let point = try #require(store.anchors.tip.last)
            let journaled = try await store.anchors.journal([Self.stamp(point, tsa: "http://unknown.test/tsa")])
            let report = await MailStore.verify(
                dataDirectory: dir, anchoring: Self.verification(FixedChecker(.invalid("does not chain to a configured CA"))))
            let finding = try #require(report.findings.first { $0.area == "anchor" })
            #expect(finding.detail.contains("\(journaled[0].location)") && finding.detail.contains("http://unknown.test/tsa"))
            #expect(finding.detail.contains("does not chain to a configured CA"))
        }
    }

    @Test func aCopyWhoseRecordTheArchiveLacksIsAFinding() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<2, into: store)
            let point = try #require(store.anchors.tip.last)
            let journaled = try await store.anchors.journal([Self.stamp(point)])[0]
            // A copy of a stamp journaled later, in an archive that no longer has it (rolled back).
            var gone = journaled
            gone.location = RecordLocation(segment: journaled.location.segment, offset: journaled.location.offset + 10_000)
            gone.record.genTime = gone.record.genTime.addingTimeInterval(60)
            let path = dir.appendingPathComponent(AnchorLedger.copyPath(of: gone) + ".json")
            try Data(gone.encoded()).write(to: path)
            let report = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification())
            let finding = try #require(report.findings.first { $0.area == "anchors" })
            #expect(finding.detail.contains("\(gone.location)") && finding.detail.contains("not in the archive"))
            #expect(report.anchors.copies == 2)
        }
    }

    @Test func aWitnessIsSignedAndItsPointMustStayInTheChain() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<2, into: store)
            let point = try #require(store.anchors.tip.last)
            let anchors = try await store.anchors.journal([Self.stamp(point)])
            let witness = try await store.anchors.witness(carrying: anchors)
            let key = try #require(ArchivePublicKey(hex: witness.key))
            #expect(witness.isSigned(by: key))
            #expect(witness.location == anchors[0].location && witness.anchors.count == 1)
            // Its file reads back as the same witness.
            #expect(try Witness.decode(witness.encoded()) == witness)

            let holds = await MailStore.verify(
                dataDirectory: dir, anchoring: Self.verification(witnesses: [WitnessFile(name: "w.json", witness: witness)]))
            #expect(holds.isValid, "\(holds.findings)")
            #expect(holds.anchors.witnesses.count == 1)

            var altered = witness
            altered.records += 1
            #expect(!altered.isSigned(by: key))
            var elsewhere = witness
            elsewhere.offset += 1_000_000
            let report = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification(witnesses: [
                WitnessFile(name: "altered.json", witness: altered), WitnessFile(name: "elsewhere.json", witness: elsewhere),
            ]))
            let details = report.findings.filter { $0.area == "witness" }.map(\.detail)
            #expect(details.contains { $0.contains("altered.json") && $0.contains("not signed") })
            #expect(details.contains { $0.contains("elsewhere.json") && $0.contains("no longer has") })
        }
    }

    @Test func anOldStampWithRecordsAfterItIsAGapWarning() async throws {
        try await Self.withStore { store, dir in
            try await Self.importMessages(0..<2, into: store)
            let stampedAt = Date(timeIntervalSince1970: 1_750_000_000)
            let point = try #require(store.anchors.tip.last)
            _ = try await store.anchors.journal([Self.stamp(point, at: stampedAt)])
            let later = stampedAt.addingTimeInterval(3 * 3600)
            let quiet = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification(now: later))
            #expect(quiet.anchors.warnings.isEmpty, "nothing came after the stamp: \(quiet.anchors.warnings)")
            try await Self.importMessages(2..<4, into: store)
            let report = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification(now: later))
            #expect(report.isValid, "a gap is no finding: \(report.findings)")
            #expect((report.anchors.recordsSinceNewest ?? 0) >= 4)
            #expect(report.anchors.warnings.contains { $0.hasPrefix("gap:") && $0.contains("3h 0m") })
            let soon = await MailStore.verify(dataDirectory: dir, anchoring: Self.verification(now: stampedAt.addingTimeInterval(600)))
            #expect(soon.anchors.warnings.isEmpty)
        }
    }
}
