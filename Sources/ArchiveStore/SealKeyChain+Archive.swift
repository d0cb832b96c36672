#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

extension SealKeyChain {
    /// `chain` after the key-rotation event whose payload (kind byte first) was found at
    /// `location`: the chain it starts when there was none yet, else `chain` extended. A record
    /// that does not decode, or does not follow, is damage named with its place.
    static func following(_ chain: SealKeyChain?, rotationPayload payload: [UInt8], at location: RecordLocation,
                          previousChain: [UInt8]) throws(ArchiveError) -> SealKeyChain {
        let file = SegmentName.fileName(location.segment)
        guard let record = KeyRotationRecord.decode(Array(payload.dropFirst())) else {
            throw .corrupted(file: file, offset: location.offset, reason: "key rotation record does not decode")
        }
        guard var known = chain else {
            switch starting(with: record, at: location, previousChain: previousChain) {
            case .success(let first): return first
            case .failure(let problem): throw .corrupted(file: file, offset: location.offset, reason: problem.reason)
            }
        }
        if let problem = known.apply(record, at: location, previousChain: previousChain) {
            throw .corrupted(file: file, offset: location.offset, reason: problem)
        }
        return known
    }
}

extension SealKeyChain {
    /// The chain of seal keys of the archive in `dataDirectory`, read from its files without a
    /// private key or a lock (safe beside a running server): the key-rotation records, each checked
    /// to be signed by the key it hands over from and the key it hands over to and to follow the
    /// one before; the root is the key the first rotation hands over from, else the published key
    /// (`keys/archive.ed25519.chain` or `.pub`) whose genesis value starts segment 1. This reads
    /// record headers and events only; `ArchiveVerifier` checks everything else.
    public static func read(dataDirectory: URL) throws(ArchiveError) -> SealKeyChain {
        let directory = dataDirectory.appendingPathComponent("archive", isDirectory: true).path
        let files = SealKeyFiles(dataDirectory: dataDirectory)
        let numbers = try FileIO.listDirectory(directory).compactMap(SegmentName.number(of:)).sorted()
        var chain: SealKeyChain?
        var genesis: [UInt8]?
        for number in numbers {
            let path = directory + "/" + SegmentName.fileName(number)
            let file = SegmentName.fileName(number)
            var scanner = try SegmentScanner(path: path)
            guard case .success(let header) = try scanner.readHeader() else {
                throw .corrupted(file: file, offset: 0, reason: "header does not decode")
            }
            if number == 1 { genesis = header.startChain }
            var previous = header.startChain
            loop: while true {
                switch try scanner.next(checkCRC: false) {
                case .record(let scanned):
                    defer { previous = scanned.frame.chain }
                    guard scanned.frame.kind == ArchiveRecordKind.event.rawValue,
                        let frame = try SegmentScanner.readFrame(fd: scanner.fd, path: path, at: scanned.physicalOffset),
                        frame.payload.first == ArchiveEventKind.keyRotation.rawValue
                    else { continue loop }
                    let location = RecordLocation(segment: number, offset: scanned.offset)
                    chain = try SealKeyChain.following(chain, rotationPayload: frame.payload, at: location,
                                                       previousChain: previous)
                case .end:
                    break loop
                case .damaged(let offset, let reason, let incomplete):
                    // The newest segment may be growing under a writer.
                    if incomplete && number == numbers.last { break loop }
                    throw .corrupted(file: file, offset: offset, reason: reason)
                }
            }
        }
        let published = files.publishedKeys()
        guard let genesis else {
            guard let root = published.first else { throw .keyMissing(path: files.publicKeyPath) }
            return SealKeyChain(root: root)
        }
        if let chain {
            guard genesisChain(publicKey: chain.root) == genesis else {
                throw .corrupted(file: SegmentName.fileName(1), offset: 0,
                                 reason: "start chain is not the genesis value of key \(chain.root.hex), "
                                     + "which the first key rotation hands over from")
            }
            return chain
        }
        guard let root = published.first(where: { genesisChain(publicKey: $0) == genesis }) else {
            throw .corrupted(file: SegmentName.fileName(1), offset: 0,
                             reason: "start chain is the genesis value of none of the keys in \(files.publicKeyPath) "
                                 + "and \(files.chainPath)")
        }
        return SealKeyChain(root: root)
    }
}
