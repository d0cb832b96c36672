#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// Where an archive's private seal key lives, and the public files beside the archive.
///
/// The private key is in one file: `seal_key` of `tresor.toml` (`ArchiveConfiguration.sealKeyPath`)
/// when set, else the path the data directory recorded (`tresor init --seal-key`, `tresor keys rotate
/// --new-key`, or an earlier start with `seal_key`), else `DATA/keys/archive.ed25519`. Kept outside the
/// data directory (say `/etc/tresor/seal.key`, mode 0600, owned by the service), it is out of reach of
/// whoever can only write the data directory, and then `DATA/keys/` holds public files only:
/// ```
/// DATA/keys/archive.ed25519           the private key, hex (only when it is kept here)
/// DATA/keys/archive.ed25519.location  the private key's path, when it is kept elsewhere
/// DATA/keys/archive.ed25519.pub       the current public key, hex
/// DATA/keys/archive.ed25519.chain     every public key, oldest first (`ArchiveKeyList`)
/// DATA/keys/archive.ed25519.lock      flock'ed by a rotation, so that two never run at once
/// PATH.new                            a new key while `keys rotate` installs it (see below)
/// ```
/// The public files are a convenience for people and for finding the root key; what the archive is
/// sealed by is decided by its genesis value and its key-rotation records alone.
///
/// A private key file must be a regular file that neither group nor others may read or write;
/// anything else is refused with its path, as ssh refuses an open private key.
///
/// Rotation writes the new private key as `PATH.new` (fsynced) before the rotation record is
/// journaled, and renames it over `PATH` after; a process that finds a rotation to a key it does
/// not hold looks in `PATH.new`, so a crash or another process between the two steps finds the key.
public struct SealKeyFiles: Sendable {
    public let dataDirectory: URL
    /// The configured location (`seal_key`), absolute; nil when not configured.
    public let configuredPath: String?

    static let locationFileName = "archive.ed25519.location"
    static let chainFileName = "archive.ed25519.chain"
    static let lockFileName = "archive.ed25519.lock"
    static let newSuffix = ".new"

