import ArchiveStore
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The archive's seal keys: which public keys speak for this archive, and rotating to a new one.
extension MailStore {
    /// The archive's chain of seal keys (the root and every rotation), read after whatever other
    /// processes appended. `chain.keys` is the set of public keys the archive's seals may be signed
    /// by: whatever trusts "the archive's key" (a record or file signed in the archive's name) should
    /// accept exactly these, not whatever `DATA/keys/` happens to hold.
    public func sealKeyChain() async throws(StorageFailure) -> SealKeyChain {
        do { return try await archive.sealKeyChain() } catch { throw StorageFailure(error) }
    }

    /// The public keys the archive's seals may be signed by, oldest first (`sealKeyChain().keys`).
    public func trustedSealKeys() async throws(StorageFailure) -> [ArchivePublicKey] {
        try await sealKeyChain().keys
    }

    /// The chain of seal keys of a data directory, read from its files without opening it for
    /// writing and without the private key (`tresor keys list`, `verify-export --data-dir`).
    public static func sealKeyChain(dataDirectory: URL) throws(StorageFailure) -> SealKeyChain {
        do { return try SealKeyChain.read(dataDirectory: dataDirectory) } catch { throw StorageFailure(error) }
    }

    /// Where the data directory's private seal key is (configured with `sealKeyPath`, recorded, or
    /// `DATA/keys/archive.ed25519`).
    public static func sealKeyPath(dataDirectory: URL, configured: String? = nil) -> String {
        SealKeyFiles(dataDirectory: dataDirectory, configuredPath: configured).privateKeyPath
    }

    /// Starts a new seal key (`tresor keys rotate`): journals a key-rotation record signed by the old
    /// and the new key, seals with the new key from then on, and retires the old private key (see
    /// `ArchiveStore.rotateSealKey`). The new private key replaces the old file, or goes to
    /// `newKeyPath`. Audited.
    public func rotateSealKey(newKeyPath: String? = nil, by actor: AuditActor) async throws(StorageFailure)
        -> VerifiedKeyRotation
    {
        let rotation: VerifiedKeyRotation
        do { rotation = try await archive.rotateSealKey(newKeyPath: newKeyPath) } catch { throw StorageFailure(error) }
        do {
            try await compliance.record(
                "key rotate", detail: "old=\(rotation.record.old) new=\(rotation.record.new) record=\(rotation.location)",
                by: actor)
        } catch {
            throw StorageFailure(kind: .unavailable, description: "\(error)")
        }
        return rotation
    }
}
