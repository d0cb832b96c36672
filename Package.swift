// swift-tools-version:6.1
// Tresor: a mail server whose every message is journaled into a tamper-evident archive.
// Module map and import rules: ARCHITECTURE.md. Imports point only downward:
//   tresor → MailServer → (MailStore, SMTPServer, POP3Server, ManageSieveServer, IMAPServer) ;
//   SMTPServer → (ServerKit, MailMessage) ;  POP3Server, ManageSieveServer, IMAPServer → ServerKit
//   tresor-bench, MailStore → (Catalog, Sieve) ;  Catalog → (MailMessage, ArchiveStore) ;  Sieve → MailMessage ;
//   ArchiveStore → CZlib, Crypto.
//   Retention, Export → MailStore ;  Delivery → (ServerKit, MailStore) ;  MailServer → (Retention, Delivery).
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
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // zlib from the system (zlib1g-dev): raw deflate with a preset dictionary, CRC-32.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "MailMessage", swiftSettings: strict),
        .target(
            name: "ArchiveStore",
            dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "Catalog",
            dependencies: ["MailMessage", "ArchiveStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // The one façade over storage: journal → index (→ later Sieve, mailboxes, queue), audit.
        .target(
            name: "MailStore",
            dependencies: ["MailMessage", "ArchiveStore", "Catalog", "Sieve",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // What the protocol servers share: listeners, TLS and STARTTLS, CRLF framing, SASL, limits.
        .target(
            name: "ServerKit",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "NIOExtras", package: "swift-nio-extras"),
                           .product(name: "X509", package: "swift-certificates"),
                           .product(name: "SwiftASN1", package: "swift-asn1"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // RFC 5321 grammar, session state machine, DATA/BDAT to a size-capped spool; hands each
        // message to an `SMTPBackend` and never sees storage.
        .target(name: "SMTPServer", dependencies: ["ServerKit", "MailMessage"], swiftSettings: strict),
        // RFC 1939 POP3 with CAPA, STLS and AUTH PLAIN; maildrops behind a `POP3Backend`.
        .target(name: "POP3Server", dependencies: ["ServerKit"], swiftSettings: strict),
        // RFC 5804 ManageSieve: grammar, session state machine, `ManageSieveService`; scripts behind a
        // `ManageSieveBackend` (it never sees storage or the Sieve language).
        .target(name: "ManageSieveServer", dependencies: ["ServerKit"], swiftSettings: strict),
        // RFC 3501 / RFC 9051 IMAP: grammar, response encoding, session state machine.
        .target(name: "IMAPServer", dependencies: ["ServerKit", "MailMessage",
                                                 .product(name: "_NIOFileSystem", package: "swift-nio")],
                swiftSettings: strict),
        // RFC 5228 Sieve and its extensions: lexer, parser, validator, interpreter. Pure: returns
        // actions, does no I/O.
        .target(name: "Sieve", dependencies: ["MailMessage"], swiftSettings: strict),
        // Retention policies (TOML files), their evaluation, legal holds, purge plans and their execution.
        .target(
            name: "Retention",
            dependencies: ["MailStore", "Catalog", "ArchiveStore", "MailMessage",
                           .product(name: "TOMLKit", package: "TOMLKit"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Exports (mbox, Maildir, EML) with manifests and signatures, and their verification.
        .target(
            name: "Export",
            dependencies: ["MailStore", "Catalog", "ArchiveStore", "MailMessage",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // Outbound delivery: queue workers, DNS client, SMTP client, retries, DSN bounces, DKIM.
        .target(
            name: "Delivery",
            dependencies: ["ServerKit", "MailStore", "Catalog", "ArchiveStore", "MailMessage",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The composition root: tresor.toml, wiring, one ServiceGroup (stores first, listeners last).
        .target(
            name: "MailServer",
            dependencies: ["MailStore", "SMTPServer", "POP3Server", "ManageSieveServer", "IMAPServer", "Sieve", "ServerKit",
                           "Retention", "Delivery",
                           .product(name: "TOMLKit", package: "TOMLKit"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "tresor",
            dependencies: ["MailMessage", "ArchiveStore", "Catalog", "MailStore", "MailServer", "Sieve",
                           "Retention", "Export", "Delivery",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "tresor-bench",
            dependencies: ["MailMessage", "ArchiveStore", "Catalog", "MailStore", "Sieve", "CZlib", "Retention", "Export",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        // The raw socket client the protocol servers' tests share (connect, lines, bytes, STARTTLS).
        .target(name: "SocketTestSupport", dependencies: [.product(name: "NIOCore", package: "swift-nio"),
                                                         .product(name: "NIOPosix", package: "swift-nio"),
                                                         .product(name: "NIOSSL", package: "swift-nio-ssl")],
                path: "Tests/SocketTestSupport", swiftSettings: strict),
        .testTarget(name: "MailMessageTests", dependencies: ["MailMessage", "TestSupport"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "ArchiveStoreTests", dependencies: ["ArchiveStore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "MailMessage", "ArchiveStore", "TestSupport"],
                    exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "MailStoreTests", dependencies: ["MailStore", "TestSupport"], swiftSettings: strict),
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
        .testTarget(name: "MailServerTests", dependencies: ["MailServer", "MailStore", "Delivery", "TestSupport"],
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
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], swiftSettings: strict),
        // The benchmarks' own pure parts (response framing, generated mailboxes, /proc parsing).
        .testTarget(name: "TresorBenchTests", dependencies: ["tresor-bench"], swiftSettings: strict),
    ]
)
