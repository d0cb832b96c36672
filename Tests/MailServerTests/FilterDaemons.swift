import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// The real content filters for the end-to-end tests, each a child process on 127.0.0.1 with a
/// configuration of its own in a temporary folder: clamd with a signature database the test
/// writes (nothing is downloaded), rspamd with a minimal configuration and test rules. Where a
/// daemon is not installed its tests are skipped with a printed reason — except under CI=true,
/// where `.ci/run` installs them (Debian's rspamd and clamav-daemon) and absence is a failure.
enum FilterDaemons {
    struct Missing: Error, CustomStringConvertible {
        var program: String
        var description: String { "\(program) is not installed; required when CI=true" }
    }

    /// Whether `path` can be run; prints why not, or throws under CI.
    static func available(_ path: String, package: String) throws -> Bool {
        if FileManager.default.isExecutableFile(atPath: path) { return true }
        if Corpus.isCI { throw Missing(program: path) }
        print("skipped: \(path) is not installed (Debian package \(package))")
        return false
    }

    /// A TCP port nobody listens on now (asked of the kernel with port 0, then released).
    static func freePort() async throws -> Int {
        let output = try await ChildProcess.python(
            "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])", [])
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    /// Waits until `port` accepts connections, or `process` ends, or 120 s pass (rspamd compiles
    /// its regular expressions at the first start).
    static func waitUntilListening(_ port: Int, process: SpawnedProcess, name: String) async throws {
        let script = """
            import socket, sys, time
            deadline = time.monotonic() + float(sys.argv[2])
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=1).close()
                    sys.exit(0)
                except OSError:
                    time.sleep(0.1)
            sys.exit(1)
            """
        for _ in 0..<120 {
            if (try? await ChildProcess.python(script, [String(port), "1"])) != nil { return }
            guard process.isRunning else { throw NotStarted(name: name) }
        }
        throw NotStarted(name: name)
    }

    struct NotStarted: Error, CustomStringConvertible {
        var name: String
        var description: String { "\(name) did not start listening" }
    }
}

/// A file's attachment with the EICAR anti-virus test string — harmless text every scanner is
/// meant to flag — as the test's own clamd signature finds it.
enum EICAR {
    static let text = #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#
    /// The name of the test's signature; clamd appends `.UNOFFICIAL` to names from a custom database.
    static let signature = "Tresor.Test.EICAR"

    /// A multipart message with the EICAR string as a base64 attachment.
    static func message(id: String) -> [UInt8] {
        let attachment = Data(text.utf8).base64EncodedString()
        return Array("""
            From: Sender <sender@remote.test>\r
            To: Alice <alice@localhost>\r
            Subject: the invoice\r
            Date: Tue, 2 Jan 2024 10:00:00 +0000\r
            Message-ID: <\(id)>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            Please open the attachment.\r
            --b1\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename="invoice.com"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(attachment)\r
            --b1--\r

            """.utf8)
    }
}

/// clamd in the foreground on a free TCP port and a Unix socket, with one signature: the
/// EICAR string as a body signature (`.ndb`: name, target type 0 = any file, offset `*` =
/// anywhere, the bytes in hex; ClamAV's signatures manual).
struct ClamdDaemon {
    let process: SpawnedProcess
    let port: Int
    let socketPath: String

    static func start(in folder: URL, streamMaxLength: String = "10M") async throws -> ClamdDaemon? {
        guard try FilterDaemons.available("/usr/sbin/clamd", package: "clamav-daemon") else { return nil }
        let database = folder.appendingPathComponent("clamav", isDirectory: true)
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
        let hex = Data(EICAR.text.utf8).map { String(format: "%02x", $0) }.joined()
        try Data("\(EICAR.signature):0:*:\(hex)\n".utf8).write(to: database.appendingPathComponent("tresor-test.ndb"))
        let port = try await FilterDaemons.freePort()
        let socketPath = folder.appendingPathComponent("clamd.sock").path
        let configuration = folder.appendingPathComponent("clamd.conf")
        try Data("""
            DatabaseDirectory \(database.path)
            TCPSocket \(port)
            TCPAddr 127.0.0.1
            LocalSocket \(socketPath)
            Foreground yes
            PidFile \(folder.appendingPathComponent("clamd.pid").path)
            StreamMaxLength \(streamMaxLength)

            """.utf8).write(to: configuration)
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/clamd")
        process.arguments = ["-c", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        do {
            try await FilterDaemons.waitUntilListening(port, process: process, name: "clamd")
        } catch {
            _ = await ChildProcess.stop(process, signal: SIGKILL)
            throw error
        }
        return ClamdDaemon(process: process, port: port, socketPath: socketPath)
    }

    func stop() async {
        _ = await ChildProcess.stop(process, signal: SIGTERM)
    }
}

/// rspamd in the foreground with one normal worker on a free port and nothing but its built-in
/// checks (GTUBE among them) and four test rules in Lua, each keyed to a word in the Subject:
/// `zqrejectme` scores 20 (reject at 15), `zqjunkme` 7 (add header at 6), `zqgreyme` 5
/// (greylist at 4), and `zqsoftme` sets the `soft reject` action directly. No DNS is reached.
struct RspamdDaemon {
    let process: SpawnedProcess
    let port: Int

