// swift-tools-version:6.1
// libFuzzer targets for Tresor's parsers: one executable per input grammar, each entry point
// `LLVMFuzzerTestOneInput`. A package of its own, so that building or testing Tresor never builds
// it; `Fuzz/run` builds it with `-sanitize=fuzzer,address` and runs each target (Fuzz/README.md).
import PackageDescription

let settings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "TresorFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Tresor", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libFuzzer's driver, declared for Swift, and the `main` every target shares.
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], swiftSettings: settings),
        // RFC 5322 / MIME parsing, text extraction, IMAP BODYSTRUCTURE, ENVELOPE and body sections.
        .executableTarget(name: "FuzzMIME", dependencies: ["FuzzSupport", .product(name: "MailMessage", package: "Tresor"),
                                                           .product(name: "IMAPServer", package: "Tresor")],
                          swiftSettings: settings),
        // SMTP command lines (RFC 5321 §4.1).
        .executableTarget(name: "FuzzSMTP", dependencies: ["FuzzSupport", .product(name: "SMTPServer", package: "Tresor"),
                                                           .product(name: "NIOCore", package: "swift-nio")],
                          swiftSettings: settings),
        // IMAP framing (literals) and command grammar (RFC 9051 §9).
        .executableTarget(name: "FuzzIMAP", dependencies: ["FuzzSupport", .product(name: "IMAPServer", package: "Tresor")],
                          swiftSettings: settings),
        // POP3 command lines (RFC 1939).
        .executableTarget(name: "FuzzPOP3", dependencies: ["FuzzSupport", .product(name: "POP3Server", package: "Tresor")],
                          swiftSettings: settings),
        // ManageSieve framing and commands (RFC 5804).
        .executableTarget(name: "FuzzManageSieve",
                          dependencies: ["FuzzSupport", .product(name: "ManageSieveServer", package: "Tresor"),
                                         .product(name: "NIOCore", package: "swift-nio")],
                          swiftSettings: settings),
        // Sieve scripts: parser, validator, and a run against a fixed message (RFC 5228).
        .executableTarget(name: "FuzzSieve", dependencies: ["FuzzSupport", .product(name: "Sieve", package: "Tresor"),
                                                            .product(name: "MailMessage", package: "Tresor")],
                          swiftSettings: settings),
        // The search query language: parse, compile to SQL, run against a small catalog.
        .executableTarget(name: "FuzzQuery", dependencies: ["FuzzSupport", .product(name: "Catalog", package: "Tresor"),
                                                            .product(name: "MailMessage", package: "Tresor"),
                                                            .product(name: "MailStore", package: "Tresor")],
                          swiftSettings: settings),
    ]
)
