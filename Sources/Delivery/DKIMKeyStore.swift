// DKIMKeyStore: the per-domain DKIM keys, and the signer of outbound mail over them.
//
// On disk: DATA/keys/dkim/<domain>/<selector>.<rsa|ed25519>.pem — directories 0700, key files
// 0600, created with O_EXCL (a key is never overwritten) and fsynced with their directory. The
// files are the only state: `keygen` adds one, and the signer keeps each domain's parsed keys
// until the domain's folder changes (its modification time, which adding or removing a file
// moves), so a new key signs from the next message on without a restart and an unchanged folder
// costs one stat per message. Removing a file retires its key.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public struct DKIMKeyStore: OutboundSigner {
    public let directory: URL
    private let now: @Sendable () -> Date
    /// Parsed keys per domain, with the folder's modification time they were read at.
    private let cache = KeyCache()

    /// DATA/keys/dkim
    public static func directory(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("keys", isDirectory: true).appendingPathComponent("dkim", isDirectory: true)
    }

    public init(directory: URL, now: @escaping @Sendable () -> Date = { Date() }) {
        self.directory = directory
        self.now = now
    }

    // MARK: - Signing

    /// One DKIM-Signature field per key of `domain` (RSA first, then Ed25519: RFC 8463 §5
    /// suggests signing with both while verifiers learn Ed25519), concatenated; nil when the
    /// domain has no key. Throws `DKIMError.missingFrom` for a message without From.
    public func signatureFields(for message: [UInt8], domain: String) throws -> [UInt8]? {
        guard let domain = try? Self.validated(domain) else { return nil }
        let keys = try cachedKeys(for: domain)
        guard !keys.isEmpty else { return nil }
        let time = now()
        var fields: [UInt8] = []
        for key in keys { fields.append(contentsOf: try key.signer().signatureField(for: message, at: time)) }
        return fields
    }

    /// The domain's keys, read again only when its folder changed since the last read.
    func cachedKeys(for domain: String) throws -> [DKIMKey] {
        let folder = directory.appendingPathComponent(domain, isDirectory: true)
        var info = stat()
        guard stat(folder.path, &info) == 0 else { return [] }
        let stamp = KeyCache.Stamp(seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec, inode: info.st_ino)
        if let cached = cache.keys(for: domain, stamp: stamp) { return cached }
        let keys = try keys(for: domain)
        cache.store(keys, for: domain, stamp: stamp)
        return keys
    }

    // MARK: - Keys

    /// Every key, by domain, then algorithm, then selector.
    public func keys() throws -> [DKIMKey] {
        try Self.entries(of: directory).sorted().flatMap { try keys(for: $0) }
    }

    /// The keys of one domain, by algorithm, then selector; empty when it has none.
    public func keys(for domain: String) throws -> [DKIMKey] {
        let domain = try Self.validated(domain)
        let folder = directory.appendingPathComponent(domain, isDirectory: true)
        var found: [(DKIMAlgorithm, String, URL)] = []
        for entry in try Self.entries(of: folder) where entry.hasSuffix(".pem") {
            let stem = entry.dropLast(4)
            guard let dot = stem.lastIndex(of: "."),
                  let algorithm = DKIMAlgorithm(rawValue: String(stem[stem.index(after: dot)...])) else { continue }
            let selector = String(stem[..<dot])
            guard (try? Self.validated(selector)) == selector else { continue }
            found.append((algorithm, selector, folder.appendingPathComponent(entry)))
        }
        return try found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { algorithm, selector, url in
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw DKIMError.unreadableKey(path: url.path, reason: "cannot read the file")
            }
            do {
                let key = try DKIMPrivateKey(pemRepresentation: String(decoding: data, as: UTF8.self), algorithm: algorithm)
                return DKIMKey(domain: domain, selector: selector, privateKey: key)
            } catch {
                throw DKIMError.unreadableKey(path: url.path, reason: "\(error)")
            }
        }
    }

    /// Creates and stores a new key; refuses to replace an existing one.
    @discardableResult
    public func generateKey(domain: String, selector: String, algorithm: DKIMAlgorithm) throws -> DKIMKey {
        let domain = try Self.validated(domain)
        let selector = try Self.validated(selector)
        let folder = directory.appendingPathComponent(domain, isDirectory: true)
        let file = folder.appendingPathComponent("\(selector).\(algorithm.rawValue).pem")
        if FileManager.default.fileExists(atPath: file.path) { throw DKIMError.keyExists(path: file.path) }
        let key = DKIMKey(domain: domain, selector: selector, privateKey: try DKIMPrivateKey.generate(algorithm))
        for level in [directory.deletingLastPathComponent(), directory, folder] { try Self.makeDirectory(level) }
        try Self.writeNew(file, bytes: Array(key.privateKey.pemRepresentation.utf8))
        try Self.syncDirectory(folder)
        return key
    }

    /// The selector `keygen` uses when none is given: the algorithm and the month, so a rotation
    /// next month gets a new name and both algorithms can live side by side ("rsa-202611").
    public static func defaultSelector(for algorithm: DKIMAlgorithm, at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        let month = parts.month! < 10 ? "0\(parts.month!)" : "\(parts.month!)"
        return "\(algorithm.rawValue)-\(parts.year!)\(month)"
    }

    // MARK: - Names and files

    /// A domain or selector in lower case, if it is a DNS name of letters, digits, "-" and "_"
    /// (RFC 6376 §3.1 selectors, §3.5 d=); anything else could also name a path outside the store.
    static func validated(_ name: String) throws(DKIMError) -> String {
        let lowered = name.lowercased()
        var text = lowered
        if text.hasSuffix(".") { text.removeLast() }
        guard let parsed = try? DNSName(text), !parsed.isRoot,
              parsed.labels.allSatisfy({ $0.allSatisfy { byte in
                  (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                      || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
              } }) else { throw .invalidName(name) }
        return text
    }

    private static func entries(of folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            if !FileManager.default.fileExists(atPath: folder.path) { return [] }
            throw DKIMError.io(operation: "list", path: folder.path, errno: EIO)
        }
    }

    private static func makeDirectory(_ url: URL) throws {
        if mkdir(url.path, 0o700) != 0, errno != EEXIST { throw DKIMError.io(operation: "mkdir", path: url.path, errno: errno) }
    }

    private static func writeNew(_ url: URL, bytes: [UInt8]) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw DKIMError.keyExists(path: url.path) }
            throw DKIMError.io(operation: "create", path: url.path, errno: errno)
        }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw DKIMError.io(operation: "write", path: url.path, errno: errno)
            }
            written += result
        }
        guard fsync(fd) == 0 else { throw DKIMError.io(operation: "fsync", path: url.path, errno: errno) }
    }

    private static func syncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DKIMError.io(operation: "open", path: url.path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DKIMError.io(operation: "fsync", path: url.path, errno: errno) }
    }
}

/// The signer's parsed keys per domain (parsing a PEM RSA key costs far more than signing).
final class KeyCache: Sendable {
    struct Stamp: Hashable, Sendable {
        var seconds: Int
        var nanoseconds: Int
        var inode: UInt
    }

    private let entries = Mutex([String: (stamp: Stamp, keys: [DKIMKey])]())

    func keys(for domain: String, stamp: Stamp) -> [DKIMKey]? {
        entries.withLock { entries in
            guard let entry = entries[domain], entry.stamp == stamp else { return nil }
            return entry.keys
        }
    }

    func store(_ keys: [DKIMKey], for domain: String, stamp: Stamp) {
        entries.withLock { $0[domain] = (stamp, keys) }
    }
}
