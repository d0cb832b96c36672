import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// No placement without an archive record, tried with Python's imaplib against the real
/// `tresor serve`: drafts that leave the drafts folder by MOVE, COPY, or a RENAME of the folder are
/// journaled (so `tresor search` finds them and an EXPUNGE cannot destroy them), two sessions doing
/// a thousand random operations leave `tresor verify` nothing to report, and a `kill -9` in the
/// middle of journaling drafts loses none.
@Suite struct DraftsRecordEndToEndTests {
    /// Shared Python: a STARTTLS login, a draft with a marker word, and the UID of a marked message.
    static let prelude = #"""
import imaplib, json, random, ssl, sys, threading
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def login(port):
    m = imaplib.IMAP4('127.0.0.1', port, timeout=120)
    m.starttls(ssl_context=ctx)
    m.login('alice@localhost', 'secret')
    return m
def draft(marker):
    return ('From: <alice@localhost>\r\nTo: <bob@remote.test>\r\nSubject: draft %s\r\n'
            'Message-ID: <%s@localhost>\r\n\r\nhalf-written %s\r\n' % (marker, marker, marker)).encode()
def uid_of(m, folder, marker):
    m.select('"%s"' % folder)
    typ, data = m.uid('SEARCH', None, 'BODY', marker)
    uids = data[0].split() if typ == 'OK' and data[0] else []
    return uids[-1].decode() if uids else None
"""#

    /// MOVE, COPY, and RENAME-then-MOVE of one draft each into INBOX.
    static let leaveDrafts = prelude + "\n" + #"""
m = login(int(sys.argv[1]))
out = {}
for way in ['move', 'copy', 'rename']:
    marker = 'draftmarker' + way
    out[way + '_append'] = m.append('Drafts', '(\\Draft)', None, draft(marker))[0]
    folder = 'Drafts'
    if way == 'rename':
        m.select('INBOX')
        out['rename'] = m.rename('Drafts', '"Old Drafts"')[0]
        folder = 'Old Drafts'
    uid = uid_of(m, folder, marker)
    out[way + '_uid'] = uid
    out[way] = m.uid('COPY' if way == 'copy' else 'MOVE', uid, 'INBOX')[0]
m.select('INBOX')
typ, data = m.uid('SEARCH', None, 'BODY', 'draftmarker')
out['inbox'] = len(data[0].split())
m.logout()
print(json.dumps(out))
"""#

    /// Everything in INBOX deleted and expunged; how many were expunged.
    static let expungeInbox = prelude + "\n" + #"""
m = login(int(sys.argv[1]))
typ, data = m.select('INBOX')
m.store('1:*', '+FLAGS', '(\\Deleted)')
typ, data = m.expunge()
print(json.dumps({'expunged': len([d for d in data if d])}))
m.logout()
"""#

    func tresor(_ arguments: [String], data: URL) async throws -> CommandResult {
        try await ChildProcess.run([CommandRunner.executable("tresor").path] + arguments + ["--data-dir", data.path])
    }

    func count(_ query: String, data: URL) async throws -> String {
        try await tresor(["search", query, "--count"], data: data).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func startServer(in folder: URL) async throws -> ServeProcess {
        let config = folder.appendingPathComponent("tresor.toml")
        if !FileManager.default.fileExists(atPath: config.path) {
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.drafts.test").utf8).write(to: config)
        }
        return try await ServeProcess.start(config: config, logLevel: "warning")
    }

    @Test func draftsLeavingByMoveCopyOrARenamedFolderAreJournaledAndSurviveExpunge() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "secret")])
            let server = try await startServer(in: folder)
            defer { server.killIfRunning() }
            let imap = String(server.ports["imap"]!)

            let output = try await ChildProcess.python(Self.leaveDrafts, [imap])
            let outcome = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            for key in ["move_append", "move", "copy_append", "copy", "rename_append", "rename"] {
                #expect(outcome[key] as? String == "OK", "\(key): \(output)")
            }
            #expect(outcome["inbox"] as? Int == 3, "\(output)")
            for way in ["move", "copy", "rename"] {
                #expect(try await count("draftmarker\(way)", data: data) == "1", "the draft that left by \(way)")
            }
            let verified = try await tresor(["verify"], data: data)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")

            let expunged = try await ChildProcess.python(Self.expungeInbox, [imap])
            #expect(expunged.contains("\"expunged\": 3"), "\(expunged)")
            for way in ["move", "copy", "rename"] {
                #expect(try await count("draftmarker\(way)", data: data) == "1", "after EXPUNGE: \(way)")
            }
            let again = try await tresor(["verify"], data: data)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            let audit = try await tresor(["audit"], data: data)
            #expect(audit.stdout.contains("imap draft archived") && audit.stdout.contains("imap expunge"), "\(audit.stdout)")
            #expect(await server.stop(SIGTERM) == 0)
        }
    }

    /// Two threads, one session each, `operations` random commands between them (seeded: the seed
    /// is printed): APPEND with and without \Draft, COPY, MOVE, STORE \Deleted with EXPUNGE, CREATE
    /// (sometimes with USE \Drafts), RENAME (the drafts folder too) and DELETE. Refusals are fine.
    static let randomOperations = prelude + "\n" + #"""
port, seed, total = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
import traceback
folders = ['INBOX', 'Drafts', 'Work', 'Old Drafts', 'Tmp']
counts = {'ok': 0, 'no': 0, 'error': 0, 'aborted': 0}
failures = []
lock = threading.Lock()
def session(index, operations):
    try:
        run_session(index, operations)
    except Exception:
        failures.append(traceback.format_exc())
def run_session(index, operations):
    rng = random.Random(seed * 7 + index)
    m = login(port)
    for n in range(operations):
        op = rng.choice(['append', 'append', 'draft', 'draft', 'copy', 'move', 'expunge', 'create', 'rename', 'delete'])
        src, dst = '"%s"' % rng.choice(folders), '"%s"' % rng.choice(folders)
        try:
            if op in ('append', 'draft'):
                flags = '(\\Draft)' if op == 'draft' else None
                typ = m.append(src, flags, None, draft('rnd%d%d%d' % (seed, index, n)))[0]
            elif op in ('copy', 'move', 'expunge'):
                typ = m.select(src)[0]
                if typ == 'OK':
                    lo = rng.randint(1, 40)
                    uids = '%d:%d' % (lo, lo + rng.randint(0, 5))
                    if op == 'expunge':
                        m.uid('STORE', uids, '+FLAGS', '(\\Deleted)')
                        typ = m.expunge()[0]
                    else:
                        typ = m.uid(op.upper(), uids, dst)[0]
            elif op == 'create':
                typ = m.create(dst + (' (USE (\\Drafts))' if rng.random() < 0.5 else ''))[0]
            elif op == 'rename':
                m.select('INBOX')
                typ = m.rename(src, dst)[0]
            else:
                m.select('INBOX')
                typ = m.delete(src)[0] if src != '"INBOX"' else 'NO'
            with lock: counts['ok' if typ == 'OK' else 'no'] += 1
        except imaplib.IMAP4.abort:
            # The other session renamed or deleted the selected mailbox: the server says BYE, as
            # Dovecot does. Log in again and go on.
            with lock: counts['aborted'] += 1
            m = login(port)
        except imaplib.IMAP4.error:
            with lock: counts['error'] += 1
    m.logout()
threads = [threading.Thread(target=session, args=(i, total // 2)) for i in range(2)]
for t in threads: t.start()
for t in threads: t.join()
counts['failures'] = failures
print(json.dumps(counts))
"""#

    @Test func aThousandRandomOperationsByTwoSessionsLeaveNoPlacementWithoutARecord() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "secret")])
            let server = try await startServer(in: folder)
            defer { server.killIfRunning() }
            let seed = Int(Date().timeIntervalSince1970) % 100_000
            let output = try await ChildProcess.python(Self.randomOperations, [String(server.ports["imap"]!), String(seed), "1000"])
            let outcome = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
                                       "seed \(seed): \(output)")
            let counts = outcome.compactMapValues { $0 as? Int }
            #expect((outcome["failures"] as? [String])?.isEmpty == true, "seed \(seed): \(output)")
            #expect(["ok", "no", "error", "aborted"].reduce(0) { $0 + (counts[$1] ?? 0) } == 1000, "seed \(seed): \(counts)")
            #expect((counts["ok"] ?? 0) > 300, "most operations should succeed (seed \(seed)): \(counts)")
            let verified = try await tresor(["verify"], data: data)
            #expect(verified.status == 0, "seed \(seed): \(verified.stdout)\(verified.stderr)")
            #expect(!verified.stdout.contains("placement:"), "seed \(seed): \(verified.stdout)")
            #expect(await server.stop(SIGTERM) == 0)
        }
    }

    /// Many drafts, then one UID MOVE of them all into INBOX (printed "moving" just before);
    /// waits for the answer and prints it, unless killed first.
    static let moveManyDrafts = prelude + "\n" + #"""
port, count = int(sys.argv[1]), int(sys.argv[2])
m = login(port)
filler = random.Random(7)
for n in range(count):
    # 24 KB that do not compress, so that journaling them all takes a while.
    noise = ''.join('%016x\r\n' % filler.getrandbits(64) for _ in range(1300)).encode()
    m.append('Drafts', '(\\Draft)', None, draft('killmarker%d' % n) + noise)
m.select('Drafts')
print('moving', flush=True)
typ, data = m.uid('MOVE', '1:*', 'INBOX')
print(typ, flush=True)
"""#

    /// After the restart: which markers each folder holds.
    static let listMarkers = prelude + "\n" + #"""
m = login(int(sys.argv[1]))
out = {}
for folder in ['INBOX', 'Drafts']:
    typ, data = m.select(folder)
    out[folder] = []
    if int(data[0]) > 0:
        typ, data = m.fetch('1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
        out[folder] = sorted(item[1].decode().split()[-1] for item in data if isinstance(item, tuple))
m.logout()
print(json.dumps(out))
"""#

    @Test func killDuringDraftJournalingLeavesEachDraftInDraftsOrJournaledAndPlaced() async throws {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: [("alice@localhost", "secret")])
            let server = try await startServer(in: folder)
            defer { server.killIfRunning() }
            let drafts = 300
            let client = SpawnedProcess()
            client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            client.arguments = ["python3", "-c", Self.moveManyDrafts, String(server.ports["imap"]!), String(drafts)]
            let out = Pipe()
            client.standardOutput = out
            client.standardError = FileHandle.nullDevice
            try client.run()
            let said = await ChildProcess.read(out.fileHandleForReading) { $0.contains("moving") }
            #expect(said.contains("moving"))
            // Inside the MOVE: journaling 300 drafts takes longer than this on any machine we run on.
            let delay = Int.random(in: 50...800)
            try await Task.sleep(for: .milliseconds(delay))
            #expect(await server.stop(SIGKILL) == SIGKILL)
            client.terminate()

            let verifiedAfterKill = try await tresor(["verify"], data: data)
            #expect(verifiedAfterKill.status == 0, "\(verifiedAfterKill.stdout)\(verifiedAfterKill.stderr)")

            let restarted = try await startServer(in: folder)
            defer { restarted.killIfRunning() }
            let listed = try await ChildProcess.python(Self.listMarkers, [String(restarted.ports["imap"]!)])
            let folders = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: [String]])
            let inbox = Set(folders["INBOX"] ?? []), kept = Set(folders["Drafts"] ?? [])
            let all = Set((0..<drafts).map { "killmarker\($0)" })
            #expect(inbox.union(kept) == all, "no draft lost: missing \(all.subtracting(inbox.union(kept)).sorted().prefix(5))")
            // Everything in INBOX has its archive record.
            for marker in inbox.sorted().prefix(5) {
                #expect(try await count(marker, data: data) == "1", "\(marker) is in INBOX but not in the archive")
            }
            let verified = try await tresor(["verify"], data: data)
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            #expect(!verified.stdout.contains("recovery:"), "the restart recovered everything: \(verified.stdout)")
            print("kill during draft journaling, \(delay) ms into the MOVE: \(inbox.count) in INBOX, \(kept.count) still in Drafts")
            #expect(await restarted.stop(SIGTERM) == 0)
        }
    }
}