    public init(dataDirectory: URL, configuredPath: String? = nil) {
        self.dataDirectory = dataDirectory
        self.configuredPath = configuredPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    var keysDirectory: String { dataDirectory.appendingPathComponent("keys", isDirectory: true).path }
    /// `DATA/keys/archive.ed25519`, where the private key is kept unless configured elsewhere.
    public var defaultPath: String { keysDirectory + "/" + ArchiveKey.privateFileName }
    public var publicKeyPath: String { keysDirectory + "/" + ArchiveKey.publicFileName }
    public var chainPath: String { keysDirectory + "/" + Self.chainFileName }
    var locationPath: String { keysDirectory + "/" + Self.locationFileName }

    /// The path the data directory recorded for its private key, if any.
    public var recordedPath: String? {
        guard let bytes = try? FileIO.readAll(path: locationPath) else { return nil }
        let path = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
        return path.isEmpty ? nil : path
    }

    /// Where the private key is: configured, else recorded, else `DATA/keys/archive.ed25519`.
    public var privateKeyPath: String { configuredPath ?? recordedPath ?? defaultPath }

    // MARK: - Loading

    /// The private key at `privateKeyPath`. When it is kept elsewhere, a private key left in
    /// `DATA/keys/` is refused: it would undo the point of moving it.
    func loadCurrent() throws(ArchiveError) -> ArchiveKey {
        let path = privateKeyPath
        if path != defaultPath, FileIO.exists(defaultPath) {
            throw .privateKeyInDataDirectory(path: defaultPath, keptAt: path)
        }
        return try Self.readPrivateKey(at: path)
    }

    /// Once the configured key was found to be the archive's: records its path if the data
    /// directory has not yet, so that commands run without `tresor.toml` find it too.
    func recordConfiguredLocation() throws(ArchiveError) {
        if let configuredPath, configuredPath != (recordedPath ?? defaultPath) {
            try record(location: configuredPath)
        }
    }

    /// The private key whose public half is `expected`: from `privateKeyPath`, else from a key a
    /// rotation is installing (`PATH.new`), else from the recorded path; a key found under `.new`
    /// is moved into place. Fails naming the path when none holds it.
    func load(expecting expected: ArchivePublicKey) throws(ArchiveError) -> ArchiveKey {
        let primary = privateKeyPath
        if primary != defaultPath, FileIO.exists(defaultPath) {
            throw .privateKeyInDataDirectory(path: defaultPath, keptAt: primary)
        }
        var candidates = [primary, primary + Self.newSuffix]
        if let recorded = recordedPath, recorded != primary { candidates += [recorded, recorded + Self.newSuffix] }
        var found: ArchivePublicKey?
        var firstError: ArchiveError?
        for path in candidates {
            let key: ArchiveKey
            do { key = try Self.readPrivateKey(at: path) } catch {
                if path == primary { firstError = error }
                continue
            }
            if path == primary { found = key.publicKey }
            guard key.publicKey == expected else { continue }
            if path.hasSuffix(Self.newSuffix) {
                // A rotation journaled this key but did not get to install it.
                let installed = String(path.dropLast(Self.newSuffix.count))
                if rename(path, installed) == 0 { try? FileIO.syncDirectory(Self.directory(of: installed)) }
            }
            return key
        }
        if let found {
            throw .sealKeyMismatch(path: primary, reason: "it holds key \(found.hex), but the archive is sealed by key "
                                   + "\(expected.hex) from its last key rotation on")
        }
        throw firstError ?? .keyMissing(path: primary)
    }

    /// Reads a private key file: a regular file, closed to group and others, holding 64 hex digits.
    static func readPrivateKey(at path: String) throws(ArchiveError) -> ArchiveKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .keyMissing(path: path) }
            throw .keyUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .keyUnreadable(path: path, reason: "not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else { throw .keyPermissions(path: path, mode: UInt32(info.st_mode & 0o7777)) }
        let bytes: [UInt8]
        do { bytes = try FileIO.readAll(path: path) } catch {
            guard case .io(_, _, let code) = error else { throw error }
            throw .keyUnreadable(path: path, reason: String(cString: strerror(code)))
        }
        guard let key = ArchiveKey(fileContents: bytes) else { throw .invalidKey(path: path) }
        return key
    }

    // MARK: - Writing

    /// Makes the first key of a new data directory (`tresor init`): the private key at
    /// `privateKeyPath` (its folder made, 0700, if missing), the public files, and the location
    /// record when the key is kept outside `DATA/keys/`. Refuses to overwrite any key file.
    public func createFirstKey() throws(ArchiveError) -> ArchiveKey {
        try FileIO.makeDirectory(URL(fileURLWithPath: keysDirectory, isDirectory: true), mode: 0o700)
        let path = configuredPath ?? defaultPath
        for existing in [path, defaultPath, publicKeyPath] where FileIO.exists(existing) {
            throw .keyExists(path: existing)
        }
        let directory = Self.directory(of: path)
        try FileIO.makeDirectory(URL(fileURLWithPath: directory, isDirectory: true), mode: 0o700)
        let key = ArchiveKey.generate()
        try FileIO.createExclusively(path: path, contents: key.fileContents, mode: 0o600)
        try FileIO.syncDirectory(directory)
        if path != defaultPath { try record(location: path) }
        try publish(SealKeyChain(root: key.publicKey))
        return key
    }

