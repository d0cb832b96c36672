// swift-tools-version:6.1
// Tresor: a mail server whose every message is journaled into a tamper-evident archive.
// Module map and import rules: ARCHITECTURE.md. Imports point only downward:
//   tresor → (MailServer, Retention, Export, Delivery, MailStore, AttachmentText) ;  MailServer → (protocol servers,
//   Retention, Delivery, MailStore) ;  SMTPServer, POP3Server, ManageSieveServer, IMAPServer → ServerKit ;
//   Retention, Export → MailStore ;  Delivery → (ServerKit, MailStore) ;  DataLossPrevention → (MailStore, Delivery) ;
//   MailStore → (ArchiveStore, Catalog, Sieve; re-exports StoreModel and QueryLanguage) — nothing else
//   imports ArchiveStore or Catalog (tresor-bench and the tests excepted) ;
//   Catalog → (StoreModel, QueryLanguage, MailMessage, GRDB) ;  ArchiveStore → (StoreModel, SystemZlib, Crypto) ;
//   Sieve → MailMessage ;  AttachmentText → (MailMessage, StoreModel, ZIPFoundation), imported by MailStore ;  TimeStamping → (SwiftASN1, X509, Crypto, AsyncHTTPClient), imported by
//   nothing of ours yet.  `Tests/PackageRulesTests` checks these against the sources' imports.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Tresor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tresor", targets: ["tresor"]),
        .executable(name: "tresor-bench", targets: ["tresor-bench"]),
        .library(name: "MailMessage", targets: ["MailMessage"]),
        .library(name: "ArchiveStore", targets: ["ArchiveStore"]),
        .library(name: "Catalog", targets: ["Catalog"]),
        .library(name: "MailStore", targets: ["MailStore"]),
        // The parsers' modules, for the fuzzing harness in Fuzz/ (a package of its own).
        .library(name: "Sieve", targets: ["Sieve"]),
        .library(name: "SMTPServer", targets: ["SMTPServer"]),
        .library(name: "POP3Server", targets: ["POP3Server"]),
        .library(name: "ManageSieveServer", targets: ["ManageSieveServer"]),
        .library(name: "IMAPServer", targets: ["IMAPServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // zlib from the system (zlib1g-dev): raw deflate with a preset dictionary, CRC-32.
        .systemLibrary(name: "SystemZlib", path: "Sources/SystemZlib"),
        // The fatal-signal handler of the executable: one line naming the signal, then death by it.
        .target(name: "CrashSignals"),
        .target(name: "MailMessage", swiftSettings: strict),
        // The value types storage speaks in, shared by ArchiveStore, Catalog and MailStore's
        // callers (MailStore re-exports it): envelopes and record locations, mailbox and message
        // views, queue rows, governance records, the signed HEAD and the archive's public key.
        .target(name: "StoreModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        // The query language of `tresor search`, holds, policies and exports: lexer, parser and the
        // tree it yields (Catalog compiles the tree to SQL). Pure, no I/O.
        .target(name: "QueryLanguage", swiftSettings: strict),
        .target(
            name: "ArchiveStore",
            dependencies: ["StoreModel", "SystemZlib", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "Catalog",
            dependencies: ["MailMessage", "StoreModel", "QueryLanguage", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // The text of attachment documents: Office Open XML and OpenDocument (through a ZIP reader and
        // a tolerant markup pass), RTF, ZIP archives one level deep, PDF through poppler's pdftotext in
        // a child process with time and memory limits. Every attachment gets a state: its text, or why not.
        .target(
            name: "AttachmentText",
            dependencies: ["MailMessage", "StoreModel", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strict),
        // The one door into storage: delivery, accounts, mailboxes, rules, the message reader,
        // compliance and the outbound queue, over the archive and the catalog (both internal).
        .target(
            name: "MailStore",
            dependencies: ["MailMessage", "StoreModel", "QueryLanguage", "ArchiveStore", "Catalog", "Sieve", "AttachmentText",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // RFC 3161 time stamps of the archive's HEAD: requests, responses, tokens (RFC 5652
        // SignedData, parsed here), their verification against configured TSA roots, and the
        // HTTP client that asks a TSA. Knows nothing of the archive.
        .target(
            name: "TimeStamping",
            dependencies: [.product(name: "SwiftASN1", package: "swift-asn1"),
                           .product(name: "X509", package: "swift-certificates"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict),
        // What the protocol servers share: listeners, TLS and STARTTLS, CRLF framing, SASL, limits.
        .target(
            name: "ServerKit",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "X509", package: "swift-certificates"),
                           .product(name: "SwiftASN1", package: "swift-asn1"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // RFC 5321 grammar, session state machine, DATA/BDAT gathered in memory up to a threshold
        // and spooled to a file beyond it; hands each message to an `SMTPBackend` and never sees storage.
        .target(name: "SMTPServer", dependencies: ["ServerKit", "MailMessage", .product(name: "NIOCore", package: "swift-nio"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
                                                 .product(name: "_NIOFileSystem", package: "swift-nio")],
                swiftSettings: strict),
        // RFC 1939 POP3 with CAPA, STLS and AUTH PLAIN; maildrops behind a `POP3Backend`.
        .target(name: "POP3Server", dependencies: ["ServerKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // RFC 5804 ManageSieve: grammar, session state machine, `ManageSieveService`; scripts behind a
        // `ManageSieveBackend` (it never sees storage or the Sieve language).
        .target(name: "ManageSieveServer", dependencies: ["ServerKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // RFC 3501 / RFC 9051 IMAP: grammar, response encoding, session state machine.
        .target(name: "IMAPServer", dependencies: ["ServerKit", "MailMessage", .product(name: "NIOCore", package: "swift-nio"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
                                                 .product(name: "_NIOFileSystem", package: "swift-nio")],
                swiftSettings: strict),
        // RFC 5228 Sieve and its extensions: lexer, parser, validator, interpreter. Pure: returns
        // actions, does no I/O.
        .target(name: "Sieve", dependencies: ["MailMessage"], swiftSettings: strict),
        // Retention policies (TOML files), their evaluation, legal holds, purge plans and their execution.
        .target(
            name: "Retention",
            dependencies: ["MailStore",
                           .product(name: "TOMLKit", package: "TOMLKit"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Exports (mbox, Maildir, EML) with manifests and signatures, and their verification.
        .target(
            name: "Export",
            dependencies: ["MailStore", "MailMessage", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // Outbound delivery: queue workers, DNS client, SMTP client, retries, DSN bounces, DKIM.
        .target(
            name: "Delivery",
            dependencies: ["ServerKit", "MailStore", "MailMessage",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Data-loss prevention on outgoing mail: detectors (card numbers, IBANs, regexes, attachment
        // types, external recipients), the TOML rule files, and the quarantine's release and reject.
        .target(
            name: "DataLossPrevention",
            dependencies: ["MailStore", "MailMessage", "QueryLanguage", "StoreModel", "Delivery",
                           .product(name: "TOMLKit", package: "TOMLKit"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The composition root: tresor.toml, wiring, one ServiceGroup (stores first, listeners last);
        // anchoring (RFC 3161 stamps of the chain, witness mail) joins MailStore and TimeStamping here;
        // the content filters' clients (rspamd over HTTP, clamd's INSTREAM) in Filters/.
        .target(
            name: "MailServer",
            dependencies: ["MailStore", "SMTPServer", "POP3Server", "ManageSieveServer", "IMAPServer", "Sieve", "ServerKit",
                           "Retention", "Delivery", "TimeStamping", "MailMessage", "AttachmentText", "DataLossPrevention",
                           .product(name: "TOMLKit", package: "TOMLKit"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "tresor",
            dependencies: ["MailMessage", "MailStore", "MailServer", "Sieve", "Retention", "Export", "Delivery", "AttachmentText",
                           "DataLossPrevention", "CrashSignals",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "tresor-bench",
            dependencies: ["MailMessage", "ArchiveStore", "Catalog", "MailStore", "Sieve", "Export", "Delivery", "AttachmentText",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        // The raw socket client the protocol servers' tests share (connect, lines, bytes, STARTTLS),
        // and the hand-driven timers their timeout tests run on.
        .target(name: "SocketTestSupport", dependencies: ["ServerKit", .product(name: "NIOCore", package: "swift-nio"),
                                                         .product(name: "NIOPosix", package: "swift-nio"),
                                                         .product(name: "NIOSSL", package: "swift-nio-ssl")],
                path: "Tests/SocketTestSupport", swiftSettings: strict),
        .testTarget(name: "MailMessageTests", dependencies: ["MailMessage", "TestSupport"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        // The attachment extractors on a corpus the tests generate (python-docx, openpyxl, python-pptx,
        // odfpy, fpdf2) and on hostile inputs.
        .testTarget(name: "AttachmentTextTests", dependencies: ["AttachmentText", "MailMessage", "TestSupport",
                                                               .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                    swiftSettings: strict),
        .testTarget(name: "ArchiveStoreTests", dependencies: ["ArchiveStore", "StoreModel", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "MailMessage", "StoreModel", "QueryLanguage", "ArchiveStore", "TestSupport"],
                    exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "DataLossPreventionTests", dependencies: ["DataLossPrevention", "MailMessage", "StoreModel", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "MailStoreTests", dependencies: ["MailStore", "AttachmentText", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ServerKitTests", dependencies: ["ServerKit", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SMTPServerTests", dependencies: ["SMTPServer", "ServerKit", "TestSupport", "SocketTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "POP3ServerTests", dependencies: ["POP3Server", "ServerKit", "TestSupport", "SocketTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "SieveTests", dependencies: ["Sieve", "MailMessage", "TestSupport"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "ManageSieveServerTests", dependencies: ["ManageSieveServer", "ServerKit", "TestSupport", "SocketTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "IMAPServerTests", dependencies: ["IMAPServer", "ServerKit", "MailMessage", "TestSupport", "SocketTestSupport",
                                                          .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "MailServerTests", dependencies: ["MailServer", "MailStore", "Delivery", "TestSupport",
                                                            "SocketTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "RetentionTests", dependencies: ["Retention", "MailStore", "Catalog", "ArchiveStore", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "ExportTests", dependencies: ["Export", "MailStore", "Catalog", "ArchiveStore", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "MailServer", "MailStore", "Catalog", "ArchiveStore",
                                                        "MailMessage", "ServerKit", "TestSupport", "SocketTestSupport",
                                                        .product(name: "Logging", package: "swift-log"),
                                                        .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                                        .product(name: "NIOCore", package: "swift-nio"),
                                                        .product(name: "NIOPosix", package: "swift-nio"),
                                                        .product(name: "Crypto", package: "swift-crypto"),
                                                        .product(name: "_CryptoExtras", package: "swift-crypto")],
                    swiftSettings: strict),
        .testTarget(name: "TimeStampingTests", dependencies: ["TimeStamping", "TestSupport",
                                                             .product(name: "SwiftASN1", package: "swift-asn1"),
                                                             .product(name: "X509", package: "swift-certificates"),
                                                             .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Fixtures"], swiftSettings: strict),
        // The attack scripts re-sign HEAD with the archive key, as an intruder with the files would.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", .product(name: "Crypto", package: "swift-crypto")],
                    swiftSettings: strict),
        // The module map checked against the sources' imports (reads Package.swift and Sources/).
        .testTarget(name: "PackageRulesTests", swiftSettings: strict),
        // The benchmarks' own pure parts (response framing, generated mailboxes, /proc parsing).
        .testTarget(name: "TresorBenchTests", dependencies: ["tresor-bench"], swiftSettings: strict),
    ]
)
