import Catalog
import Delivery
import Foundation
import MailMessage
@testable import MailStore
import Testing
import TestSupport
@testable import MailServer

/// Vacation replies (RFC 5230) end to end: messages sent with Python's smtplib to a running
/// server, whose user has a vacation script, and the replies the outbound queue delivers to the
/// aiosmtpd sink. One reply per sender per period; none to a list, a bulk sender, the null sender,
/// an Auto-Submitted message or a message that does not name the user; the reply is in the
/// archive; a restart does not reset the period. Time is a hand-moved clock given to the server.
@Suite(.serialized) struct VacationEndToEndTests {
    /// Sends messages over one MX session; arguments: port, recipient, then (sender, file) pairs
    /// ("-" as sender is the null reverse-path).
    static let client = #"""
import smtplib, sys
port, recipient, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
s = smtplib.SMTP('127.0.0.1', port, local_hostname='client.test', timeout=60)
for sender, path in zip(rest[0::2], rest[1::2]):
    s.sendmail('' if sender == '-' else sender, [recipient], open(path, 'rb').read())
s.quit()
"""#

    static let script = """
        require ["vacation"];
        vacation :days 7 :subject "Away until Monday" :handle "away" "I am away; back on Monday.";
        """

    static func message(from sender: String, id: String, to: String = "alice@localhost", extra: String = "") -> String {
        "From: <\(sender)>\r\nTo: <\(to)>\r\nSubject: Question \(id)\r\nDate: Mon, 7 Dec 2026 08:00:00 +0000\r\n"
            + "Message-ID: <\(id)@remote.test>\r\nReferences: <earlier@remote.test>\r\n\(extra)\r\nHello.\r\n"
    }

    static func send(_ messages: [(sender: String, text: String)], port: Int, in folder: URL) async throws {
        var arguments = [String(port), "alice@localhost"]
        for (index, message) in messages.enumerated() {
            let url = folder.appendingPathComponent("vacation-\(UUID().uuidString)-\(index).eml")
            try Data(message.text.utf8).write(to: url)
            arguments += [message.sender.isEmpty ? "-" : message.sender, url.path]
        }
        _ = try await ChildProcess.python(client, arguments)
    }

    @Test func oneReplyPerSenderPerPeriodThroughTheQueueAndTheArchive() async throws {
        guard try SMTPSink.available() else { return }
        try await withTemporaryDirectory { folder in
            let data = try await RunningServer.makeDataDirectory(folder.appendingPathComponent("data"),
                                                                 domain: "localhost", users: ["alice@localhost"])
            do {
                let store = try MailStore(dataDirectory: data)
                defer { store.close() }
                try await store.rules.put("away", source: Self.script, of: "alice@localhost", activate: true,
                                          by: .system("test"))
            }
            let sinkFolder = folder.appendingPathComponent("sink")
            try FileManager.default.createDirectory(at: sinkFolder, withIntermediateDirectories: true)
            let sink = try await SMTPSink.start(in: sinkFolder)
            defer { Task { await sink.stop() } }
            var configuration = RunningServer.configuration(hostname: "mx.tresor.test", domains: ["localhost"])
            configuration.delivery.routes = ["remote.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1",
                                                                                               port: sink.port))]
            let clock = TestClock()
            clock.freeze()
            let wallClock = WallClock { clock.now }

            // First run: one reply to carol (not two), one to erin, none to the others.
            var server = try await RunningServer.start(configuration, data: data, clock: wallClock)
            do {
                try await Self.send([
                    ("carol@remote.test", Self.message(from: "carol@remote.test", id: "c1")),
                    ("carol@remote.test", Self.message(from: "carol@remote.test", id: "c2")),
                    ("news@remote.test", Self.message(from: "news@remote.test", id: "list",
                                                      extra: "List-Id: News <news.remote.test>\r\n")),
                    ("bulk@remote.test", Self.message(from: "bulk@remote.test", id: "bulk", extra: "Precedence: bulk\r\n")),
                    ("", Self.message(from: "mailer-daemon@remote.test", id: "null")),
                    ("robot@remote.test", Self.message(from: "robot@remote.test", id: "auto",
                                                       extra: "Auto-Submitted: auto-generated\r\n")),
                    ("dave@remote.test", Self.message(from: "dave@remote.test", id: "bcc", to: "team@remote.test")),
                    ("erin@remote.test", Self.message(from: "erin@remote.test", id: "e1",
                                                      extra: "Auto-Submitted: no\r\n")),
                ], port: server.ports["smtp"]!, in: folder)
                #expect(try await eventually { try sink.accepted().count >= 2 })
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()

            var replies = try sink.accepted()
            #expect(replies.map(\.rcpt_tos) == [["carol@remote.test"], ["erin@remote.test"]])
            #expect(replies.allSatisfy { $0.mail_from == "<>" || $0.mail_from == "" })  // RFC 5230 §5.1: the null path
            let first = try #require(replies.first)
            let parsed = Message(parsing: Array(first.message.utf8))
            #expect(parsed.subject == "Away until Monday")
            #expect(parsed.from.map(\.mailbox) == ["alice@localhost"])
            #expect(parsed.inReplyTo == ["c1@remote.test"])
            #expect(parsed.references == ["earlier@remote.test", "c1@remote.test"])
            #expect(parsed.header.first(named: "Auto-Submitted").map { String(decoding: $0, as: UTF8.self) }?
                .trimmingCharacters(in: .whitespaces) == "auto-replied")
            #expect(first.message.contains("I am away; back on Monday."))
            do {
                // The reply is journaled like mail the user sends, and it is the only thing queued.
                let store = try MailStore(dataDirectory: data)
                defer { store.close() }
                let id = try #require(parsed.messageID)
                let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:\(id)"))
                #expect(hits.count == 1)
                if let hit = hits.first {
                    #expect(try store.archive.readBody(sha256: hit.id).map { Message(parsing: $0).messageID } == id)
                }
                #expect(try await store.queue.list().map(\.recipient).sorted() == ["carol@remote.test", "erin@remote.test"])
            }

            // After a restart a day later carol still gets nothing; eight days on she does.
            clock.advance(86_400)
            server = try await RunningServer.start(configuration, data: data, clock: wallClock)
            do {
                try await Self.send([("carol@remote.test", Self.message(from: "carol@remote.test", id: "c3"))],
                                    port: server.ports["smtp"]!, in: folder)
                clock.advance(7 * 86_400)
                try await Self.send([("carol@remote.test", Self.message(from: "carol@remote.test", id: "c4"))],
                                    port: server.ports["smtp"]!, in: folder)
                #expect(try await eventually { try sink.accepted().count >= 3 })
            } catch {
                try await server.stop()
                throw error
            }
            try await server.stop()
            replies = try sink.accepted()
            #expect(replies.count == 3)
            #expect(replies.last.map { Message(parsing: Array($0.message.utf8)).inReplyTo } == ["c4@remote.test"])
        }
    }
}
