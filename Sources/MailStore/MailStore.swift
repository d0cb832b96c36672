/// The one door into storage (DESIGN.md "The way a message travels"). Nothing outside this
/// module touches the archive or the catalog: callers use the services below, each of which
/// returns StoreModel value types, throws one error type of its own, and keeps its rules inside.
///
/// | service | what it does |
/// | --- | --- |
/// | `delivery` | the pipeline of a message (`DeliveryPipeline`): journal → Sieve → one catalog transaction; imports, recovery, reindex |
/// | `accounts` | domains, users, aliases, recipient resolution, authentication and its throttle |
/// | `mailboxes` | users' folders and messages for IMAP and POP3, each change told to watching sessions |
/// | `rules` | users' and the global Sieve scripts |
/// | `reader` | message bytes: off the cooperative pool, cached, with the kept-copy fallback |
/// | `compliance` | search, show, legal holds, retention, purges, exports, the audit trail; each audits itself |
/// | `queue` | the outbound queue, for the delivery workers and `tresor queue` |
/// | `anchors` | the chain's tip, journaled time stamps (and their copies in `DATA/anchors/`), signed witnesses |
///
/// Invariants:
/// - Order of a delivery: parse → journal in the archive (durable, fsync'd, group commit) →
///   index in the catalog (one SQLite transaction per batch). Nothing is indexed that is not
///   durable in the archive, so the catalog can always be rebuilt from the archive alone.
/// - The archive is the record of truth; the catalog is derived data, except its audit log,
///   whose every entry is also journaled into the archive as an audit event, and the accounts,
///   mailboxes, placements and outbound queue (which the archive cannot rebuild).
/// - An SMTP delivery is journaled first; then the recipients' Sieve scripts decide its filings
///   (outside any SQLite write); then indexing, placement and queueing of remote recipients and
///   redirects commit in one catalog transaction, shared with concurrent deliveries
///   (`CatalogCommitter`). A delivery is identified by its envelope location; `recover()` completes
///   journaled deliveries the catalog lacks, never placing one twice.
/// - Every read of message content and every change of a mailbox, a hold, a policy or a purge is
///   audited by the service that does it (archive event first, then the catalog's audit log).
/// - Blocking work (archive reads, scrypt) runs through `BlockingWork`, never on the cooperative pool.
/// - Library code reads the time from `clock`, never from `Date()`.
/// - Layout of a data directory: `archive/` (segments, owned by ArchiveStore), `keys/`
///   (the archive's seal key, or only its public files when the private key is kept elsewhere;
///   `login-cache.key`, the secret of the verified-login cache),
///   `anchors/` (copies of the journaled time stamps, `AnchorCopies`), `catalog.sqlite` (+ WAL
///   files, owned by Catalog).
import ArchiveStore
import Catalog
import Logging
import MailMessage
import Sieve
@_exported import QueryLanguage
@_exported import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public final class MailStore: Sendable {
    public let dataDirectory: URL
    let archive: ArchiveStore
    let catalog: Catalog
    let logger: Logger
    /// Where "now" comes from (received times, audit entries, retention).
    public let clock: WallClock
    /// Group commit of the catalog side of `DeliveryPipeline.deliver`.
    let committer: CatalogCommitter
    /// Compiled Sieve scripts for deliveries, valid for one `sieve_generation`.
    let sieveCache = SieveScriptCache()
    /// Compiled locked policies and the matcher that stamps retention floors at arrival.
    let floorStamper = RetentionFloorStamper()
    /// Wakes IMAP sessions (IDLE) when a mailbox changes; see `MailboxChangeFeed`.
    let mailboxChanges = MailboxChangeFeed()
    /// Recently read message bytes, for FETCH.
    let byteCache = MessageBytesCache()
    /// Failed logins per client address, for every protocol.
    let authenticationThrottle: AuthenticationThrottle
    /// Logins scrypt verified recently, for every protocol (off for a read-only catalog).
    let loginCache: VerifiedLoginCache
    /// The DLP rules for Sieve redirects to outside addresses (installed by the server with `[dlp]`).
    public let redirectScreen = RedirectScreen()
    /// Where Sieve's spamtest and virustest read the scanners' verdicts (off unless configured).
    public let sieveScan: SieveScanHeaders
    /// The catalog was opened read-only: every write to it fails.
    public let readOnlyCatalog: Bool

    public static func catalogPath(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("catalog.sqlite")
    }

    /// Opens the data directory's archive (recovering a torn tail) and catalog (migrating it).
    /// `authenticationFailureDelay` is the first wait before a wrong password is answered;
    /// `loginCacheLifetime` how long a verified login is remembered (zero: never; see
    /// `VerifiedLoginCache`, whose secret is created in `keys/` when absent);
    /// `sealKeyPath` is where the private seal key is kept (`seal_key`), when not where the data
    /// directory recorded it. `readOnlyCatalog` opens an existing catalog without migrating it and
    /// refuses every write to it (SQLite's read-only mode), so a command that only reads (`tresor
    /// retention list`) leaves the file byte for byte as it was: a writable pool writes even when
    /// nothing is stored, as GRDB creates and drops a table to make sure a WAL file exists.
    /// `catalogInUse` false (no server holds the data directory) lets a read-only catalog be opened
    /// immutable, so that not even its `-wal` and `-shm` files appear (`Catalog.openForReading`).
    public init(dataDirectory: URL, archiveConfiguration: ArchiveConfiguration = .init(), sealKeyPath: String? = nil,
                clock: WallClock = .system, authenticationFailureDelay: Duration = .seconds(1),
                loginCacheLifetime: Duration = .seconds(3600), sieveScan: SieveScanHeaders = .off, readOnlyCatalog: Bool = false,
                catalogInUse: Bool = true, logger: Logger = Logger(label: "tresor.store")) throws(StorageFailure) {
        self.dataDirectory = dataDirectory
        self.sieveScan = sieveScan
        self.logger = logger
        self.clock = clock
        var configuration = archiveConfiguration
        configuration.now = clock.now
        if let sealKeyPath { configuration.sealKeyPath = sealKeyPath }
        do {
            self.archive = try ArchiveStore(dataDirectory: dataDirectory, configuration: configuration, logger: logger)
            let path = Self.catalogPath(in: dataDirectory)
            self.catalog = readOnlyCatalog
                ? try Catalog.openForReading(path: path, inUse: catalogInUse) : try Catalog(path: path)
            self.readOnlyCatalog = readOnlyCatalog
        } catch {
            throw StorageFailure(error)
        }
        self.committer = CatalogCommitter(catalog: catalog, now: clock.now)
        self.authenticationThrottle = AuthenticationThrottle(baseDelay: authenticationFailureDelay)
        var loginCacheSecret: [UInt8]?
        if !readOnlyCatalog && loginCacheLifetime > .zero {
            do {
                loginCacheSecret = try LoginCacheSecret.loadOrCreate(in: dataDirectory)
            } catch {
                logger.warning("login cache off: its secret is unavailable", metadata: ["error": "\(error)"])
            }
        }
        self.loginCache = VerifiedLoginCache(secret: loginCacheSecret, lifetime: loginCacheLifetime)
    }

    public func close() {
        archive.close()
    }

    /// The pipeline every message takes into the store.
    public var delivery: DeliveryPipeline { DeliveryPipeline(store: self) }
    /// Domains, users, aliases, authentication.
    public var accounts: AccountService { AccountService(store: self) }
    /// Users' folders and the messages in them.
    public var mailboxes: MailboxService { MailboxService(store: self) }
    /// Sieve scripts.
    public var rules: SieveRules { SieveRules(store: self) }
    /// Message bytes.
    public var reader: MessageReader { MessageReader(store: self) }
    /// Legal search, holds, retention, purges, exports and the audit trail.
    public var compliance: ComplianceService { ComplianceService(store: self) }
    /// The outbound queue.
    public var queue: OutboundQueue { OutboundQueue(store: self) }
    /// Time stamps of the chain and witnesses, for anchoring the record outside the machine.
    public var anchors: AnchorLedger { AnchorLedger(store: self) }
}

