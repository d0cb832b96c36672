import Foundation

/// Reading a child's output and awaiting its end without blocking a thread of the cooperative
/// pool (two on this machine): the blocking reads run on Dispatch threads.
enum ChildProcess {
    /// Reads `handle` until `done` says the text so far is complete, or the pipe closes.
    static func read(_ handle: FileHandle, until done: @escaping @Sendable (String) -> Bool) async -> String {
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

    /// Sends `signal` to `process` and awaits its end; its exit status or signal.
    @discardableResult
    static func stop(_ process: Process, signal: Int32) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }
}
