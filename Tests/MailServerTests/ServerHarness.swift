import Catalog
import Foundation
import Logging
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// A real `MailServer` in this process on 127.0.0.1, every listener on port 0, over a fresh
/// data directory made by the real `tresor init`, with the given users in domain `localhost`.
struct ServerHarness {
    let dataDirectory: URL
    let ports: BoundPorts
    /// The running server (for `reload()`).
    let server: MailServer
    var smtp: Int { ports["smtp"]! }
    var submission: Int { ports["submission"]! }
    var submissions: Int { ports["submissions"]! }
    var pop3: Int { ports["pop3"]! }
    var pop3s: Int { ports["pop3s"]! }
    var manageSieve: Int { ports["managesieve"]! }
    var imap: Int { ports["imap"]! }
    var imaps: Int { ports["imaps"]! }
    var certificate: URL { TLSMaterial.certificateURL(in: dataDirectory) }

    static func configuration() -> TresorConfiguration {
        var configuration = TresorConfiguration()
        configuration.hostname = "mx.tresor.test"
        configuration.smtp.port = 0
        configuration.submission.port = 0
        configuration.submissions.port = 0
        configuration.pop3.port = 0
        configuration.pop3s.port = 0
        configuration.manageSieve.listener.port = 0
        configuration.imap.port = 0
        configuration.imaps.port = 0
        return configuration
    }

    /// A data directory made by the real `tresor init` inside `folder` (without an operator), with
    /// domain `localhost` and `users` (address, password) added; the store is closed again before it returns.
    static func makeDataDirectory(in folder: URL, users: [(String, String)]) async throws -> URL {
        let data = folder.appendingPathComponent("data", isDirectory: true)
        // --no-operator: tests that need operators enrol their own, whatever the environment offers.
        let initialised = try CommandRunner.run("tresor", ["init", "--no-operator", "--data-dir", data.path])
        try #require(initialised.status == 0, "tresor init: \(initialised.stderr)")
        let store = try MailStore(dataDirectory: data)
        defer { store.close() }
        if try await !store.accounts.domains().contains("localhost") { try await store.accounts.addDomain("localhost", by: .system("test")) }
        for (user, password) in users { try await store.accounts.addUser(user, password: password, by: .system("test")) }
        return data
    }

    /// Runs `body` against a started server; shuts it down gracefully afterwards and then
    /// hands the closed data directory to `after` for inspection.
    static func with(
        users: [(String, String)],
        configuration: TresorConfiguration = configuration(),
        logger: Logger = Logger(label: "tresor.test"),
        _ body: (ServerHarness) async throws -> Void,
        after: (MailStore) async throws -> Void = { _ in }
    ) async throws {
        try await withTemporaryDirectory { folder in
            let data = try await makeDataDirectory(in: folder, users: users)
            let server = MailServer(configuration: configuration, dataDirectory: data,
                                    logger: logger, handleSignals: false)
            let (bound, continuation) = AsyncStream<BoundPorts>.makeStream()
            let running = Task { try await server.run(onReady: { continuation.yield($0); continuation.finish() }) }
            var ports: BoundPorts?
            for await value in bound { ports = value }
            guard let ports else {
                try await running.value
                Issue.record("the server stopped before binding its listeners")
                return
            }
            do {
                try await body(ServerHarness(dataDirectory: data, ports: ports, server: server))
            } catch {
                await server.shutdown()
                try? await running.value
                throw error
            }
            await server.shutdown()
            try await running.value
            let store = try MailStore(dataDirectory: data)
            defer { store.close() }
            try await after(store)
        }
    }
}

/// What the archive, the catalog and a mailbox hold for one Message-ID.
struct Stored {
    var raw: [UInt8]
    var hit: SearchHit
    var inbox: [MailboxMessage]

    static func find(messageID: String, user: String, in store: MailStore) async throws -> Stored {
        let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:\(messageID)"))
        try #require(hits.count == 1, "catalog hits for \(messageID): \(hits.count)")
        let raw = try #require(try store.archive.readBody(sha256: hits[0].id), "archive body of \(messageID)")
        let inbox = try await store.mailboxes.messages(in: "INBOX", of: user).filter { $0.sha256 == hits[0].id }
        return Stored(raw: raw, hit: hits[0], inbox: inbox)
    }

    /// The stored bytes are the sent bytes with only trace fields in front (RFC 5321 §4.4):
    /// `Return-Path:` first, then `Received:` (with folded continuation lines).
    func expectTraceHeadersThenOriginal(_ original: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        guard raw.count > original.count, Array(raw.suffix(original.count)) == original else {
            Issue.record("stored message does not end with the sent bytes", sourceLocation: sourceLocation)
            return
        }
        let prefix = String(decoding: raw.prefix(raw.count - original.count), as: UTF8.self)
        let lines = prefix.components(separatedBy: "\r\n").dropLast()
        #expect(lines.first?.hasPrefix("Return-Path: <") == true, "\(prefix)", sourceLocation: sourceLocation)
        #expect(lines.contains { $0.hasPrefix("Received: ") }, "\(prefix)", sourceLocation: sourceLocation)
        for line in lines {
            let ok = line.hasPrefix("Return-Path: ") || line.hasPrefix("Received: ") || line.hasPrefix(" ")
                || line.hasPrefix("\t")
            #expect(ok, "unexpected added line: \(line)", sourceLocation: sourceLocation)
        }
    }
}
