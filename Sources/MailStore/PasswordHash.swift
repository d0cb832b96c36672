import Crypto
import _CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Password hashes as PHC strings (https://github.com/P-H-C/phc-string-format):
/// `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` with unpadded standard base64, so the parameters travel
/// with each hash and can be raised later without invalidating stored ones. Verification also
/// accepts `$pbkdf2-sha256$i=N$<salt>$<hash>` (N ≥ 600,000), e.g. hashes imported from elsewhere.
///
/// Invariants: a password is never stored, logged or put in an error; every user gets a fresh
/// 16-byte random salt; hashes are compared in constant time.
struct PasswordHash: Sendable, Hashable {
    /// scrypt (RFC 7914) cost: N = 2^15, r = 8, p = 3 (32 MiB, OWASP's password storage sheet).
    static let scryptLogRounds = 15, scryptBlockSize = 8, scryptParallelism = 3
    static let saltLength = 16, hashLength = 32
    static let minimumPBKDF2Iterations = 600_000

    enum Algorithm: Sendable, Hashable {
        case scrypt(logRounds: Int, blockSize: Int, parallelism: Int)
        case pbkdf2SHA256(iterations: Int)
    }

    var algorithm: Algorithm
    var salt: [UInt8]
    var hash: [UInt8]

    /// Hashes a new password with scrypt and a random salt. CPU- and memory-heavy: call it off the
    /// concurrency pool (`BlockingWork.passwordHashing`).
    static func make(password: String) throws -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let algorithm = Algorithm.scrypt(logRounds: scryptLogRounds, blockSize: scryptBlockSize,
                                         parallelism: scryptParallelism)
        return PasswordHash(algorithm: algorithm, salt: salt,
                            hash: try derive(password, salt: salt, algorithm: algorithm, length: hashLength))
    }

    /// Whether `password` matches; the derived key is compared in constant time.
    func verify(password: String) throws -> Bool {
        let derived = try Self.derive(password, salt: salt, algorithm: algorithm, length: hash.count)
        return Self.constantTimeEqual(derived, hash)
    }

    static func derive(_ password: String, salt: [UInt8], algorithm: Algorithm, length: Int) throws -> [UInt8] {
        let key: SymmetricKey
        switch algorithm {
        case .scrypt(let logRounds, let blockSize, let parallelism):
            key = try KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: length, rounds: 1 << logRounds,
                blockSize: blockSize, parallelism: parallelism)
        case .pbkdf2SHA256(let iterations):
            key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: length, rounds: iterations)
        }
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares every byte whatever the first difference, so timing does not reveal where it is.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    // MARK: - PHC string

    var phcString: String {
        switch algorithm {
        case .scrypt(let logRounds, let blockSize, let parallelism):
            "$scrypt$ln=\(logRounds),r=\(blockSize),p=\(parallelism)$\(Self.base64(salt))$\(Self.base64(hash))"
        case .pbkdf2SHA256(let iterations):
            "$pbkdf2-sha256$i=\(iterations)$\(Self.base64(salt))$\(Self.base64(hash))"
        }
    }

    /// Parses a PHC string; nil for anything malformed or too weak to trust.
    init?(phcString: String) {
        let fields = phcString.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty, let salt = Self.unbase64(fields[3]),
            let hash = Self.unbase64(fields[4]), salt.count >= 8, hash.count >= 16
        else { return nil }
        var parameters: [Substring: Int] = [:]
        for pair in fields[2].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Int(parts[1]) else { return nil }
            parameters[parts[0]] = value
        }
        switch fields[1] {
        case "scrypt":
            guard let logRounds = parameters["ln"], let blockSize = parameters["r"], let parallelism = parameters["p"],
                (10...24).contains(logRounds), (1...32).contains(blockSize), (1...64).contains(parallelism)
            else { return nil }
            algorithm = .scrypt(logRounds: logRounds, blockSize: blockSize, parallelism: parallelism)
        case "pbkdf2-sha256":
            guard let iterations = parameters["i"], iterations >= Self.minimumPBKDF2Iterations,
                iterations <= 100_000_000
            else { return nil }
            algorithm = .pbkdf2SHA256(iterations: iterations)
        default:
            return nil
        }
        self.salt = salt
        self.hash = hash
    }

    init(algorithm: Algorithm, salt: [UInt8], hash: [UInt8]) {
        self.algorithm = algorithm
        self.salt = salt
        self.hash = hash
    }

    /// PHC's base64: the standard alphabet without padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func unbase64(_ text: Substring) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        return Data(base64Encoded: padded).map(Array.init)
    }
}
