import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TSA on 127.0.0.1: Python's http.server, started as a child process on port 0, that
/// answers each POST by running `openssl ts -reply` on the request with the authority's
/// configuration (RFC 3161 §3.4: `application/timestamp-reply`). `stop()` ends it.
public struct TSAServer: Sendable {
    let process: SpawnedProcess
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/tsa" }

    static let script = #"""
        import http.server, os, subprocess, sys, tempfile, threading
        configuration = sys.argv[1]
        serial_lock = threading.Lock()  # openssl ts -reply rewrites the serial file

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                query = self.rfile.read(int(self.headers["Content-Length"]))
                with tempfile.TemporaryDirectory() as folder:
                    query_file = os.path.join(folder, "query.tsq")
                    reply_file = os.path.join(folder, "reply.tsr")
                    with open(query_file, "wb") as f:
                        f.write(query)
                    with serial_lock:
                        done = subprocess.run(["openssl", "ts", "-reply", "-config", configuration,
                                               "-queryfile", query_file, "-out", reply_file],
                                              capture_output=True)
                    if done.returncode != 0:
                        self.send_error(500, done.stderr.decode(errors="replace")[:200])
                        return
                    with open(reply_file, "rb") as f:
                        reply = f.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *arguments):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// A server that accepts connections and reads requests but never answers: a TSA that hangs.
    static let silentScript = #"""
        import socket
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        print(listener.getsockname()[1], flush=True)
        held = []
        while True:
            connection, _ = listener.accept()
            held.append(connection)
        """#

    /// Starts the TSA for `authority`.
    public static func start(for authority: OpenSSLAuthority) async throws -> TSAServer {
        try await start(script: script, arguments: [authority.configuration.path])
    }

    /// Starts a server that never answers.
    public static func startSilent() async throws -> TSAServer {
        try await start(script: silentScript, arguments: [])
    }

    private static func start(script: String, arguments: [String]) async throws -> TSAServer {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let line = await ChildProcess.read(out.fileHandleForReading) { $0.contains("\n") }
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            await ChildProcess.stop(process, signal: SIGKILL)
            throw NotStarted(output: line)
        }
        return TSAServer(process: process, port: port)
    }

    public func stop() async {
        await ChildProcess.stop(process, signal: SIGKILL)
    }

    public struct NotStarted: Error, CustomStringConvertible {
        public var output: String
        public var description: String { "the test TSA did not start (printed \"\(output)\")" }
    }
}

/// Runs `body` with a fresh temporary folder, an openssl CA and TSA in it, and the TSA's server;
/// nil (skipped) where `openssl ts` is missing outside CI.
public func withTestTSA<T>(name: String = "Test TSA", key: OpenSSLAuthority.KeyKind = .rsa,
                    _ body: (OpenSSLAuthority, TSAServer) async throws -> T) async throws -> T? {
    guard try await OpenSSLAuthority.available() else { return nil }
    return try await withTemporaryDirectory { folder in
        let authority = try await OpenSSLAuthority.make(in: folder, name: name, key: key)
        let server = try await TSAServer.start(for: authority)
        do {
            let result = try await body(authority, server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
