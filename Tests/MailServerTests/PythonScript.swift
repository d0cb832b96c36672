import Foundation

/// Runs a Python 3 script (`/usr/bin/env python3 -c SCRIPT ARGS…`), an SMTP peer independent of
/// our code, and returns its standard output. Awaits the exit through `terminationHandler` and
/// reads the pipes on Dispatch threads, so no thread of the cooperative pool (two here) blocks
/// while the in-process server needs it.
enum PythonScript {
    struct Failed: Error, CustomStringConvertible {
        var status: Int32
        var stderr: String
        var description: String { "python3 exited with \(status): \(stderr)" }
    }

    static func run(_ script: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
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
        guard status == 0 else { throw Failed(status: status, stderr: String(decoding: stderr, as: UTF8.self)) }
        return String(decoding: stdout, as: UTF8.self)
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
