@testable import ArchiveStore
import Foundation
import Synchronization
import Testing
import TestSupport
import StoreModel

/// A data directory with a fresh archive key, and helpers to build, reopen and damage archives.
struct ArchiveFixture {
    let dataDirectory: URL
    var archiveDirectory: URL { dataDirectory.appendingPathComponent("archive", isDirectory: true) }
    var keysDirectory: URL { dataDirectory.appendingPathComponent("keys", isDirectory: true) }

    init(_ directory: URL) throws {
        dataDirectory = directory
        _ = try ArchiveKey.create(inKeysDirectory: keysDirectory)
    }

    func open(_ configure: (inout ArchiveConfiguration) -> Void = { _ in }) throws -> ArchiveStore {
        var configuration = ArchiveConfiguration()
        configure(&configuration)
        return try ArchiveStore(dataDirectory: dataDirectory, configuration: configuration)
    }

    func segmentURL(_ number: UInt32) -> URL {
        archiveDirectory.appendingPathComponent(SegmentName.fileName(number))
    }

    var headURL: URL { archiveDirectory.appendingPathComponent("HEAD") }

    func bytes(of url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// Replaces a file's bytes, read-only (sealed) files included, keeping its mode.
    func overwrite(_ url: URL, with bytes: [UInt8]) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        try Data(bytes).write(to: url)
        try FileManager.default.setAttributes(
            [.posixPermissions: attributes[.posixPermissions] ?? 0o644], ofItemAtPath: url.path)
    }

    func segmentNumbers() throws -> [UInt32] {
        try FileManager.default.contentsOfDirectory(atPath: archiveDirectory.path)
            .compactMap(SegmentName.number(of:)).sorted()
    }

    func verify() -> VerificationReport { ArchiveVerifier.verify(dataDirectory: dataDirectory) }

    /// Total length of the frame at `offset` in `bytes`.
    static func frameLength(in bytes: [UInt8], at offset: UInt64) -> Int {
        let o = Int(offset)
        let length = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
        return 4 + length + 4
    }
}

func envelope(_ n: Int, at date: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> Envelope {
    Envelope(
        mailFrom: "sender\(n)@example.org", recipients: ["a@example.com", "bcc\(n)@example.com"], receivedAt: date,
        clientAddress: "192.0.2.\(n % 250)", helo: "mx.example.org", direction: .inbound, source: MessageSource("smtp"))
}

/// A small message whose body differs by `n`; `padding` adds incompressible-ish bytes.
func message(_ n: Int, padding: Int = 0) -> [UInt8] {
    var generator = SplitMix64(seed: UInt64(n))
    var text = Array("""
        Received: from mx.example.org (mx.example.org [192.0.2.1])\r
        From: Sender \(n) <sender\(n)@example.org>\r
        To: a@example.com\r
        Subject: message number \(n)\r
        Message-ID: <\(n)@example.org>\r
        MIME-Version: 1.0\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        Hello, this is message \(n).\r

        """.utf8)
    for _ in 0..<padding { text.append(UInt8(ascii: "a") + UInt8(generator.next() % 26)) }
    text.append(contentsOf: Array("\r\n".utf8))
    return text
}


/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ date: Date) { current = Mutex(date) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