extension MailStore {
    /// Makes a new data directory (`tresor init`): its `keys/` folder (0700) with a fresh archive
    /// seal key — the private key at `sealKeyPath` when given (outside the data directory, which
    /// then records where it is), else in `keys/` — refusing to overwrite an existing key, and the
    /// login cache's secret, then the archive and catalog; audited. Returns the archive's public key (hex), which auditors pin.
    public static func initialise(dataDirectory: URL, sealKeyPath: String? = nil, by actor: AuditActor,
                                  clock: WallClock = .system) async throws(StorageFailure) -> String
    {
        let key: ArchiveKey
        do {
            let keys = dataDirectory.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            key = try SealKeyFiles(dataDirectory: dataDirectory, configuredPath: sealKeyPath).createFirstKey()
            _ = try LoginCacheSecret.loadOrCreate(in: dataDirectory)
        } catch {
            throw StorageFailure(error)
        }
        let store = try MailStore(dataDirectory: dataDirectory, sealKeyPath: sealKeyPath, clock: clock)
        defer { store.close() }
        do {
            try await store.compliance.record("init", detail: dataDirectory.path, by: actor)
        } catch {
            throw StorageFailure(kind: .unavailable, description: "\(error)")
        }
        return key.publicKeyHex
    }
}

extension MailStore {
    /// `tresor verify`: recomputes the archive from its files alone — segments, records, chain,
    /// seals and HEAD (each by the seal key in effect at its place), key rotations, purge stubs
    /// against their purge records. `publicKey` pins the keys to trust: one key in hex, or the text
    /// of a key list (`ArchiveKeyList`); the seals must then be signed by one of them or by a key
    /// rotated to after one. Opens nothing for writing, so it is safe beside a running server and
    /// changes nothing.
    public static func verifyArchive(dataDirectory: URL, publicKey: String? = nil) -> VerificationReport {
        verifyArchive(dataDirectory: dataDirectory, publicKey: publicKey, visit: nil)
    }

    /// `verifyArchive`, showing every checked record to `visit`.
    static func verifyArchive(dataDirectory: URL, publicKey: String?, visit: ((ArchiveRecord) -> Void)?)
        -> VerificationReport
    {
        if let publicKey {
            switch ArchiveKeyList.parse(publicKey) {
            case .success(let keys):
                return ArchiveVerifier.verify(dataDirectory: dataDirectory, pinned: keys, visit: visit)
            case .failure(let problem):
                var report = VerificationReport()
                report.problem = VerificationProblem(file: "--public-key", segment: 0, offset: 0,
                                                     reason: "not Ed25519 public keys in hex: \(problem)")
                return report
            }
        }
        return ArchiveVerifier.verify(dataDirectory: dataDirectory, visit: visit)
    }
}
