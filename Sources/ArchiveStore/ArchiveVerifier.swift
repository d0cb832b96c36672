#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// Recomputes everything from the files alone (no private key, no catalog, no lock): safe
/// while a server appends. Checks, in archive order: segment numbers contiguous from 1; each
/// header (magic, version, CRC, number, dictionary) and its start chain (genesis, or the
/// previous segment's final chain); every record's frame CRC and chain link; every body's
/// inflate and SHA-256; every envelope's JSON and the body it names; every seal (only as the
/// last record, fields, Ed25519 signature); every segment but the last sealed; HEAD (signature,
/// and that the archive holds at least what it names, with the same chain value). Purges: each
/// compacted segment's offset table must give every record the logical offset the records before
/// it add up to (a stub counts its original length); a stub's kept record hash must link the
/// chain; every stub must be named — location, kind, record hash, content hash, length — by a
/// purge record, which the chain authenticates; purge records are listed in the report.
///
/// `visit` sees every record that passed its checks, in archive order (bodies, envelopes with their
/// decoded envelope, events with their payload, seals, stubs), so that a caller can compare the
/// archive with what else it keeps in the same single pass.
public enum ArchiveVerifier {
    public static func verify(dataDirectory: URL, publicKey: ArchivePublicKey? = nil,
                              visit: ((ArchiveRecord) -> Void)? = nil) -> VerificationReport {
        var report = VerificationReport()
        let keys = dataDirectory.appendingPathComponent("keys", isDirectory: true)
        guard let key = publicKey ?? (try? ArchivePublicKey.load(fromKeysDirectory: keys)) else {
            report.problem = VerificationProblem(
                file: "keys/" + ArchiveKey.publicFileName, segment: 0, offset: 0, reason: "no archive public key")
            return report
        }
        report.publicKeyHex = key.hex
        var run = Verification(
            directory: dataDirectory.appendingPathComponent("archive", isDirectory: true).path, key: key, visit: visit)
        run.run(into: &report)
        return report
    }
}

private struct Verification {
    struct Failure: Error { var problem: VerificationProblem }

    let directory: String
    let key: ArchivePublicKey
    let visit: ((ArchiveRecord) -> Void)?
    /// Body records seen so far: location → SHA-256, for envelope references.
    var bodies: [RecordLocation: ContentHash] = [:]
    var chain: [UInt8] = []
    /// Stubs found so far, to be matched with the purge records at the end.
    var stubs: [(location: RecordLocation, kind: UInt8, recordHash: [UInt8], contentHash: [UInt8], length: UInt32)] = []

    init(directory: String, key: ArchivePublicKey, visit: ((ArchiveRecord) -> Void)?) {
        self.directory = directory
        self.key = key
        self.visit = visit
    }

    mutating func run(into report: inout VerificationReport) {
        do {
            try check(&report)
        } catch {
            report.problem = error.problem
        }
        report.chainHead = Hex.string(chain)
    }

    func fail(_ segment: UInt32, _ offset: UInt64, _ reason: String) -> Failure {
        Failure(problem: VerificationProblem(file: SegmentName.fileName(segment), segment: segment, offset: offset, reason: reason))
    }

    mutating func check(_ report: inout VerificationReport) throws(Failure) {
        let names: [String]
        do { names = try FileIO.listDirectory(directory) } catch {
            throw Failure(problem: VerificationProblem(file: "archive", segment: 0, offset: 0, reason: "\(error)"))
        }
        let numbers = names.compactMap(SegmentName.number(of:)).sorted()
        guard !numbers.isEmpty else { throw fail(1, 0, "segment missing: the archive has no segments") }
        for (position, number) in numbers.enumerated() where number != UInt32(position + 1) {
            throw fail(UInt32(position + 1), 0, "segment missing (the next present is \(SegmentName.fileName(number)))")
        }
        let head = try readHead()
        chain = genesisChain(publicKey: key)
        var headChecked = false
        for number in numbers {
            let isLast = number == numbers.last
            let boundaryChain = try checkSegment(
                number, isLast: isLast, headLength: head.segment == number ? head.length : nil, report: &report)
            if head.segment == number {
                guard let found = boundaryChain else {
                    throw fail(number, head.length, "HEAD names byte \(head.length), which is not a record boundary")
                }
                guard found == head.chainHead else {
                    throw fail(number, head.length, "chain value at the HEAD position differs from HEAD's")
                }
                headChecked = true
            }
        }
        if !headChecked {
            throw fail(head.segment, head.length, "HEAD names \(SegmentName.fileName(head.segment)), which is missing: "
                + "acknowledged records were removed")
        }
        try checkStubs(&report)
    }

