import NIOCore
import NIOFileSystem

/// The content of the message a connection is receiving (DATA or BDAT, RFC 5321 §4.1.1.4, RFC 3030
/// §2): in memory while it is small, written to a spool file once it passes `threshold`, so a
/// connection receiving a large message slowly holds one block of it, not the message.
///
/// Files are created new (never replacing one), readable by the server's user only, named
/// `smtp-message-<random>.tmp` in the configured directory, which the server empties at start.
/// Writes and reads go through NIOFileSystem, on its own thread pool: never on an event loop,
/// never blocking the cooperative pool. One per connection; only the connection's task uses it.
struct SMTPMessageSpool {
    /// Where spool files go; nil keeps every message in memory.
    let directory: String?
    /// Content above this many bytes goes to a file.
    let threshold: Int
    /// Content bytes appended so far.
    private(set) var size = 0
    /// Content not yet written to the file (all of it while there is no file).
    private var pending: [UInt8] = []
    private var file: (handle: WriteFileHandle, path: String)?
    /// The spool file, once the content went to one (kept until `discard`).
    private(set) var path: String?
    private var written: Int64 = 0

    /// Bytes gathered before one write to the file.
    static let block = 256 << 10

    init(directory: String?, threshold: Int) {
        self.directory = directory
        self.threshold = threshold
    }

    /// Whether the content went to a file.
    var isSpooled: Bool { path != nil }

    /// Appends content; starts the file when the content passes the threshold.
    mutating func append(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        size += bytes.count
        pending.append(contentsOf: bytes)
        if path == nil {
            guard let directory, size > threshold else { return }
            let name = "\(directory)/smtp-message-\(UInt64.random(in: 0...UInt64.max)).tmp"
            path = name
            let handle = try await FileSystem.shared.openFile(
                forWritingAt: FilePath(name), options: .newFile(replaceExisting: false, permissions: .ownerReadWrite))
            file = (handle, name)
        }
        if pending.count >= Self.block { try await writePending() }
    }

    /// The whole message: `prefix` (the trace header fields), then the content, byte for byte as it
    /// was appended. The spool file stays until `discard`.
    mutating func message(after prefix: [UInt8]) async throws -> [UInt8] {
        guard let path else {
            var message = prefix
            message.append(contentsOf: pending)
            pending = []
            return message
        }
        try await writePending()
        if let open = file {
            file = nil
            try await open.handle.close()
        }
        var content = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            try await handle.readToEnd(maximumSizeAllowed: .bytes(Int64(size)))
        }
        guard content.readableBytes == size else { throw SMTPSpoolError(path: path, expected: size) }
        var message = [UInt8]()
        message.reserveCapacity(prefix.count + size)
        message.append(contentsOf: prefix)
        content.readWithUnsafeReadableBytes { bytes in
            message.append(contentsOf: bytes)
            return bytes.count
        }
        return message
    }

    /// Forgets the content and removes the spool file, if any (delivered, refused, or abandoned).
    mutating func discard() async {
        pending = []
        size = 0
        written = 0
        if let open = file {
            file = nil
            try? await open.handle.close()
        }
        if let path {
            self.path = nil
            _ = try? await FileSystem.shared.removeItem(at: FilePath(path))
        }
    }

    private mutating func writePending() async throws {
        guard let open = file, !pending.isEmpty else { return }
        written += try await open.handle.write(contentsOf: pending, toAbsoluteOffset: written)
        pending.removeAll(keepingCapacity: true)
    }
}

/// A spool file that does not hold what was written to it.
struct SMTPSpoolError: Error, CustomStringConvertible {
    let path: String
    let expected: Int
    var description: String { "spool file \(path) does not hold the \(expected) bytes written" }
}
