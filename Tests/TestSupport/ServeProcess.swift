import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real `tresor serve --config PATH` as a child process, the way an operator runs it, for
/// the tests that kill it (`kill -9`) and start it again. `start` returns once it printed
/// `ready`, with the port of each `listening NAME HOST:PORT` line before it.
public final class ServeProcess: Sendable {
    public let process: SpawnedProcess
    /// Listener name (`smtp`, `submission`, …) → the port it bound.
    public let ports: [String: Int]

    private init(process: SpawnedProcess, ports: [String: Int]) {
        self.process = process
        self.ports = ports
    }

    /// `serve` ended (or closed its output) before it said `ready`.
    public struct NotReady: Error, CustomStringConvertible {
        public var output: String
        public var status: Int32
        public var description: String { "tresor serve ended with \(status) before ready; it printed: \(output)" }
    }

    /// A `tresor.toml` for a test server: `data_dir` (relative to the file) and `hostname`, every
    /// listener on 127.0.0.1 port 0 (the OS chooses; `start` reads the ports back), then `tables`
    /// (such as `[delivery]`), which must come after the top-level keys.
    public static func configuration(dataDirectory: String, hostname: String, tables: String = "") -> String {
        let listeners = ["smtp", "submission", "submissions", "pop3", "pop3s", "imap", "imaps", "managesieve"]
        return """
            data_dir = "\(dataDirectory)"
            hostname = "\(hostname)"
            \(listeners.map { "\($0).port = 0" }.joined(separator: "\n"))

            \(tables)
            """
    }

    /// Starts `tresor serve` with `config` (TRESOR_DATA_DIR removed from its environment; its
    /// standard error is the test's, or goes to `standardError`) and waits for `ready`.
    public static func start(config: URL, logLevel: String = "error", standardError: FileHandle? = nil)
        async throws -> ServeProcess
    {
        let process = SpawnedProcess()
        process.executableURL = CommandRunner.executable("tresor")
        process.arguments = ["serve", "--config", config.path, "--log-level", logLevel]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TRESOR_DATA_DIR")
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        if let standardError { process.standardError = standardError }
        try process.run()
        var output = ""
        var ports: [String: Int] = [:]
        for await line in ChildProcess.lines(of: out.fileHandleForReading) {
            output += line + "\n"
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "listening", let port = fields[2].split(separator: ":").last.flatMap({ Int($0) }) {
                ports[String(fields[1])] = port
            }
            if line == "ready" { return ServeProcess(process: process, ports: ports) }
        }
        throw NotReady(output: output, status: await ChildProcess.stop(process, signal: SIGKILL))
    }

    /// Sends `signal` and awaits the end; the exit status or terminating signal.
    @discardableResult
    public func stop(_ signal: Int32) async -> Int32 {
        await ChildProcess.stop(process, signal: signal)
    }

    /// Awaits the end (after a signal sent by someone else); the exit status or terminating signal.
    public func exit() async -> Int32 {
        await ChildProcess.exit(of: process)
    }

    /// SIGKILL without waiting, for a `defer`; nothing once the process has ended.
    public func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