    /// Writes a new private key for a rotation at `path` (`PATH.new` beside the current key, or
    /// `--new-key`), mode 0600 and, where the system allows, owned like the current key file, so
    /// that a rotation run as root leaves a key the service can still read. A leftover `.new` file
    /// is replaced unless it holds `keyInEffect` (a journaled rotation not yet installed: opening
    /// the store where that file can be renamed finishes it).
    func writeRotatedKey(_ key: ArchiveKey, at path: String, ownedLike template: String,
                         keyInEffect: ArchivePublicKey) throws(ArchiveError) {
        if path.hasSuffix(Self.newSuffix), FileIO.exists(path) {
            if (try? Self.readPrivateKey(at: path))?.publicKey == keyInEffect { throw .keyExists(path: path) }
            unlink(path)
        }
        try FileIO.makeDirectory(URL(fileURLWithPath: Self.directory(of: path), isDirectory: true), mode: 0o700)
        try FileIO.createExclusively(path: path, contents: key.fileContents, mode: 0o600)
        var owner = stat()
        if stat(template, &owner) == 0 { _ = chown(path, owner.st_uid, owner.st_gid) }
        try FileIO.syncDirectory(Self.directory(of: path))
    }

    /// After a rotation is journaled: puts the new key at `path` in place of the old one. A key
    /// written beside the old one (`.new`) replaces it by rename; a key written elsewhere becomes the
    /// recorded location and the old file is removed, so that the retired key can sign nothing more.
    func install(rotatedKeyAt path: String, replacing old: String, newKey: ArchivePublicKey) throws(ArchiveError) {
        if path == old + Self.newSuffix {
            guard rename(path, old) == 0 else {
                let failure = FileIO.fail("rename", path)
                // A process that read the rotation first may have moved the key into place already.
                if errno == ENOENT, (try? Self.readPrivateKey(at: old))?.publicKey == newKey { return }
                throw failure
            }
            try FileIO.syncDirectory(Self.directory(of: old))
            return
        }
        try record(location: path)
        if unlink(old) != 0 && errno != ENOENT { throw FileIO.fail("unlink", old) }
        try FileIO.syncDirectory(Self.directory(of: old))
    }

    /// Rewrites the public files for `chain`: `.pub` (the current key) and `.chain` (all keys).
    public func publish(_ chain: SealKeyChain) throws(ArchiveError) {
        var lines = "# The archive's seal keys, oldest first: the root (its genesis value), then each rotation.\n"
        lines += chain.root.hex + "\n"
        for rotation in chain.rotations {
            lines += "# rotated at \(Timestamp.string(rotation.record.time)), record \(rotation.location)\n"
            lines += rotation.record.new + "\n"
        }
        try FileIO.replaceAtomically(path: publicKeyPath, contents: Array((chain.current.hex + "\n").utf8))
        try FileIO.replaceAtomically(path: chainPath, contents: Array(lines.utf8))
    }

    /// The public keys the data directory publishes (`.chain`, else `.pub`), oldest first; empty
    /// when it has none. Only a hint of which key is the root: the archive decides.
    public func publishedKeys() -> [ArchivePublicKey] {
        if let bytes = try? FileIO.readAll(path: chainPath),
            case .success(let keys) = ArchiveKeyList.parse(String(decoding: bytes, as: UTF8.self))
        {
            return keys
        }
        guard let bytes = try? FileIO.readAll(path: publicKeyPath),
            let key = ArchivePublicKey(hex: String(decoding: bytes, as: UTF8.self))
        else { return [] }
        return [key]
    }

    /// An exclusive lock on `DATA/keys/archive.ed25519.lock` for one rotation; fails at once,
    /// naming the file, when another process holds it.
    func lockForRotation() throws(ArchiveError) -> RotationLock {
        let path = keysDirectory + "/" + Self.lockFileName
        let fd = try FileIO.open(path, flags: O_RDWR | O_CREAT, mode: 0o600)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .rotationInProgress(lock: path)
        }
        return RotationLock(fd: fd)
    }

    struct RotationLock {
        let fd: Int32
        func release() {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    private func record(location path: String) throws(ArchiveError) {
        try FileIO.replaceAtomically(path: locationPath, contents: Array((path + "\n").utf8))
    }

    static func directory(of path: String) -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return folder.isEmpty ? "/" : folder
    }
}
