import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes for async tests: running a tool to its end with its output, reading a
/// long-running child's output until it says something, and stopping it. Every blocking read
/// and wait runs on a Dispatch thread (or through `terminationHandler`), never on a thread of
/// the cooperative pool, which has only two here and may be serving an in-process server.
public enum ChildProcess {
    /// A tool that ended with a status other than 0.
    public struct Failed: Error, CustomStringConvertible {
        public var tool: String
        public var status: Int32
        public var stderr: String
        public var description: String { "\(tool) exited with \(status): \(stderr)" }
    }

    /// Runs `/usr/bin/env arguments…` (a name is looked up on PATH, a path runs as is) in
    /// `directory`, with no standard input, and collects its exit status and output.
    public static func run(_ arguments: [String], in directory: URL? = nil) async throws -> CommandResult {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let outData = LockedData(), errData = LockedData()
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
            for (handle, box) in [(out.fileHandleForReading, outData), (err.fileHandleForReading, errData)] {
                DispatchQueue.global().async {
                    box.set(handle.readDataToEndOfFile())
                    group.leave()
                }
            }
        }
        let stdout = outData.get()
        return CommandResult(status: status, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: errData.get(), as: UTF8.self), stdoutBytes: Array(stdout))
    }

    /// `python3 -c script arguments…` (an SMTP, IMAP or mail-parsing peer independent of our
    /// code); its standard output. Throws `Failed` when Python exits with a status other than 0.
    public static func python(_ script: String, _ arguments: [String]) async throws -> String {
        let result = try await run(["python3", "-c", script] + arguments)
        guard result.status == 0 else { throw Failed(tool: "python3", status: result.status, stderr: result.stderr) }
        return result.stdout
    }

    /// Reads `handle` until `done` says the text so far is complete, or the pipe closes.
    public static func read(_ handle: FileHandle, until done: @escaping @Sendable (String) -> Bool) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var text = ""
                while !done(text) {
                    let chunk = handle.availableData
                    guard !chunk.isEmpty else { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }
        }
    }

    /// The lines `handle` yields, read on a Dispatch thread until the pipe closes (so that a
    /// child never stalls on a full pipe, even after the caller stopped listening).
    public static func lines(of handle: FileHandle) -> AsyncStream<String> {
        let (lines, sink) = AsyncStream<String>.makeStream()
        DispatchQueue.global().async {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                guard !chunk.isEmpty else { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    sink.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if !pending.isEmpty { sink.yield(String(decoding: pending, as: UTF8.self)) }
            sink.finish()
        }
        return lines
    }

    /// Awaits the end of `process`; its exit status or terminating signal.
    public static func exit(of process: SpawnedProcess) async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    /// Sends `signal` to `process` (if it still runs) and awaits its end; its exit status or signal.
    @discardableResult
    public static func stop(_ process: SpawnedProcess, signal: Int32) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        return await exit(of: process)
    }
}
