import Foundation
import Testing
import TestSupport

/// An SMTP server independent of our code for the client's tests: Python's aiosmtpd on 127.0.0.1
/// (port 0), run by Debian's /usr/bin/python3. What it answers depends on the recipient's local
/// part:
/// - `reject…`: RCPT gets 550 5.1.1;
/// - `defer…`: the first DATA of each Message-ID gets 451 4.3.0, later ones 250;
/// - `refuse…`: DATA gets 554 5.7.1;
/// - `slow…`: DATA is logged as "receiving", then waits `slowSeconds` before its 250; if the
///   client is gone by then the message is logged as "aborted", not "accepted";
/// - anyone else: 250.
/// It announces SIZE `sizeLimit` (RFC 1870), 8BITMIME and SMTPUTF8, but neither STARTTLS nor PIPELINING.
/// Every DATA outcome is appended to `log.jsonl` in `folder` as one JSON object: mail_from,
/// rcpt_tos, outcome, mail_options, the client's port, and the message (latin-1 text of the exact bytes).
final class SMTPSink: Sendable {
    static let script = #"""
import asyncio, json, os, sys
from aiosmtpd.smtp import SMTP
folder, slow, size_limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
seen = set()
def log(entry):
    with open(os.path.join(folder, 'log.jsonl'), 'a') as f:
        f.write(json.dumps(entry) + '\n')
def message_id(data):
    for line in data.split(b'\r\n'):
        if line.lower().startswith(b'message-id:'):
            return line.split(b':', 1)[1].strip().decode('latin-1')
        if line == b'':
            break
    return None
class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith('reject'):
            return '550 5.1.1 <%s>: no such user here' % address
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'
    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        entry = {'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos, 'peer': session.peer[1],
                 'mail_options': envelope.mail_options, 'message': data.decode('latin-1')}
        first = envelope.rcpt_tos[0].lower()
        if first.startswith('defer'):
            key = message_id(data)
            if key not in seen:
                seen.add(key)
                log(dict(entry, outcome='deferred'))
                return '451 4.3.0 try again later'
        if first.startswith('refuse'):
            log(dict(entry, outcome='refused'))
            return '554 5.7.1 message refused'
        if first.startswith('slow'):
            log(dict(entry, outcome='receiving'))
            try:
                await asyncio.sleep(slow)
            except asyncio.CancelledError:
                # aiosmtpd cancels the handler when the client's connection is lost.
                log(dict(entry, outcome='aborted'))
                raise
            if server.transport is None or server.transport.is_closing():
                log(dict(entry, outcome='aborted'))
                return '451 4.4.2 gone'
        log(dict(entry, outcome='accepted'))
        return '250 2.0.0 accepted'
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), hostname='sink.test', enable_SMTPUTF8=True, decode_data=False,
                     data_size_limit=size_limit),
        '127.0.0.1', 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""#

    struct Entry: Decodable, Sendable {
        var mail_from: String
        var rcpt_tos: [String]
        var mail_options: [String]
        /// The client's port: one value for every transaction of one connection.
        var peer: Int
        var message: String
        var outcome: String
    }

    let port: Int
    let folder: URL
    private let process: SpawnedProcess

    private init(port: Int, folder: URL, process: SpawnedProcess) {
        self.port = port
        self.folder = folder
        self.process = process
    }

    /// Whether Debian's python3 has aiosmtpd. Without it the tests that need a sink are skipped
    /// with a printed reason, except under CI=true, where that is a failure.
    static func available() throws -> Bool {
        try DebianPython.canImport("aiosmtpd", package: "python3-aiosmtpd")
    }

    struct SinkUnavailable: Error, CustomStringConvertible {
        var reason: String
        var description: String { "SMTP sink unavailable: \(reason)" }
    }

    /// Starts the sink writing into `folder`; `stop()` ends it.
    static func start(in folder: URL, slowSeconds: Double = 3, sizeLimit: Int = 100_000) async throws -> SMTPSink {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, folder.path, String(slowSeconds), String(sizeLimit)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let line = await ChildProcess.read(out.fileHandleForReading) { $0.contains("\n") }
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else {
            process.terminate()
            throw SinkUnavailable(reason: "the sink did not start (printed \"\(line)\")")
        }
        return SMTPSink(port: port, folder: folder, process: process)
    }

    /// SIGKILL: a child started from the test runner may inherit a blocked SIGTERM.
    func stop() async {
        await ChildProcess.stop(process, signal: SIGKILL)
    }

    /// Everything logged so far, in order.
    func entries() throws -> [Entry] {
        let url = folder.appendingPathComponent("log.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    /// The accepted messages only.
    func accepted() throws -> [Entry] { try entries().filter { $0.outcome == "accepted" } }
}
