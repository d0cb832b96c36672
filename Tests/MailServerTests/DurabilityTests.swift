import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Durability: the real `tresor serve` binary is killed with SIGKILL while ten
/// connections deliver 500 messages; after a restart every message that got 250 is archived,
/// indexed and in its mailbox, found by `tresor search` by a word only it holds (whatever part
/// of indexing happens after the 250, recovery completes it), and `tresor verify` passes.
@Suite struct DurabilityTests {
    /// Ten threads, each a persistent smtplib connection sending 50 messages. After `kill_after`
    /// 250s in all, one thread sends SIGKILL to the server. Prints the acknowledged Message-IDs.
    static let client = #"""
import json, os, signal, smtplib, sys, threading
port, pid, kill_after = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
lock = threading.Lock()
acked, errors = [], []
killed = [False]
def word(mid):
    n, i = mid.split('@')[0][1:].split('.')
    return 'zq%sx%sk' % (n, i)
def worker(n):
    try:
        s = smtplib.SMTP('127.0.0.1', port, local_hostname='load%d.test' % n, timeout=30)
        for i in range(50):
            mid = 'd%d.%d@durability.test' % (n, i)
            body = ('From: <load@remote.test>\r\nTo: <alice@localhost>\r\nSubject: durability %d %d\r\n'
                    'Message-ID: <%s>\r\n\r\n' % (n, i, mid) + 'payload line\r\n' * (20 + i)
                    + 'unique word %s\r\n' % word(mid)).encode()
            s.sendmail('load@remote.test', ['alice@localhost'], body)
            with lock:
                acked.append(mid)
                if len(acked) >= kill_after and not killed[0]:
                    killed[0] = True
                    os.kill(pid, signal.SIGKILL)
    except Exception as e:
        with lock:
            errors.append(repr(e))
threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({'acked': acked, 'errors': errors, 'killed': killed[0]}))
"""#

    struct Outcome: Decodable { var acked: [String]; var errors: [String]; var killed: Bool }

    @Test func everyAcknowledgedMessageSurvivesKill9() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "durable")])
            let config = folder.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.durability.test").utf8).write(to: config)

            let first = try await ServeProcess.start(config: config, logLevel: "warning")
            let output = try await ChildProcess.python(Self.client, [String(first.ports["smtp"]!),
                                                                  String(first.process.processIdentifier), "150"])
            let outcome = try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
            let status = await first.exit()
            #expect(outcome.killed, "the server was killed")
            #expect(first.process.terminationReason == .uncaughtSignal && status == SIGKILL)
            #expect(outcome.acked.count >= 150 && outcome.acked.count < 500, "\(outcome.acked.count) acknowledged")

            // Restart: recovery runs before the listeners bind; then a graceful stop exits 0.
            let second = try await ServeProcess.start(config: config, logLevel: "warning")
            kill(second.process.processIdentifier, SIGTERM)
            #expect(await second.exit() == 0, "SIGTERM exit status")

            let store = try MailStore(dataDirectory: data)
            defer { store.close() }
            let inbox = Set(try await store.mailboxes.messages(in: "INBOX", of: "alice@localhost").map(\.sha256))
            var missing: [String] = []
            for id in outcome.acked {
                let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:\(id)"))
                guard hits.count == 1, inbox.contains(hits[0].id),
                      try store.archive.readBody(sha256: hits[0].id) != nil else {
                    missing.append(id)
                    continue
                }
            }
            #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
            #expect(try Self.unsearchable(outcome.acked, data: data).isEmpty, "acknowledged but not found by its word")
            let verify = try CommandRunner.run("tresor", ["verify", "--data-dir", data.path])
            #expect(verify.status == 0, "tresor verify: \(verify.stdout) \(verify.stderr)")
        }
    }

    /// The word only the message with Message-ID `d<n>.<i>@durability.test` holds: `zq<n>x<i>k`.
    static func word(_ messageID: String) -> String {
        let numbers = messageID.prefix { $0 != "@" }.dropFirst().split(separator: ".")
        return "zq\(numbers[0])x\(numbers[1])k"
    }

    /// The Message-IDs that `tresor search` does not find by their own word, asked 50 words at a
    /// time (`w1 OR w2 …`, CSV, which lists each hit's Message-ID).
    static func unsearchable(_ messageIDs: [String], data: URL) throws -> [String] {
        var lost: [String] = []
        for start in stride(from: 0, to: messageIDs.count, by: 50) {
            let chunk = Array(messageIDs[start..<min(messageIDs.count, start + 50)])
            let query = chunk.map(word).joined(separator: " OR ")
            let search = try CommandRunner.run("tresor", ["search", "--data-dir", data.path, "--csv", query])
            #expect(search.status == 0, "tresor search: \(search.stderr)")
            let lines = search.stdout.split(separator: "\r\n")
            #expect(lines.count == chunk.count + 1, "one hit per word and the header: \(lines.count - 1) hits")
            lost += chunk.filter { id in !lines.contains { $0.contains(id) } }
        }
        return lost
    }
}