    /// Every stub must be named, exactly, by a purge record.
    func checkStubs(_ report: inout VerificationReport) throws(Failure) {
        var named: [RecordLocation: (purge: Int, removed: PurgeRecord.Removed)] = [:]
        for (position, purge) in report.purges.enumerated() {
            for removed in purge.record.removed { named[removed.location] = (position, removed) }
        }
        for stub in stubs {
            guard let entry = named[stub.location] else {
                throw fail(stub.location.segment, stub.location.offset, "purged record is not named by any purge record")
            }
            let removed = entry.removed
            guard removed.kind == stub.kind, removed.recordHash == Hex.string(stub.recordHash),
                removed.contentHash == Hex.string(stub.contentHash), removed.length == stub.length
            else {
                throw fail(stub.location.segment, stub.location.offset,
                           "purged record differs from what the purge record at \(report.purges[entry.purge].location) names")
            }
            report.purges[entry.purge].stubsFound += 1
        }
    }

    func readHead() throws(Failure) -> ArchiveHead {
        let path = directory + "/" + ArchiveHead.fileName
        let problem = { (reason: String) in
            Failure(problem: VerificationProblem(file: ArchiveHead.fileName, segment: 0, offset: 0, reason: reason))
        }
        guard let bytes = try? FileIO.readAll(path: path) else { throw problem("HEAD missing") }
        guard let head = ArchiveHead(file: bytes) else { throw problem("HEAD does not decode") }
        guard head.isSigned(by: key) else {
            throw problem("HEAD signature invalid")
        }
        return head
    }

