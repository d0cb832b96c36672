#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// The seal key of an open store: the chain of keys, the key to sign an export with, and rotation.
extension ArchiveStore {
    /// Where this store reads its private seal key and writes the public files.
    public var sealKeyFiles: SealKeyFiles {
        SealKeyFiles(dataDirectory: dataDirectory, configuredPath: configuration.sealKeyPath)
    }

    /// The archive's chain of seal keys — the set of public keys its seals may be signed by, oldest
    /// first — after reading what other processes appended (a `tresor keys rotate` beside a running
    /// server). Whatever else trusts the archive's key (export signatures, records signed in the
    /// archive's name) should trust these keys, and no others.
    public func sealKeyChain() async throws(ArchiveError) -> SealKeyChain {
        try await currentSealKey().chain
    }

    /// The seal key in effect now, with the chain of keys: what an export is signed with, so that
    /// its signature and the HEAD it records name the same key.
    public func currentSealKey() async throws(ArchiveError) -> (key: ArchiveKey, chain: SealKeyChain) {
        let outcomes = try await submit([.catchUp])
        guard case .sealKeys(let key, let chain)? = outcomes.first else {
            preconditionFailure("writer answered a catch-up with \(outcomes)")
        }
        return (key, chain)
    }

    /// Starts a new seal key (`tresor keys rotate`). The new private key is written first — beside
    /// the current one as `PATH.new`, or at `newKeyPath` — and fsynced; then a key-rotation record
    /// signed by the old and the new key is journaled, after which every seal and HEAD is signed by
    /// the new key; then the new key takes the old one's place (rename, or the recorded location for
    /// `newKeyPath`, the old file removed) and the public files are rewritten. A crash between the
    /// record and the rename is finished by the next open, which finds the key under `.new`.
    public func rotateSealKey(newKeyPath: String? = nil) async throws(ArchiveError) -> VerifiedKeyRotation {
        let files = sealKeyFiles
        // One rotation at a time: two would write the same `PATH.new`.
        let lock = try files.lockForRotation()
        defer { lock.release() }
        let inEffect = try await currentSealKey().key.publicKey
        let current = files.privateKeyPath
        let target = newKeyPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        if let target, target == current { throw .keyExists(path: target) }
        let written = target ?? current + SealKeyFiles.newSuffix
        let newKey = ArchiveKey.generate()
        try await Self.onIOThread { () throws(ArchiveError) in
            try files.writeRotatedKey(newKey, at: written, ownedLike: current, keyInEffect: inEffect)
        }
        // A thrown error may come after the record reached the disk (a failed fsync), so the new
        // key stays where a reader of that record looks for it.
        let outcomes = try await submit([.rotateKey(newKey)])
        let rotation: VerifiedKeyRotation
        switch outcomes.first {
        case .keyRotated(let done)?: rotation = done
        case .failed(let error)?:
            unlink(written)  // refused before anything was written
            throw error
        default: preconditionFailure("writer answered a key rotation with \(outcomes)")
        }
        let chain = try await sealKeyChain()
        try await Self.onIOThread { () throws(ArchiveError) in
            try files.install(rotatedKeyAt: written, replacing: current, newKey: newKey.publicKey)
            try files.publish(chain)
        }
        return rotation
    }

    /// Small file work off the cooperative pool.
    static func onIOThread(_ work: @escaping @Sendable () throws(ArchiveError) -> Void) async throws(ArchiveError) {
        do {
            try await BlockingWork.io.run { try work() }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw .storeFailed("\(error)")
        }
    }
}
