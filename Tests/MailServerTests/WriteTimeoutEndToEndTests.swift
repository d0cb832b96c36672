import Foundation
import Logging
import ServerKit
import Testing
import TestSupport
@testable import MailServer

/// A client that sends and never reads: our replies fill its receive window, the server's write
/// waits, and after `[limits] write_timeout_seconds` the connection is closed and the event logged.
@Suite struct WriteTimeoutEndToEndTests {
    /// Pipelines EHLO commands with a small receive buffer and never reads a reply, until its own
    /// sends stall (the server stopped reading: it waits on its write); prints "stalled". After a
    /// line on its standard input it reads everything the server sent: "closed" when that ends
    /// (the server had closed), "open" when the server is still there after a minute.
    static let stubbornClient = #"""
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(('127.0.0.1', port))
s.setblocking(False)
chunk = b'EHLO stubborn.test\r\n' * 2000
stalled_since = None
while True:
    try:
        s.send(chunk)
        stalled_since = None
    except BlockingIOError:
        stalled_since = stalled_since or time.monotonic()
        if time.monotonic() - stalled_since > 1.0: break
        time.sleep(0.02)
print('stalled', flush=True)
sys.stdin.readline()
s.setblocking(True)
s.settimeout(60)
try:
    while s.recv(1 << 16): pass
    print('closed', flush=True)
except (ConnectionResetError, BrokenPipeError):
    print('closed', flush=True)
except socket.timeout:
    print('open', flush=True)
"""#

    @Test func aClientThatNeverReadsIsDisconnectedAfterTheWriteTimeout() async throws {
        let log = LogEventsEndToEndTests.CapturedLog()
        let logger = Logger(label: "tresor.test") { label in
            LineLogHandler(label: label, format: .json, level: .info, write: { log.append($0) })
        }
        var configuration = ServerHarness.configuration()
        configuration.limits.writeTimeout = .seconds(1)
        try await ServerHarness.with(users: [], configuration: configuration, logger: logger) { server in
            let client = SpawnedProcess()
            client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            client.arguments = ["python3", "-c", Self.stubbornClient, String(server.smtp)]
            let input = Pipe()
            let output = Pipe()
            client.standardInput = input
            client.standardOutput = output
            try client.run()
            defer { if client.isRunning { kill(client.processIdentifier, SIGKILL) } }
            var lines = ChildProcess.lines(of: output.fileHandleForReading).makeAsyncIterator()
            let stalled = await lines.next()
            #expect(stalled == "stalled")
            // The event is awaited, not timed: a server without the timeout never logs it.
            for _ in 0..<1200 where log.find("write timeout", ["protocol": "smtp"]).isEmpty {
                try await Task.sleep(for: .milliseconds(100))
            }
            let events = log.find("write timeout", ["protocol": "smtp"])
            #expect(events.count == 1, "\(events)")
            #expect(events.first?["timeout"] == "1.0 seconds", "\(events)")
            input.fileHandleForWriting.write(Data("go\n".utf8))
            let ending = await lines.next()
            #expect(ending == "closed")
        }
    }

    @Test func theWriteTimeoutIsRead() throws {
        let configuration = try TresorConfiguration.parse("[limits]\nwrite_timeout_seconds = 20\n")
        #expect(configuration.limits.writeTimeout == .seconds(20))
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[limits]\nwrite_timeout_seconds = 0\n") }
    }
}