    /// Checks one segment; returns the chain value at `headLength` if that is a record boundary.
    mutating func checkSegment(
        _ number: UInt32, isLast: Bool, headLength: UInt64?, report: inout VerificationReport
    ) throws(Failure) -> [UInt8]? {
        let path = directory + "/" + SegmentName.fileName(number)
        let file = SegmentName.fileName(number)
        var scanner: SegmentScanner
        do { scanner = try SegmentScanner(path: path) } catch { throw fail(number, 0, "\(error)") }
        let header: SegmentHeader
        switch (try? scanner.readHeader()) ?? .failure(.init("unreadable header")) {
        case .success(let decoded): header = decoded
        case .failure(let problem): throw fail(number, 0, problem.reason)
        }
        guard header.segment == number else { throw fail(number, 0, "header says segment \(header.segment)") }
        guard let dictionary = DeflateDictionary.version(header.dictionaryVersion) else {
            throw fail(number, 0, "unknown dictionary version \(header.dictionaryVersion)")
        }
        guard header.startChain == chain else {
            throw fail(number, 0, number == 1
                ? "start chain is not the genesis value of this archive key"
                : "start chain differs from the final chain of \(SegmentName.fileName(number - 1)): "
                    + "a segment was removed, replaced or reordered")
        }
        report.segments += 1
        if scanner.isCompacted { report.compactedSegments += 1 }
        var boundary: [UInt8]? = headLength == UInt64(SegmentHeader.size) ? chain : nil
        /// The logical offset the next record must have.
        var logical = UInt64(SegmentHeader.size)
        var recordsInSegment: UInt32 = 0
        var sealed = false
        while true {
            let step: SegmentScanner.Step
            do { step = try scanner.next(checkCRC: true) } catch { throw fail(number, scanner.offset, "\(error)") }
            switch step {
            case .record(let scanned):
                let frame = scanned.frame
                let at = scanned.offset
                if sealed { throw fail(number, at, "record after the seal") }
                guard at == logical else {
                    throw fail(number, at, "the offset table gives this record logical offset \(at), "
                        + "but the records before it end at \(logical)")
                }
                var originalLength = UInt64(scanned.frameLength)
                if frame.isPurgedStub {
                    guard scanner.isCompacted else { throw fail(number, at, "purged stub in a segment that was never compacted") }
                    guard let stub = PurgedStub(payload: frame.payload) else { throw fail(number, at, "purged stub does not decode") }
                    originalLength = UInt64(stub.originalLength)
                    stubs.append((RecordLocation(segment: number, offset: at), stub.originalKind, stub.recordHash,
                                  frame.contentHash, stub.originalLength))
                }
                let expected = RecordFrame.nextChain(previous: chain, recordHash: frame.recordHash)
                guard expected == frame.chain else {
                    throw fail(number, at, "chain mismatch: a record was altered, removed, inserted or reordered here")
                }
                let location = RecordLocation(segment: number, offset: at)
                switch ArchiveRecordKind(rawValue: frame.kind) {
                case .body:
                    do {
                        _ = try ArchiveStore.bodyBytes(
                            of: frame, dictionary: dictionary, maximumSize: ArchiveConfiguration().maximumMessageSize, file: file, offset: at)
                    } catch {
                        throw fail(number, at, "\(error)")
                    }
                    bodies[location] = ContentHash(frame.contentHash)
                    report.bodies += 1
                case .envelope:
                    try checkContentHash(frame, number, at)
                    guard let payload = EnvelopePayload.decode(frame.payload) else {
                        throw fail(number, at, "envelope JSON does not decode")
                    }
                    guard let hash = ContentHash(hex: payload.sha256), bodies[payload.body] == hash else {
                        throw fail(number, at, "envelope names body \(payload.sha256) at \(payload.body), which is not there")
                    }
                    report.envelopes += 1
                case .event:
                    try checkContentHash(frame, number, at)
                    guard let first = frame.payload.first, let eventKind = ArchiveEventKind(rawValue: first) else {
                        throw fail(number, at, "unknown event kind")
                    }
                    if eventKind == .purge {
                        guard let purge = PurgeRecord.decode(Array(frame.payload.dropFirst())) else {
                            throw fail(number, at, "purge record does not decode")
                        }
                        report.purges.append(VerifiedPurge(location: location, record: purge, stubsFound: 0))
                    }
                    report.events += 1
                case .seal:
                    try checkContentHash(frame, number, at)
                    guard let seal = SealInfo.decode(frame.payload) else { throw fail(number, at, "seal does not decode") }
                    guard seal.segment == number, seal.recordCount == recordsInSegment, seal.chainHead == chain else {
                        throw fail(number, at, "seal names segment \(seal.segment), \(seal.recordCount) records and "
                            + "a chain head that differ from the segment's")
                    }
                    guard key.isValidSignature(seal.signature, for: seal.signedBytes) else {
                        throw fail(number, at, "seal signature invalid")
                    }
                    sealed = true
                    report.sealedSegments += 1
                case .purged:
                    report.purgedRecords += 1
                case nil:
                    throw fail(number, at, "unknown record kind \(frame.kind)")
                }
                if let visit, let record = ArchiveRecord(frame: frame, location: location) { visit(record) }
                chain = frame.chain
                recordsInSegment += 1
                report.records += 1
                logical = at + originalLength
                if headLength == logical { boundary = chain }
            case .end:
                if scanner.isCompacted && !sealed { throw fail(number, logical, "a compacted segment must end with its seal") }
                if !isLast && !sealed { throw fail(number, scanner.fileSize, "segment is not sealed, yet a newer one exists") }
                if let headLength, headLength > logical {
                    throw fail(number, logical,
                               "segment ends here but HEAD acknowledged \(headLength) bytes: acknowledged records were removed")
                }
                return boundary
            case .damaged(let offset, let reason, let incomplete):
                // A writer may be appending to the newest segment right now: an incomplete frame
                // beyond what HEAD acknowledged is a write in progress (or a torn tail), not damage.
                if isLast, incomplete, offset >= (headLength ?? 0), headLength == nil || boundary != nil {
                    return boundary
                }
                throw fail(number, offset, reason)
            }
        }
    }

    func checkContentHash(_ frame: RecordFrame, _ number: UInt32, _ at: UInt64) throws(Failure) {
        guard sha256(frame.payload) == frame.contentHash, frame.rawSize == UInt64(frame.payload.count) else {
            throw fail(number, at, "content hash or size does not match the payload")
        }
    }
}
