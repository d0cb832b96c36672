// swift-tools-version:6.1
// Tresor: a mail server whose every message is journaled into a tamper-evident archive.
// Module map and import rules: ARCHITECTURE.md. Imports point only downward:
//   tresor, tresor-bench → MailStore → Catalog → (MailMessage, ArchiveStore);  ArchiveStore → CZlib, Crypto.
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
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
            dependencies: ["MailMessage", "ArchiveStore", "Catalog",
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "tresor",
            dependencies: ["MailMessage", "ArchiveStore", "Catalog", "MailStore",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "tresor-bench",
            dependencies: ["MailMessage", "ArchiveStore", "Catalog", "MailStore", "CZlib",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "MailMessageTests", dependencies: ["MailMessage", "TestSupport"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "ArchiveStoreTests", dependencies: ["ArchiveStore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "MailMessage", "ArchiveStore", "TestSupport"],
                    exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "MailStoreTests", dependencies: ["MailStore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"], swiftSettings: strict),
    ]
)
