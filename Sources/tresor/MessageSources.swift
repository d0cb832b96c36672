import MailMessage
import MailStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One message read from an import source, with where it came from (for reports and the
/// envelope's `sourceDetail`).
struct SourceMessage: Sendable {
    var raw: [UInt8]
    /// Where it was read, for reports: a path, or "path message 12 (byte 3456)".
    var origin: String
    /// The file it came from (the envelope's `sourceDetail`).
    var fileName: String
    /// The mbox separator's or the Maildir file name's date, for the received time.
    var hint: ReceivedTimeHint? = nil
}

enum SourceError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notFound(path: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .notFound(let path): "no such file or directory: \(path)"
        }
    }
}

/// What `tresor import` can read: an mbox (mboxo or mboxrd), a Maildir (`cur/` and `new/`, with
/// Maildir++ subfolders), a folder of `.eml` files (recursively), a single message file, or `-`
/// for standard input (an mbox if it starts with a "From " line, else one message).
enum ImportSource: CustomStringConvertible {
    case mbox(URL)
    case maildir(URL)
    case messageFolder(URL)
    case messageFile(URL)
    case standardInput

    var description: String {
        switch self {
        case .mbox(let url): "mbox \(url.path)"
        case .maildir(let url): "Maildir \(url.path)"
        case .messageFolder(let url): "folder \(url.path)"
        case .messageFile(let url): "file \(url.path)"
        case .standardInput: "standard input"
        }
    }

    static func classify(_ argument: String) throws -> ImportSource {
        if argument == "-" { return .standardInput }
        let url = URL(fileURLWithPath: argument).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw SourceError.notFound(path: argument)
        }
        if isDirectory.boolValue {
            let fm = FileManager.default
            if fm.fileExists(atPath: url.appendingPathComponent("cur").path)
                || fm.fileExists(atPath: url.appendingPathComponent("new").path) {
                return .maildir(url)
            }
            return .messageFolder(url)
        }
        let head = try readPrefix(of: url, count: 5)
        return MboxReader.looksLikeMbox(head) ? .mbox(url) : .messageFile(url)
    }

    /// How much the source holds, as far as it is known without reading it: the number of
    /// messages (one per file; nil for an mbox and standard input) and the bytes (nil for
    /// standard input). For progress and its ETA.
    func extent() -> (messages: Int?, bytes: Int?) {
        func size(_ url: URL) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        switch self {
        case .mbox(let url): return (nil, size(url))
        case .standardInput: return (nil, nil)
        case .messageFile(let url): return (1, size(url))
        case .maildir(let url):
            let files = (try? Self.maildirFiles(url)) ?? []
            return (files.count, files.reduce(0) { $0 + size($1) })
        case .messageFolder(let url):
            let files = ((try? Self.files(under: url)) ?? []).filter { $0.pathExtension.lowercased() == "eml" }
            return (files.count, files.reduce(0) { $0 + size($1) })
        }
    }

    /// Calls `body` with each message in source order. Files are read one at a time.
    func forEachMessage(_ body: (SourceMessage) async throws -> Void) async throws {
        switch self {
        case .mbox(let url):
            let descriptor = open(url.path, O_RDONLY)
            guard descriptor >= 0 else { throw SourceError.unreadable(path: url.path, reason: String(cString: strerror(errno))) }
            defer { close(descriptor) }
            var reader = ChunkedReader(descriptor: descriptor, name: url.path)
            try await Self.readMbox(&reader, body)
        case .standardInput:
            var reader = ChunkedReader(descriptor: 0, name: "stdin")
            var head: [UInt8] = []
            while head.count < MboxReader.fromPrefix.count, let chunk = try reader.next() { head += chunk }
            if MboxReader.looksLikeMbox(head) {
                try await Self.readMbox(&reader, after: head, body)
            } else {
                while let chunk = try reader.next() { head += chunk }
                try await body(SourceMessage(raw: head, origin: "stdin", fileName: "stdin"))
            }
        case .messageFile(let url):
            try await body(SourceMessage(raw: try Self.read(url), origin: url.path, fileName: url.path))
        case .maildir(let url):
            for file in try Self.maildirFiles(url) {
                try await body(SourceMessage(raw: try Self.read(file), origin: file.path, fileName: file.path,
                                             hint: Self.maildirDate(file.lastPathComponent).map { .maildirName($0) }))
            }
        case .messageFolder(let url):
            for file in try Self.files(under: url).filter({ $0.pathExtension.lowercased() == "eml" }) {
                try await body(SourceMessage(raw: try Self.read(file), origin: file.path, fileName: file.path))
            }
        }
    }

    /// Splits the mbox as it is read: one message is in memory at a time, never the whole file.
    private static func readMbox(_ reader: inout ChunkedReader, after prefix: [UInt8] = [],
                                 _ body: (SourceMessage) async throws -> Void) async throws {
        let name = reader.name
        var splitter = MboxSplitter()
        var index = 0
        func deliver(_ entry: MboxReader.Entry) async throws {
            index += 1
            try await body(SourceMessage(raw: entry.message, origin: "\(name) message \(index) (byte \(entry.offset))",
                                         fileName: name,
                                         hint: Self.separatorDate(entry.separator).map { .mboxSeparator($0) }))
        }
        try await reader.forEachLine(after: prefix) { line in
            if let entry = splitter.feed(line: line) { try await deliver(entry) }
        }
        if let last = splitter.finish() { try await deliver(last) }
    }

    /// The date of an mbox separator line: "From sender Sat Jan  3 01:05:34 1996" (RFC 4155 §2:
    /// the sender, then the date in ctime's form); nil when it has none that reads.
    static func separatorDate(_ line: [UInt8]) -> Date? {
        let words = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count == 3 else { return nil }
        return DateParser.parse(words[2])
    }

    /// The leading timestamp of a Maildir file name ("1227888843.M123P456.host:2,S"), the time of
    /// its delivery into the Maildir.
    static func maildirDate(_ name: String) -> Date? {
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        guard (9...11).contains(digits.count), name.dropFirst(digits.count).first == ".", let seconds = Int(digits) else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Maildir: messages are the files in `cur/` and `new/` of the folder and of each Maildir++
    /// subfolder (`.Name/`). `tmp/` holds deliveries in progress and is never read.
    static func maildirFiles(_ root: URL) throws -> [URL] {
        let fm = FileManager.default
        var folders = [root]
        for entry in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where entry.hasPrefix(".") && entry != "." && entry != ".." {
            folders.append(root.appendingPathComponent(entry, isDirectory: true))
        }
        var result: [URL] = []
        for folder in folders {
            for sub in ["cur", "new"] {
                let dir = folder.appendingPathComponent(sub, isDirectory: true)
                guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
                result += names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
            }
        }
        return result
    }

    static func files(under root: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw SourceError.unreadable(path: root.path, reason: "cannot list the folder")
        }
        var result: [URL] = []
        for case let url as URL in enumerator {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { result.append(url) }
        }
        return result.sorted { $0.path < $1.path }
    }

    static func read(_ url: URL) throws -> [UInt8] {
        do { return Array(try Data(contentsOf: url)) } catch {
            throw SourceError.unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
    }

    static func readPrefix(of url: URL, count: Int) throws -> [UInt8] {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw SourceError.unreadable(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = Glibc.read(fd, &buffer, count)
        return n > 0 ? Array(buffer[0..<n]) : []
    }
}
