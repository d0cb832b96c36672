import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// PDF text through poppler's `pdftotext` (Debian's poppler-utils), run as a child process: a PDF
/// reader is a large attack surface and some files make it loop or allocate without end, so it
/// runs apart, with its address space and CPU time capped by the shell's `ulimit` before `exec`,
/// and is killed when the wall-clock limit runs out or its output passes the text limit. Every
/// blocking step (writing the input file, reading the output, waiting for the exit) runs on a
/// Dispatch queue of its own, never on the cooperative pool.
public struct PDFTextTool: Sendable {
    /// The `pdftotext` executable.
    public var path: String

    public init(path: String = "/usr/bin/pdftotext") { self.path = path }

    /// Whether the tool is there to run.
    public var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    private static let queue = DispatchQueue(label: "tresor.pdftotext", attributes: .concurrent)

    /// The PDF's text, or why there is none.
    public func extract(_ bytes: [UInt8], limits: ExtractionLimits) async -> ExtractedText {
        guard isAvailable else { return .failed(.toolMissing) }
        let path = self.path
        return await withCheckedContinuation { continuation in
            Self.queue.async { continuation.resume(returning: Self.run(path, bytes, limits: limits)) }
        }
    }

    /// Blocking: runs the tool on `bytes` and waits for it.
    private static func run(_ tool: String, _ bytes: [UInt8], limits: ExtractionLimits) -> ExtractedText {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tresor-pdf-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("input.pdf")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try Data(bytes).write(to: input)
        } catch {
            return .failed(.broken)
        }
        let seconds = max(1, Int(limits.timeLimit.components.seconds))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // ulimit -v: address space in KiB; -t: CPU seconds (SIGXCPU, then SIGKILL). `exec` makes the
        // tool the child itself, so the kill below reaches it.
        process.arguments = [
            "-c", "ulimit -v \(max(1, limits.toolMemoryBytes / 1024)) && ulimit -t \(seconds + 1) && exec \"$0\" \"$@\"",
            tool, "-q", "-enc", "UTF-8", input.path, "-",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { return .failed(.toolMissing) }
        let pid = process.processIdentifier
        let killedForTime = Atomic<Bool>(false)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(Int(limits.timeLimit.components.seconds * 1000
            + limits.timeLimit.components.attoseconds / 1_000_000_000_000_000)))
        timer.setEventHandler {
            killedForTime.store(true, ordering: .sequentiallyConsistent)
            kill(pid, SIGKILL)
        }
        timer.resume()
        // Reads the output up to the text limit; past it the tool is stopped (the text is cut anyway).
        var text: [UInt8] = []
        let handle = output.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            let room = limits.maximumTextBytes - text.count
            text.append(contentsOf: chunk.prefix(max(0, room)))
            if chunk.count >= room {
                kill(pid, SIGKILL)
                break
            }
        }
        exited.wait()
        timer.cancel()
        try? handle.close()
        if killedForTime.load(ordering: .sequentiallyConsistent) { return .failed(.timedOut) }
        if text.count >= limits.maximumTextBytes {
            return .text(String(decoding: text, as: UTF8.self))
        }
        switch process.terminationReason {
        case .uncaughtSignal:
            return .failed(process.terminationStatus == SIGXCPU || process.terminationStatus == SIGKILL ? .timedOut : .broken)
        case .exit:
            switch process.terminationStatus {
            case 0: return .text(String(decoding: text, as: UTF8.self))
            // pdftotext(1): 3 is "error related to PDF permissions".
            case 3: return .failed(.encrypted)
            default: return .failed(Self.declaresEncryption(bytes) ? .encrypted : .broken)
            }
        @unknown default:
            return .failed(.broken)
        }
    }

    /// Whether the trailer names an encryption dictionary (ISO 32000-1 §7.6.1, `/Encrypt`): the
    /// reason a PDF that failed to open cannot be read.
    static func declaresEncryption(_ bytes: [UInt8]) -> Bool {
        let needle = Array("/Encrypt".utf8)
        // The trailer is near the end; cross-reference streams may put it anywhere, so the whole
        // file is searched when it is small.
        let window = bytes.count <= 16 << 20 ? bytes[...] : bytes[(bytes.count - (1 << 20))...]
        guard window.count >= needle.count else { return false }
        var index = window.startIndex
        while index + needle.count <= window.endIndex {
            if window[index] == needle[0], window[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
