import Foundation

/// Runs one of the package's executables (`tresor`, `tresor-bench`) the way a user does, and
/// collects its exit status and output.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: [UInt8]
}

public enum CommandRunner {
    /// The folder with the built products: the test bundle sits beside the executables.
    public static var productsDirectory: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = testBinary.deletingLastPathComponent()
        // On Linux the runner is `…/debug/TresorPackageTests.xctest`; walk up past any bundle.
        while folder.pathExtension == "xctest" || folder.lastPathComponent == "Contents" || folder.lastPathComponent == "MacOS" {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }

    public static func executable(_ name: String) -> URL {
        productsDirectory.appendingPathComponent(name)
    }

    /// Runs `name arguments…` with `stdin` as standard input, in `directory` (default: the
    /// test's working directory); waits for it to end. `TRESOR_DATA_DIR` and `TRESOR_CONFIG` of
    /// the test's own environment are not passed on.
    public static func run(_ name: String, _ arguments: [String], stdin: [UInt8]? = nil,
                           environment: [String: String] = [:], in directory: URL? = nil) throws -> CommandResult {
        let process = SpawnedProcess()
        process.executableURL = executable(name)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "TRESOR_DATA_DIR")
        env.removeValue(forKey: "TRESOR_CONFIG")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Read both pipes concurrently with the writer, or a chatty child fills a pipe and stalls.
        let outData = LockedData(), errData = LockedData()
        let group = DispatchGroup()
        for (handle, box) in [(out.fileHandleForReading, outData), (err.fileHandleForReading, errData)] {
            group.enter()
            DispatchQueue.global().async {
                box.set(handle.readDataToEndOfFile())
                group.leave()
            }
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        let stdoutData = outData.get()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: stdoutData, as: UTF8.self),
                             stderr: String(decoding: errData.get(), as: UTF8.self),
                             stdoutBytes: Array(stdoutData))
    }
}

/// A Data guarded by a lock, filled from a reader thread.
final class LockedData: @unchecked Sendable {  // all access goes through `lock`
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
