import ArgumentParser
import Foundation
import MailMessage

/// The messages a benchmark works on: the `.eml` files of a folder (recursively), or the
/// messages of one or more mbox files, replicated `times` times. Each copy after the first gets
/// an extra header naming the copy, so every copy is a distinct message (distinct SHA-256) and
/// deduplication does not flatter the numbers.
struct BenchCorpus {
    var messages: [[UInt8]]
    var bytes: Int { messages.reduce(0) { $0 + $1.count } }

    static func load(path: String, times: Int) throws -> BenchCorpus {
        let originals = try loadOriginals(URL(fileURLWithPath: path))
        guard !originals.isEmpty else { throw ValidationError("no messages found in \(path)") }
        var messages: [[UInt8]] = []
        messages.reserveCapacity(originals.count * times)
        for copy in 0..<times {
            for (index, original) in originals.enumerated() {
                messages.append(copy == 0 ? original : vary(original, copy: copy, index: index))
            }
        }
        return BenchCorpus(messages: messages)
    }

    static func loadOriginals(_ url: URL) throws -> [[UInt8]] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ValidationError("no such file or folder: \(url.path)")
        }
        if !isDirectory.boolValue { return try split(url) }
        var result: [[UInt8]] = []
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let file = enumerator?.nextObject() as? URL {
            if ["eml", "mbox"].contains(file.pathExtension.lowercased()) { files.append(file) }
        }
        for file in files.sorted(by: { $0.path < $1.path }) { result += try split(file) }
        return result
    }

    private static func split(_ file: URL) throws -> [[UInt8]] {
        let data = Array(try Data(contentsOf: file))
        if MboxReader.looksLikeMbox(data) { return MboxReader(data: data).map(\.message) }
        return [data]
    }

    /// Prepends `X-Tresor-Bench-Copy:` with the message's own line ending.
    static func vary(_ message: [UInt8], copy: Int, index: Int) -> [UInt8] {
        let crlf = message.firstIndex(of: 0x0A).map { $0 > 0 && message[$0 - 1] == 0x0D } ?? true
        let header = "X-Tresor-Bench-Copy: \(copy).\(index)" + (crlf ? "\r\n" : "\n")
        return Array(header.utf8) + message
    }
}

/// Shared formatting of results: one aligned line per measurement.
enum Report {
    static func line(_ label: String, _ value: String) {
        print(label.padding(toLength: 34, withPad: " ", startingAt: 0) + value)
    }
    static func rate(_ count: Int, _ seconds: Double) -> String {
        String(format: "%.0f", Double(count) / max(seconds, 1e-9))
    }
    static func megabytesPerSecond(_ bytes: Int, _ seconds: Double) -> String {
        String(format: "%.1f MB/s", Double(bytes) / 1_000_000 / max(seconds, 1e-9))
    }
}

/// Wall-clock seconds of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try await body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// A temporary data directory for a benchmark run unless `--data-dir` names one.
func benchDataDirectory(_ path: String?) throws -> (URL, cleanup: Bool) {
    if let path { return (URL(fileURLWithPath: path, isDirectory: true), false) }
    let url = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        .appendingPathComponent("tresor-bench-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return (url, true)
}
