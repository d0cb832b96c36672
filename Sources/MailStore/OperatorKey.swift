import Crypto
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A person's Ed25519 signing key: what makes a governance action theirs. The private half lives
/// in a file outside the data directory (by default under the person's configuration folder),
/// encrypted with their passphrase: scrypt (RFC 7914; N = 2^15, r = 8, p = 1) derives a 256-bit key
/// from it, and ChaCha20-Poly1305 (RFC 8439) seals the private key with the file's name and public
/// key as associated data, so neither can be swapped without the passphrase noticing.
public struct OperatorKey: Sendable {
    public let name: String
    let privateKey: Curve25519.Signing.PrivateKey

    public init(generatingFor name: String) {
        self.name = name
        self.privateKey = Curve25519.Signing.PrivateKey()
    }

    init(name: String, privateKey: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.privateKey = privateKey
    }

    /// Hex of the public key, as the chain records it.
    public var publicKeyHex: String { Hex.string(privateKey.publicKey.rawRepresentation) }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        Array((try? privateKey.signature(for: message)) ?? Data())
    }

    /// The audit actor of this operator reading content, run by `osUser`: their audit entries are
    /// signed with this key.
    public func contentReader(osUser: String) -> AuditActor {
        AuditActor(kind: .operator, name: "\(name) (os \(osUser))",
                   signingKey: AuditSigningKey(operatorName: name, privateKey: privateKey))
    }
}

/// Why an operator key could not be written or read.
public enum OperatorKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case wrongPassphrase(path: String)
    case exists(path: String)
    case insideDataDirectory(path: String)
    case emptyPassphrase
    case nameMismatch(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .missing(let path): "no operator key at \(path)"
        case .unreadable(let path, let reason): "cannot read the operator key \(path): \(reason)"
        case .malformed(let path, let reason): "\(path) is no Tresor operator key: \(reason)"
        case .wrongPassphrase(let path): "wrong passphrase for the operator key \(path)"
        case .exists(let path): "\(path) exists already; an operator key is never overwritten"
        case .insideDataDirectory(let path):
            "\(path) is inside the data directory; an operator key must live elsewhere (whoever can read the "
                + "data directory must not hold the key too)"
        case .emptyPassphrase: "the passphrase is empty"
        case .nameMismatch(let path, let expected, let found):
            "\(path) is the key of operator \(found), not of \(expected)"
        }
    }
}

/// The encrypted key file (JSON).
public enum OperatorKeyFile {
    static let format = "tresor-operator-key-v1"
    static let logRounds = 15, blockSize = 8, parallelism = 1

    struct Contents: Codable {
        var format: String
        var name: String
        var publicKey: String
        var kdf: String
        var logN: Int
        var r: Int
        var p: Int
        var salt: String
        /// Base64 of ChaCha20-Poly1305's combined nonce ‖ ciphertext ‖ tag.
        var sealed: String
    }

