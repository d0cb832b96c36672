import Foundation
import Testing
import TestSupport

/// A crash of `tresor serve` is loud: whatever fatal signal ends it, it writes one line naming
/// the signal to standard error (its log) and dies of that signal — a non-zero status that a
/// supervisor (systemd `Restart=on-failure`) restarts. The signals are sent with kill(2) to the
/// real server, so no crash switch exists in the product; a fault raised by the code itself
/// (a stack overflow on any thread) runs the same handler on the thread's signal stack.
@Suite struct ServeCrashTests {
    @Test(arguments: [(SIGSEGV, "SIGSEGV"), (SIGBUS, "SIGBUS"), (SIGILL, "SIGILL"), (SIGABRT, "SIGABRT")])
    func fatalSignalIsLoggedAndEndsTheProcess(_ signal: Int32, _ name: String) async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try CommandRunner.run("tresor", ["init", "--data-dir", data.path]).status == 0)
            let config = dir.appendingPathComponent("tresor.toml")
            try Data(ServeProcess.configuration(dataDirectory: "data", hostname: "mx.crash.test").utf8).write(to: config)
            let log = dir.appendingPathComponent("serve.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            defer { try? handle.close() }
            let serve = try await ServeProcess.start(config: config, standardError: handle)
            defer { serve.killIfRunning() }
            let status = await serve.stop(signal)
            #expect(serve.process.terminationReason == .uncaughtSignal)
            #expect(status == signal)
            let text = try String(contentsOf: log, encoding: .utf8)
            let line = text.split(separator: "\n").first { $0.contains("fatal signal") }
            #expect(line?.hasPrefix("tresor: fatal signal \(signal) \(name)") == true, "\(text)")
        }
    }
}
