import Foundation

/// A CA and a TSA signed by it, made with `openssl` in a folder of the test's: `ca.pem` (the
/// certificate Tresor would be configured with), `tsa.pem` with its key (extended key usage
/// `critical,timeStamping`, RFC 3161 §2.3), and `tsa.cnf` with the `[tsa]` section that
/// `openssl ts -reply` reads.
public struct OpenSSLAuthority: Sendable {
    public enum KeyKind: Sendable {
        case rsa, ecdsaP256

        var newKeyArguments: [String] {
            switch self {
            case .rsa: ["-newkey", "rsa:2048"]
            case .ecdsaP256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
            }
        }
    }

    public let folder: URL
    public var caCertificate: URL { folder.appendingPathComponent("ca.pem") }
    public var tsaCertificate: URL { folder.appendingPathComponent("tsa.pem") }
    public var configuration: URL { folder.appendingPathComponent("tsa.cnf") }

    /// The policy the TSA stamps under unless asked for `otherPolicy`.
    public static let defaultPolicy = "1.2.3.4.1"
    public static let otherPolicy = "1.2.3.4.5"

    /// Makes the CA and the TSA in `folder` (which must exist), named after `name`.
    public static func make(in folder: URL, name: String, key: KeyKind = .rsa) async throws -> OpenSSLAuthority {
        let authority = OpenSSLAuthority(folder: folder)
        try await openssl(["req", "-x509"] + key.newKeyArguments + [
            "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
            "-subj", "/O=Tresor tests/CN=\(name) Root CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: folder)
        try await openssl(["req"] + key.newKeyArguments + [
            "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/O=Tresor tests/CN=\(name)",
        ], in: folder)
        try Data("""
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = critical, timeStamping
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """.utf8).write(to: folder.appendingPathComponent("tsa-extensions.cnf"))
        try await openssl(["x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                           "-out", "tsa.pem", "-days", "3650", "-extfile", "tsa-extensions.cnf"], in: folder)
        try Data("01\n".utf8).write(to: folder.appendingPathComponent("tsa-serial"))
        try Data("""
            [ tsa ]
            default_tsa = tsa_config

            [ tsa_config ]
            dir = \(folder.path)
            serial = $dir/tsa-serial
            signer_cert = $dir/tsa.pem
            certs = $dir/ca.pem
            signer_key = $dir/tsa.key
            signer_digest = sha256
            default_policy = \(defaultPolicy)
            other_policies = \(otherPolicy)
            digests = sha256, sha384, sha512
            accuracy = secs:1, millisecs:500, microsecs:100
            clock_precision_digits = 3
            ordering = yes
            tsa_name = yes
            ess_cert_id_chain = no
            ess_cert_id_alg = sha256

            """.utf8).write(to: authority.configuration)
        return authority
    }

    /// Runs `openssl arguments…` in `folder`; its result, whatever the exit status.
    @discardableResult
    public static func run(_ arguments: [String], in folder: URL) async throws -> CommandResult {
        try await ChildProcess.run(["openssl"] + arguments, in: folder)
    }

    /// Runs `openssl arguments…` in `folder` and throws unless it succeeds.
    public static func openssl(_ arguments: [String], in folder: URL) async throws {
        let result = try await run(arguments, in: folder)
        guard result.status == 0 else { throw Failed(arguments: arguments, result: result) }
    }

    public struct Failed: Error, CustomStringConvertible {
        public var arguments: [String]
        public var result: CommandResult
        public var description: String {
            "openssl \(arguments.joined(separator: " ")) exited with \(result.status): \(result.stderr)"
        }
    }

    /// Whether `openssl ts` can be run. Without it the tests that need it are skipped with a
    /// printed reason, except under CI=true, where its absence is a failure.
    public static func available() async throws -> Bool {
        let result = try? await ChildProcess.run(["openssl", "ts", "-help"])
        // `openssl ts -help` prints its usage and exits 0 (OpenSSL 3) or 1 (1.1); a missing
        // command exits 127 (env) or prints "Invalid command".
        if let result, result.status != 127, result.stdout.contains("-reply") || result.stderr.contains("-reply") {
            return true
        }
        if Corpus.isCI { throw Unavailable() }
        print("skipped: `openssl ts` is not available (Debian package openssl)")
        return false
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "`openssl ts` is not available; required when CI=true" }
    }
}
