import Foundation

/// Runs an independent tool (python3, sha256sum) and collects its output. Awaits the exit
/// through `terminationHandler` and reads the pipes on Dispatch threads, so no thread of the
/// cooperative pool blocks on it.
enum ExternalTool {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: URL? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let collected = Collected()
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let group = DispatchGroup()
            group.enter()
            group.enter()
            process.terminationHandler = { finished in
                let status = finished.terminationStatus
                group.notify(queue: .global()) { continuation.resume(returning: status) }
            }
            do { try process.run() } catch {
                continuation.resume(throwing: error)
                return
            }
            for (handle, isOut) in [(out.fileHandleForReading, true), (err.fileHandleForReading, false)] {
                DispatchQueue.global().async {
                    collected.set(handle.readDataToEndOfFile(), isOut: isOut)
                    group.leave()
                }
            }
        }
        let (stdout, stderr) = collected.get()
        return Result(status: status, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `python3 -c script arguments…`; fails the caller when Python fails.
    static func python(_ script: String, _ arguments: [String]) async throws -> String {
        let result = try await run(["python3", "-c", script] + arguments)
        guard result.status == 0 else { throw Failed(description: "python3 exited \(result.status): \(result.stderr)") }
        return result.stdout
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }
}

/// Both pipes' contents, filled from reader threads.
private final class Collected: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func set(_ data: Data, isOut: Bool) {
        lock.lock(); defer { lock.unlock() }
        if isOut { out = data } else { err = data }
    }
    func get() -> (Data, Data) {
        lock.lock(); defer { lock.unlock() }
        return (out, err)
    }
}
