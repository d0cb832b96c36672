import ServerKit
import Sieve
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Everything the commands read from `tresor.toml` (every key is documented, with its default,
/// in `tresor.example.toml` at the repository root). With no file, the defaults of DESIGN.md "Where data lives": data in
/// `./tresor-data`, domain `localhost`, listeners on 127.0.0.1 at unprivileged ports.
public struct TresorConfiguration: Sendable, Equatable {
    /// The data directory; nil means "not set in the file" (the CLI then decides).
    public var dataDirectory: URL?
    /// The folder of the file this was read from, against which its relative paths and the default
    /// folders (policies, exports) are taken; nil for the built-in defaults (the working directory).
    public var folder: URL?
    /// That file as the user named it, for errors found after reading (a password file that
    /// cannot be read); nil for the built-in defaults.
    public var file: String?
    /// `listen_address`: the address of every listener that names none itself.
    public var listenAddress: String
    /// `exports_dir`: where `tresor export` writes without `--out`; nil: `exports` in `folder`.
    public var exportsFolder: URL?
    /// The name this server greets with and writes into `Received:` (RFC 5321 §4.1.3, §4.4).
    public var hostname: String
    /// Domains that are local: made known to the store at every start (idempotent).
    public var domains: [String]
    public var smtp: Listener
    public var submission: Listener
    public var submissions: Listener
    /// POP3 (RFC 1939) with STLS; default port 2110 (110 in production).
    public var pop3: Listener
    /// POP3 over implicit TLS (RFC 8314); default port 2995 (995 in production).
    public var pop3s: Listener
    /// IMAP (RFC 3501, RFC 9051) with STARTTLS; default port 2143 (143 in production).
    public var imap: Listener
    /// IMAP over implicit TLS (RFC 8314 §3.3); default port 2993 (993 in production).
    public var imaps: Listener
    /// ManageSieve (RFC 5804), where users upload their Sieve scripts; default port 4190 (RFC 5804
    /// §1.8), on like the other listeners (`enabled = false` turns it off). AUTH needs TLS (STARTTLS)
    /// except on loopback where `auth.allow_plaintext_on_loopback` allows it, as for POP3.
    public var manageSieve: ManageSieve
    public var tls: TLS
    public var auth: Auth
    public var limits: Limits
    /// `retention_policies` and the `[retention]` table (TresorConfiguration+Retention.swift).
    public var retention: RetentionSettings
    /// The `[delivery]` table: outbound routing, retries, DKIM (TresorConfiguration+Delivery.swift).
    public var delivery: DeliverySettings
    /// The `[archive]` table: where the seal key is kept (TresorConfiguration+Archive.swift).
    public var archive: ArchiveSettings
    /// The `[anchor]` table: time stamps of the chain and the witness mail (TresorConfiguration+Anchor.swift).
    public var anchor: AnchorSettings
    /// The `[metrics]` table: the Prometheus endpoint (TresorConfiguration+Metrics.swift).
    public var metrics = MetricsSettings()
    /// The `[quota]` table: the default storage quota (TresorConfiguration+Quota.swift).
    public var quota = QuotaSettings()
    /// The `[spam]` table: rspamd at the end of DATA (TresorConfiguration+Filters.swift).
    public var spam = SpamSettings()
    /// The `[antivirus]` table: clamd at the end of DATA (TresorConfiguration+Filters.swift).
    public var antivirus = AntivirusSettings()
    /// The `[auth_checks]` table: SPF, DKIM and DMARC on the MX listener (TresorConfiguration+AuthChecks.swift).
    public var authChecks = AuthCheckSettings()
    /// The `[dlp]` table: data-loss prevention rules for outgoing mail (TresorConfiguration+DLP.swift).
    public var dlp = DLPSettings()
    /// The `[access]` table: who may read content (TresorConfiguration+Access.swift).
    public var accessControl: AccessSettings
    /// The `[sieve]` table: where spamtest and virustest (RFC 5235) read verdicts.
    public var sieve: SieveScanHeaders
    /// `log_format`: how `tresor serve` writes its log (TresorConfiguration+Logging.swift).
    public var logFormat: LogFormat = .text

    /// One listening socket. `port = 0` lets the OS choose (tests).
    public struct Listener: Sendable, Equatable {
        public var enabled: Bool
        public var address: String
        public var port: Int
        /// `proxy_protocol`: every connection opens with a PROXY header (v2 or v1) from a load
        /// balancer, whose client address then stands for the peer's; without one it is closed.
        public var proxyProtocol: Bool
        /// `proxy_trusted`: the balancers' IP addresses that may send the header; empty: any peer.
        public var proxyTrusted: [String]
        public init(enabled: Bool = true, address: String = "127.0.0.1", port: Int, proxyProtocol: Bool = false,
                    proxyTrusted: [String] = []) {
            self.enabled = enabled
            self.address = address
            self.port = port
            self.proxyProtocol = proxyProtocol
            self.proxyTrusted = proxyTrusted
        }
    }

    /// The `[managesieve]` table: its listener and the per-user script quotas it enforces.
    public struct ManageSieve: Sendable, Equatable {
        public var listener: Listener
        /// Scripts one user may store (RFC 5804 QUOTA/MAXSCRIPTS).
        public var maximumScripts: Int
        /// Bytes one script may have (RFC 5804 QUOTA/MAXSIZE).
        public var maximumScriptSize: Int
        public init(listener: Listener = Listener(port: 4190), maximumScripts: Int = 32,
                    maximumScriptSize: Int = 1 << 20) {
            self.listener = listener
            self.maximumScripts = maximumScripts
            self.maximumScriptSize = maximumScriptSize
        }
    }

    /// A certificate chain and key in PEM files; with neither, a self-signed certificate is
    /// generated into `DATA/tls/` at first start and reused afterwards.
    public struct TLS: Sendable, Equatable {
        public var certificate: URL?
        public var key: URL?
        public init(certificate: URL? = nil, key: URL? = nil) {
            self.certificate = certificate
            self.key = key
        }
    }

    public struct Auth: Sendable, Equatable {
        /// RFC 4954 §4: AUTH PLAIN/LOGIN without TLS is refused, except from a loopback
        /// client when this is true (tests, a local webmail).
        public var allowPlaintextOnLoopback = true
        /// How long a failed AUTH waits before its 535 answer (slows password guessing).
        public var failureDelay: Duration = .seconds(1)
        /// How long a verified login is remembered, so that repeating it skips scrypt
        /// (`VerifiedLoginCache` in MailStore); zero turns the cache off.
        public var loginCacheLifetime: Duration = .seconds(3600)
        public init() {}
    }

    public struct Limits: Sendable, Equatable {
        /// Advertised with SIZE (RFC 1870); bigger messages get 552.
        public var messageSize = 50 << 20
        /// RFC 5321 §4.5.3.1.8: at least 100 must be accepted.
        public var recipients = 100
        /// Simultaneous connections from one client IP, counted over all listeners together; more
        /// get the protocol's "too busy" reply (SMTP 421 4.7.0, POP3 -ERR [SYS/TEMP], IMAP and
        /// ManageSieve BYE) and are closed.
        public var connectionsPerIP = 20
        /// Simultaneous connections to the whole server, all listeners and addresses together;
        /// refused the same way past it. Keep it under the open-file limit (`LimitNOFILE`).
        public var connections = 1000
        /// Time every command gets to arrive whole, counted from its first byte (later bytes do not
        /// extend it): a command line, an IMAP command with its literals, SMTP DATA or a BDAT chunk.
        public var commandDeadline: Duration = .seconds(60)
        /// Beyond `commandDeadline`, one more second for every this many bytes of the command, so
        /// large messages and literals sent at a sane rate are never cut off (as Postfix's
        /// `smtpd_min_data_rate`).
        public var minimumDataRate = 500
        /// SMTP content above this size is spooled to `DATA/spool/smtp` instead of held in memory.
        public var spoolThreshold = 1 << 20
        /// The bytes of SMTP messages being received at once, all connections together; past it,
        /// 452 4.3.1 (RFC 3463 §3.4) until some are delivered or abandoned.
        public var inFlightSize = 1 << 30
        /// A client that takes none of our bytes for this long is disconnected (every protocol).
        public var writeTimeout: Duration = .seconds(300)
        public init() {}
    }

    /// The built-in defaults.
    public init() {
        dataDirectory = nil
        folder = nil
        file = nil
        listenAddress = Self.defaultListenAddress
        exportsFolder = nil
        hostname = Self.machineHostname()
        domains = ["localhost"]
        smtp = Listener(port: 2525)
        submission = Listener(port: 2587)
        submissions = Listener(port: 2465)
        pop3 = Listener(port: 2110)
        pop3s = Listener(port: 2995)
        imap = Listener(port: 2143)
        imaps = Listener(port: 2993)
        manageSieve = ManageSieve()
        tls = TLS()
        auth = Auth()
        limits = Limits()
        retention = RetentionSettings()
        delivery = DeliverySettings()
        archive = ArchiveSettings()
        anchor = AnchorSettings()
        accessControl = AccessSettings()
        sieve = .off
    }

    /// The machine's host name (gethostname), or `localhost` if it has none.
    static func machineHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

extension TresorConfiguration {
    /// The file every command reads from the working directory, when neither `--config` nor
    /// `$TRESOR_CONFIG` names one and it exists.
    public static let defaultFileName = "tresor.toml"

    /// Reads and validates a configuration file. Relative paths inside it are taken relative
    /// to the file's folder, so a configuration means the same from any working directory.
    public static func load(from url: URL, displayName: String? = nil) throws -> TresorConfiguration {
        let name = displayName ?? url.path
        // The POSIX reason ("No such file or directory") rather than Foundation's error dump.
        guard access(url.path, R_OK) == 0 else {
            throw ConfigurationError(file: name, line: nil, key: "",
                                     problem: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigurationError(file: name, line: nil, key: "", problem: "cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(file: name, line: nil, key: "", problem: "not UTF-8 text (TOML v1.0.0 requires UTF-8)")
        }
        return try parse(text, file: name, relativeTo: url.deletingLastPathComponent())
    }

    /// Reads a configuration file and returns every problem in it (file order), for
    /// `tresor config check`; the configuration is meaningful only when there is none.
    public static func check(fileAt url: URL, displayName: String? = nil) -> (TresorConfiguration, [ConfigurationError]) {
        let name = displayName ?? url.path
        let data: Data
        do {
            guard access(url.path, R_OK) == 0 else {
                throw ConfigurationError(file: name, line: nil, key: "",
                                         problem: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            data = try Data(contentsOf: url)
        } catch {
            let problem = error as? ConfigurationError
                ?? ConfigurationError(file: name, line: nil, key: "", problem: "cannot read the file: \(error.localizedDescription)")
            return (TresorConfiguration(), [problem])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return (TresorConfiguration(), [ConfigurationError(file: name, line: nil, key: "",
                                                               problem: "not UTF-8 text (TOML v1.0.0 requires UTF-8)")])
        }
        return check(text, file: name, relativeTo: url.deletingLastPathComponent())
    }
}