    /// `$TRESOR_OPERATOR_KEYS/NAME.key`, else `$XDG_CONFIG_HOME/tresor/operators/NAME.key`, else
    /// `~/.config/tresor/operators/NAME.key`.
    public static func defaultPath(for name: String, environment: [String: String]) -> URL {
        let folder: URL
        if let keys = environment["TRESOR_OPERATOR_KEYS"], !keys.isEmpty {
            folder = URL(fileURLWithPath: keys, isDirectory: true)
        } else if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            folder = URL(fileURLWithPath: config, isDirectory: true).appendingPathComponent("tresor/operators")
        } else {
            let home = environment["HOME"] ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_dir) } ?? "/"
            folder = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".config/tresor/operators")
        }
        return folder.appendingPathComponent("\(name).key")
    }

    /// Encrypts `key` with `passphrase` and writes it to `path` (mode 0600, never over an existing
    /// file), refusing a path inside `dataDirectory`. scrypt runs off the cooperative pool.
    public static func write(_ key: OperatorKey, passphrase: String, to path: URL, dataDirectory: URL?) async throws {
        guard !passphrase.isEmpty else { throw OperatorKeyError.emptyPassphrase }
        let target = path.standardizedFileURL.resolvingSymlinksInPath()
        if let dataDirectory {
            let data = dataDirectory.standardizedFileURL.resolvingSymlinksInPath().path
            let parent = target.deletingLastPathComponent().resolvingSymlinksInPath().path
            if parent == data || parent.hasPrefix(data + "/") || target.path.hasPrefix(data + "/") {
                throw OperatorKeyError.insideDataDirectory(path: path.path)
            }
        }
        let bytes = try await BlockingWork.passwordHashing.run { () throws -> [UInt8] in
            var salt = [UInt8](repeating: 0, count: 16)
            var generator = SystemRandomNumberGenerator()
            for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &generator) }
            let derived = try PasswordHash.derive(passphrase, salt: salt,
                                                  algorithm: .scrypt(logRounds: logRounds, blockSize: blockSize,
                                                                     parallelism: parallelism), length: 32)
            let sealed = try ChaChaPoly.seal(key.privateKey.rawRepresentation, using: SymmetricKey(data: derived),
                                             authenticating: associatedData(name: key.name, publicKey: key.publicKeyHex))
            let contents = Contents(format: format, name: key.name, publicKey: key.publicKeyHex, kdf: "scrypt",
                                    logN: logRounds, r: blockSize, p: parallelism, salt: Data(salt).base64EncodedString(),
                                    sealed: sealed.combined.base64EncodedString())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return Array(try encoder.encode(contents)) + [0x0A]
        }
        try await BlockingWork.io.run {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let fd = open(path.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                if errno == EEXIST { throw OperatorKeyError.exists(path: path.path) }
                throw OperatorKeyError.unreadable(path: path.path, reason: String(cString: strerror(errno)))
            }
            defer { close(fd) }
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw OperatorKeyError.unreadable(path: path.path, reason: String(cString: strerror(errno)))
                }
                written += count
            }
            guard fsync(fd) == 0 else {
                throw OperatorKeyError.unreadable(path: path.path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Reads and decrypts the key at `path`; `name`, when given, must be the file's.
    public static func read(from path: URL, passphrase: String, expecting name: String? = nil) async throws
        -> OperatorKey
    {
        let data: Data = try await BlockingWork.io.run {
            guard FileManager.default.fileExists(atPath: path.path) else { throw OperatorKeyError.missing(path: path.path) }
            do { return try Data(contentsOf: path) } catch {
                throw OperatorKeyError.unreadable(path: path.path, reason: "\(error)")
            }
        }
        let contents: Contents
        do { contents = try JSONDecoder().decode(Contents.self, from: data) } catch {
            throw OperatorKeyError.malformed(path: path.path, reason: "not the JSON of a key file")
        }
        guard contents.format == format, contents.kdf == "scrypt", (10...20).contains(contents.logN),
            (1...32).contains(contents.r), (1...16).contains(contents.p),
            let salt = Data(base64Encoded: contents.salt), let sealed = Data(base64Encoded: contents.sealed)
        else { throw OperatorKeyError.malformed(path: path.path, reason: "unknown format or parameters") }
        if let name, name != contents.name {
            throw OperatorKeyError.nameMismatch(path: path.path, expected: name, found: contents.name)
        }
        return try await BlockingWork.passwordHashing.run {
            let derived = try PasswordHash.derive(passphrase, salt: Array(salt),
                                                  algorithm: .scrypt(logRounds: contents.logN, blockSize: contents.r,
                                                                     parallelism: contents.p), length: 32)
            let raw: Data
            do {
                raw = try ChaChaPoly.open(try ChaChaPoly.SealedBox(combined: sealed), using: SymmetricKey(data: derived),
                                          authenticating: associatedData(name: contents.name, publicKey: contents.publicKey))
            } catch {
                throw OperatorKeyError.wrongPassphrase(path: path.path)
            }
            guard let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw),
                Hex.string(privateKey.publicKey.rawRepresentation) == contents.publicKey.lowercased()
            else { throw OperatorKeyError.malformed(path: path.path, reason: "the key does not match its public key") }
            return OperatorKey(name: contents.name, privateKey: privateKey)
        }
    }

    static func associatedData(name: String, publicKey: String) -> [UInt8] {
        Array("\(format)\n\(name)\n\(publicKey.lowercased())".utf8)
    }
}