    static let rules = """
        local function subject_has(task, word)
          local subject = task:get_subject() or ''
          return subject:lower():find(word, 1, true) ~= nil
        end
        rspamd_config:register_symbol({ name = 'TRESOR_TEST_REJECT', score = 20.0, group = 'tresor',
          callback = function(task) return subject_has(task, 'zqrejectme') end })
        rspamd_config:register_symbol({ name = 'TRESOR_TEST_JUNK', score = 7.0, group = 'tresor',
          callback = function(task) return subject_has(task, 'zqjunkme') end })
        rspamd_config:register_symbol({ name = 'TRESOR_TEST_GREYLIST', score = 5.0, group = 'tresor',
          callback = function(task) return subject_has(task, 'zqgreyme') end })
        rspamd_config:register_symbol({ name = 'TRESOR_TEST_SOFT', score = 0.0, group = 'tresor',
          type = 'prefilter', priority = 10,
          callback = function(task)
            if subject_has(task, 'zqsoftme') then task:set_pre_result('soft reject', 'later', 'tresor') end
          end })

        """

    static func start(in folder: URL) async throws -> RspamdDaemon? {
        guard try FilterDaemons.available("/usr/bin/rspamd", package: "rspamd") else { return nil }
        let port = try await FilterDaemons.freePort()
        let rulesFile = folder.appendingPathComponent("tresor-test.lua")
        try Data(rules.utf8).write(to: rulesFile)
        // Compiled regular expressions are kept between runs: compiling them takes rspamd
        // seconds at every fresh start.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-test-rspamd-cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let configuration = folder.appendingPathComponent("rspamd.conf")
        try Data("""
            options {
              pidfile = "\(folder.appendingPathComponent("rspamd.pid").path)";
              hs_cache_dir = "\(cache.path)";
              cache_file = "\(folder.appendingPathComponent("symbols.cache").path)";
              tempdir = "\(folder.path)";
              dns { nameserver = ["127.0.0.1:9"]; timeout = 1s; retransmits = 1; }
            }
            logging { type = "console"; level = "error"; }
            worker "normal" { bind_socket = "127.0.0.1:\(port)"; count = 1; }
            actions { reject = 15; add_header = 6; greylist = 4; }
            lua = "\(rulesFile.path)";

            """.utf8).write(to: configuration)
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/rspamd")
        // -f: stay in the foreground; -u/-g: rspamd refuses to run as root unless told to.
        process.arguments = ["-f", "-u", "root", "-g", "root", "-c", configuration.path]
        if getuid() != 0 { process.arguments = ["-f", "-c", configuration.path] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        do {
            try await FilterDaemons.waitUntilListening(port, process: process, name: "rspamd")
        } catch {
            _ = await ChildProcess.stop(process, signal: SIGTERM)
            throw error
        }
        return RspamdDaemon(process: process, port: port)
    }

    /// SIGTERM: rspamd's main process then stops its workers too.
    func stop() async {
        _ = await ChildProcess.stop(process, signal: SIGTERM)
    }
}

extension ClamdDaemon {
    /// Runs `body` with a started clamd and stops it afterwards; nil where clamd is not installed.
    static func with<T>(streamMaxLength: String = "10M", _ body: (ClamdDaemon) async throws -> T) async throws -> T? {
        try await withTemporaryDirectory { folder in
            guard let daemon = try await start(in: folder, streamMaxLength: streamMaxLength) else { return nil }
            do {
                let result = try await body(daemon)
                await daemon.stop()
                return result
            } catch {
                await daemon.stop()
                throw error
            }
        }
    }
}

extension RspamdDaemon {
    /// Runs `body` with a started rspamd and stops it afterwards; nil where rspamd is not installed.
    static func with<T>(_ body: (RspamdDaemon) async throws -> T) async throws -> T? {
        try await withTemporaryDirectory { folder in
            guard let daemon = try await start(in: folder) else { return nil }
            do {
                let result = try await body(daemon)
                await daemon.stop()
                return result
            } catch {
                await daemon.stop()
                throw error
            }
        }
    }
}
