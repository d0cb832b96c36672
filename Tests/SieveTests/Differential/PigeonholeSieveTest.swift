import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Pigeonhole's `sieve-test` (Debian package `dovecot-sieve`), run against a private Dovecot
/// configuration in a scratch folder so that whatever the machine's own Dovecot is set up for
/// does not matter. `sieve-test` compiles a script, runs it on one message file and prints the
/// actions it would take, storing nothing.
struct PigeonholeSieveTest: Sendable {
    let executable: URL
    let workspace: URL
    let configuration: URL

    /// `sieve-test` on PATH, else nil.
    static func locate() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("sieve-test")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Writes the configuration into `workspace`. Dovecot refuses to run mail processes as root,
    /// so under root `sieve-test` drops to nobody (65534), which then owns the workspace (it
    /// also writes the compiled `.svbin` beside each script).
    init(executable: URL, workspace: URL) throws {
        self.executable = executable
        self.workspace = workspace
        configuration = workspace.appendingPathComponent("dovecot.conf")
        // The extensions Pigeonhole leaves off by default; spamtest and virustest read the same
        // fields as `PigeonholeDifferentialTests.scanHeaders` tells Tresor to; :personal and
        // :global includes come from these two folders; editheader refuses to add Received and
        // Return-Path and to delete Return-Path besides what it always refuses (Received,
        // Auto-Submitted), as Tresor does (RFC 5293 §6).
        var settings = ["mail_location = maildir:\(workspace.path)/mail", """
            plugin {
              sieve = file:\(workspace.path)/personal
              sieve_global = \(workspace.path)/global
              sieve_extensions = +vacation-seconds +spamtest +spamtestplus +virustest +editheader
              sieve_editheader_forbid_add = Received Return-Path
              sieve_editheader_forbid_delete = Return-Path
              sieve_spamtest_status_type = score
              sieve_spamtest_status_header = X-Spam-Score: (-?[[:digit:]]+(\\.[[:digit:]]+)?)
              sieve_spamtest_max_value = 10
              sieve_virustest_status_type = text
              sieve_virustest_status_header = X-Virus-Status: ([[:alpha:]]+)
              sieve_virustest_text_value1 = Clean
              sieve_virustest_text_value5 = Infected
            }
            """]
        if getuid() == 0 {
            settings += ["first_valid_uid = 1", "first_valid_gid = 1", "mail_uid = 65534", "mail_gid = 65534"]
            guard chown(workspace.path, 65534, 65534) == 0, chmod(workspace.path, 0o755) == 0 else {
                throw PigeonholeError("cannot hand \(workspace.path) to nobody: errno \(errno)")
            }
        }
        try Data((settings.joined(separator: "\n") + "\n").utf8).write(to: configuration)
    }

    /// Runs `script` on `message`. `sieve-test -f` refuses the null reverse-path (and without
    /// `-f` it takes the sender from the header), so `envelopeFrom` must be an address.
    /// The envelope recipient goes to both `-r` and `-a`: Pigeonhole 2.3's `envelope "to"`
    /// reads the original recipient (`-a`).
    func run(script: URL, message: URL, envelopeFrom: String, envelopeTo: String) throws -> SieveDisposition {
        guard !envelopeFrom.isEmpty else { throw PigeonholeError("sieve-test cannot run with the null reverse-path") }
        let arguments = ["-c", configuration.path, "-r", envelopeTo, "-a", envelopeTo, "-f", envelopeFrom,
                         script.path, message.path]
        let process = SpawnedProcess()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: bytes, as: UTF8.self)
        // 0: success; 1: a run-time error resolved by the implicit keep; anything else (89 for a
        // compile error or a bad option) means this comparison cannot be made.
        guard process.terminationStatus == 0 || process.terminationStatus == 1 else {
            throw PigeonholeError("sieve-test \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(text)")
        }
        return SieveDisposition(pigeonholeOutput: text)
    }
}

struct PigeonholeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
