#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor a chunk at a time, so that a source larger than memory (an mbox of
/// years of mail, a pipe) is never held whole. A read error is thrown with the source's name,
/// never taken for the end of the data.
struct ChunkedReader {
    let descriptor: Int32
    let name: String
    private var buffer: [UInt8]

    init(descriptor: Int32, name: String, chunkSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.name = name
        self.buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    /// The next chunk, or nil at the end of the data.
    mutating func next() throws -> [UInt8]? {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count == 0 { return nil }
            if errno == EINTR { continue }
            throw SourceError.unreadable(path: name, reason: String(cString: strerror(errno)))
        }
    }

    /// Calls `body` with each line of the rest of the data, its line feed included (the last line
    /// may lack one), starting with the lines of `prefix` (bytes already read from the descriptor).
    mutating func forEachLine(after prefix: [UInt8] = [], _ body: (ArraySlice<UInt8>) async throws -> Void) async throws {
        var partial: [UInt8] = []
        var chunk: [UInt8]? = prefix.isEmpty ? try next() : prefix
        while let bytes = chunk {
            var start = 0
            while let feed = Self.lineFeed(in: bytes, from: start) {
                if partial.isEmpty {
                    try await body(bytes[start...feed])
                } else {
                    partial += bytes[start...feed]
                    try await body(partial[...])
                    partial.removeAll(keepingCapacity: true)
                }
                start = feed + 1
            }
            partial += bytes[start...]
            chunk = try next()
        }
        if !partial.isEmpty { try await body(partial[...]) }
    }

    private static func lineFeed(in bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes.withUnsafeBytes { raw in
            guard let found = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }
}
