import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Durability: the real `tresor serve` binary is killed with SIGKILL while ten
/// connections deliver 500 messages; after a restart every message that got 250 is archived,
/// indexed and in its mailbox, and `tresor verify` passes.
@Suite struct DurabilityTests {
    /// Ten threads, each a persistent smtplib connection sending 50 messages. After `kill_after`
    /// 250s in all, one thread sends SIGKILL to the server. Prints the acknowledged Message-IDs.
    static let client = #"""
import json, os, signal, smtplib, sys, threading
port, pid, kill_after = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
lock = threading.Lock()
acked, errors = [], []
killed = [False]
def worker(n):
    try:
        s = smtplib.SMTP('127.0.0.1', port, local_hostname='load%d.test' % n, timeout=30)
        for i in range(50):
            mid = 'd%d.%d@durability.test' % (n, i)
            body = ('From: <load@remote.test>\r\nTo: <alice@localhost>\r\nSubject: durability %d %d\r\n'
                    'Message-ID: <%s>\r\n\r\n' % (n, i, mid) + 'payload line\r\n' * (20 + i)).encode()
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
            let verify = try CommandRunner.run("tresor", ["verify", "--data-dir", data.path])
            #expect(verify.status == 0, "tresor verify: \(verify.stdout) \(verify.stderr)")
        }
    }
}
