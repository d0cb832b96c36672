#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// The seal key on the writer thread: which key is in effect (the root named by the genesis
/// value, then each key-rotation record's new key), loading it, and journaling a rotation.
extension ArchiveWriter {
    /// Signs with the seal key in effect.
    func sign(_ message: [UInt8]) -> [UInt8] {
        guard let key else { preconditionFailure("the archive signed something before its seal key was loaded") }
        return key.sign(message)
    }

    /// Follows a key-rotation record read from a segment (at open, or written by another process
    /// since our last batch). Once the store is open, the new key is loaded at once: every seal and
    /// HEAD after the record must be signed by it. A record that does not continue the chain of keys
    /// is damage, named with its place.
    func noteKeyRotation(in frame: RecordFrame, at location: RecordLocation, previousChain: [UInt8])
        throws(ArchiveError)
    {
        guard frame.kind == ArchiveRecordKind.event.rawValue, frame.payload.first == ArchiveEventKind.keyRotation.rawValue
        else { return }
        let chain = try SealKeyChain.following(sealKeys, rotationPayload: frame.payload, at: location,
                                               previousChain: previousChain)
        sealKeys = chain
        if key != nil, key?.publicKey != chain.current {
            key = try keyFiles.load(expecting: chain.current)
            logger.notice("the archive's seal key was rotated; sealing with the new key",
                          metadata: ["key": "\(chain.current.hex)", "record": "\(location)"])
        }
    }

    /// At open, after every record was read: decides the root key and loads the key in effect.
    /// With key rotations, the root is the key the first one hands over from; without, it is the key
    /// in the private key file. Either way the root's genesis value must be segment 1's start chain
    /// (`genesis`, nil for an archive without segments).
    func loadSealKey(genesis: [UInt8]?) throws(ArchiveError) {
        if let chain = sealKeys {
            if let genesis, genesisChain(publicKey: chain.root) != genesis {
                throw .corrupted(file: SegmentName.fileName(1), offset: 0,
                                 reason: "start chain is not the genesis value of key \(chain.root.hex), "
                                     + "which the first key rotation hands over from")
            }
            key = try keyFiles.load(expecting: chain.current)
            try keyFiles.recordConfiguredLocation()
            return
        }
        let loaded = try keyFiles.loadCurrent()
        if let genesis, genesisChain(publicKey: loaded.publicKey) != genesis {
            let published = keyFiles.publishedKeys().first { genesisChain(publicKey: $0) == genesis }
            throw .sealKeyMismatch(
                path: keyFiles.privateKeyPath,
                reason: "it holds key \(loaded.publicKeyHex), but the archive was created with "
                    + (published.map { "key \($0.hex)" } ?? "another key (not the one in \(keyFiles.publicKeyPath) either)"))
        }
        try keyFiles.recordConfiguredLocation()
        sealKeys = SealKeyChain(root: loaded.publicKey)
        key = loaded
    }

    /// Journals the hand-over from the key in effect to `newKey`: a key-rotation record bound to the
    /// chain value before it and signed by both keys, after which seals and HEAD are signed by the
    /// new key. The caller wrote the new private key to a file before (see `SealKeyFiles`), so that
    /// whoever reads the record can load the key it names.
    func rotateKey(to newKey: ArchiveKey) throws(ArchiveError) -> ItemOutcome {
        guard let old = key, var chain = sealKeys else { preconditionFailure("rotation before the archive was opened") }
        guard newKey.publicKey != old.publicKey else {
            return .failed(.sealKeyMismatch(path: keyFiles.privateKeyPath, reason: "the new key is the key in effect"))
        }
        let time = Date(timeIntervalSince1970: Double(Self.milliseconds(configuration.now())) / 1000)
        var record = KeyRotationRecord(old: old.publicKeyHex, new: newKey.publicKeyHex, time: time)
        // The signatures have a fixed length: the record's size is known before they are made.
        record.oldSignature = String(repeating: "0", count: 128)
        record.newSignature = record.oldSignature
        try rotateIfFull(adding: 1 + record.encoded().count)
        let previous = self.chain
        let signed = record.signedBytes(previousChain: previous)
        record.oldSignature = Hex.string(old.sign(signed))
        record.newSignature = Hex.string(newKey.sign(signed))
        let payload = [ArchiveEventKind.keyRotation.rawValue] + record.encoded()
        let location = append(.event, flags: [], rawSize: UInt64(payload.count), contentHash: sha256(payload), payload: payload)
        if let problem = chain.apply(record, at: location, previousChain: previous) {
            preconditionFailure("a rotation this writer made does not continue the chain: \(problem)")
        }
        sealKeys = chain
        key = newKey
        logger.notice("rotated the archive's seal key", metadata: [
            "old": "\(record.old)", "new": "\(record.new)", "record": "\(location)",
        ])
        return .keyRotated(VerifiedKeyRotation(location: location, record: record))
    }
}
