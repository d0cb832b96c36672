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
/// last record, fields, Ed25519 signature by the seal key in effect); every segment but the last
/// sealed; HEAD (signed by the key in effect at its place, and the archive holds at least what it
/// names, with the same chain value). Keys: the root is the key whose genesis value starts segment 1
/// (a pinned key, a key the data directory publishes, or the key the first rotation hands over
/// from); each key-rotation record must be signed by the key in effect and the new key, over the
/// chain value before it; with pinned keys, every seal and HEAD must be signed by a pinned key or a
/// key rotated to after one, else the finding names the key that signed. Purges: each
/// compacted segment's offset table must give every record the logical offset the records before
/// it add up to (a stub counts its original length); a stub's kept record hash must link the
/// chain; every stub must be named — location, kind, record hash, content hash, length — by a
/// purge record, which the chain authenticates; purge records are listed in the report.
///
/// `visit` sees every record that passed its checks, in archive order (bodies, envelopes with their
/// decoded envelope, events with their payload, seals, stubs), so that a caller can compare the
/// archive with what else it keeps in the same single pass.
public enum ArchiveVerifier {
    /// Verifies the archive; with `pinned` keys (`verify --public-key`), also that it is sealed by
    /// them or by keys they rotated to.
    public static func verify(dataDirectory: URL, pinned: [ArchivePublicKey] = [],
                              visit: ((ArchiveRecord) -> Void)? = nil) -> VerificationReport {
        var report = VerificationReport()
        let directory = dataDirectory.appendingPathComponent("archive", isDirectory: true).path
        let candidates = pinned + SealKeyFiles(dataDirectory: dataDirectory).publishedKeys()
        let genesis = try? SegmentScanner(path: directory + "/" + SegmentName.fileName(1)).readHeader().get().startChain
        let matching = candidates.first { genesisChain(publicKey: $0) == genesis }
            ?? (genesis == nil ? nil : (try? SealKeyChain.read(dataDirectory: dataDirectory))?.root)
        guard let root = matching ?? candidates.first else {
            report.problem = VerificationProblem(
                file: "keys/" + ArchiveKey.publicFileName, segment: 0, offset: 0, reason: "no archive public key")
            return report
        }
        report.publicKeyHex = root.hex
        var run = Verification(directory: directory, root: root, pinned: pinned, visit: visit)
        run.run(into: &report)
        return report
    }

    /// Verifies the archive with one pinned key.
    public static func verify(dataDirectory: URL, publicKey: ArchivePublicKey,
                              visit: ((ArchiveRecord) -> Void)? = nil) -> VerificationReport {
        verify(dataDirectory: dataDirectory, pinned: [publicKey], visit: visit)
    }
}

private struct Verification {
    struct Failure: Error { var problem: VerificationProblem }

    let directory: String
    /// The keys checked so far: the one in effect is `keys.current`.
    var keys: SealKeyChain
    /// Keys the caller pinned; empty: none (any chain rooted in the genesis value is accepted).
    let pinned: Set<ArchivePublicKey>
    /// Whether the key in effect is pinned or was rotated to after a pinned one.
    var trusted: Bool
    /// The key in effect at HEAD's position, and whether it was trusted there.
    var headKey: (key: ArchivePublicKey, trusted: Bool)?
    let visit: ((ArchiveRecord) -> Void)?
    /// Body records seen so far: location → SHA-256, for envelope references.
    var bodies: [RecordLocation: ContentHash] = [:]
    var chain: [UInt8] = []
    /// Stubs found so far, to be matched with the purge records at the end.
    var stubs: [(location: RecordLocation, kind: UInt8, recordHash: [UInt8], contentHash: [UInt8], length: UInt32)] = []

    init(directory: String, root: ArchivePublicKey, pinned: [ArchivePublicKey], visit: ((ArchiveRecord) -> Void)?) {
        self.directory = directory
        self.keys = SealKeyChain(root: root)
        self.pinned = Set(pinned)
        self.trusted = pinned.isEmpty || pinned.contains(root)
        self.visit = visit
    }

    mutating func run(into report: inout VerificationReport) {
        do {
            try check(&report)
        } catch {
            report.problem = error.problem
        }
        report.chainHead = Hex.string(chain)
        report.sealKeys = keys
    }

    /// What a seal or HEAD signed by `key` while it is not trusted is.
    func untrusted(_ what: String, _ key: ArchivePublicKey) -> String {
        let pins = pinned.map(\.hex).sorted()
        return "\(what) is signed by key \(key.hex), which is not the pinned key \(pins.joined(separator: " or ")) "
            + "nor a key rotated to from it: the archive was re-signed, or the pin is not this archive's key"
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
        chain = genesisChain(publicKey: keys.root)
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
        try checkHeadSignature(head)
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
        return head
    }

    /// HEAD must be signed by the key in effect at the position it names (it may lag a rotation
    /// after a crash, so that can be an older key than the newest).
    func checkHeadSignature(_ head: ArchiveHead) throws(Failure) {
        let problem = { (reason: String) in
            Failure(problem: VerificationProblem(file: ArchiveHead.fileName, segment: 0, offset: 0, reason: reason))
        }
        guard let headKey else { return }
        guard head.isSigned(by: headKey.key) else {
            throw problem("HEAD signature invalid: not signed by key \(headKey.key.hex), the seal key in effect at its position")
        }
        if !headKey.trusted { throw problem(untrusted("HEAD", headKey.key)) }
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
                ? "start chain is not the genesis value of key \(keys.root.hex), nor of any key pinned or published "
                    + "in keys/"
                : "start chain differs from the final chain of \(SegmentName.fileName(number - 1)): "
                    + "a segment was removed, replaced or reordered")
        }
        report.segments += 1
        if scanner.isCompacted { report.compactedSegments += 1 }
        var boundary: [UInt8]? = nil
        if headLength == UInt64(SegmentHeader.size) {
            boundary = chain
            headKey = (keys.current, trusted)
        }
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
                    if eventKind == .keyRotation {
                        guard let rotation = KeyRotationRecord.decode(Array(frame.payload.dropFirst())) else {
                            throw fail(number, at, "key rotation record does not decode")
                        }
                        if let problem = keys.apply(rotation, at: location, previousChain: chain) {
                            throw fail(number, at, problem)
                        }
                        if pinned.contains(keys.current) { trusted = true }
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
                    guard keys.current.isValidSignature(seal.signature, for: seal.signedBytes) else {
                        throw fail(number, at, "seal signature invalid: not signed by key \(keys.current.hex), "
                            + "the seal key in effect here")
                    }
                    if !trusted { throw fail(number, at, untrusted("seal", keys.current)) }
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
                if headLength == logical {
                    boundary = chain
                    headKey = (keys.current, trusted)
                }
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
