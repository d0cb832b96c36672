import NIOCore
import NIOFileSystem

/// The octets of one APPEND message. Small messages stay in the command; larger ones are
/// streamed, as they arrive, into a spool file (the parser never holds them), so a connection
/// uploading a big message holds one read buffer, not the message (the size limit is checked when
/// the literal is announced).
public enum IMAPMessageOctets: Hashable, Sendable {
    /// In the command's own bytes (at most `IMAPLimits.inMemoryLiteralSize`).
    case inline([UInt8])
    /// The parser's view of a streamed literal: the `index`-th streamed literal of the command
    /// (its octets went out as `.literalOctets` events). The connection replaces it by `.spooled`.
    case streamed(index: Int, count: Int)
    /// Written to a spool file by the connection; removed after the command.
    case spooled(IMAPLiteralSpool)

    public var count: Int {
        switch self {
        case .inline(let bytes): bytes.count
        case .streamed(_, let count): count
        case .spooled(let spool): spool.count
        }
    }

    /// The octets, read from the spool file where they were streamed.
    public func bytes() async throws -> [UInt8] {
        switch self {
        case .inline(let bytes): return bytes
        case .streamed: throw IMAPLiteralSpoolError(path: "", problem: "literal was not spooled")
        case .spooled(let spool): return try await spool.read()
        }
    }
}

/// A spool file holding one streamed literal, written by the connection.
public struct IMAPLiteralSpool: Hashable, Sendable {
    public let path: String
    public let count: Int

    public init(path: String, count: Int) {
        self.path = path
        self.count = count
    }

    /// Reads the whole file (NIOFileSystem: on its thread pool, never on an event loop).
    func read() async throws -> [UInt8] {
        var buffer = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            try await handle.readToEnd(maximumSizeAllowed: .bytes(Int64(count)))
        }
        guard buffer.readableBytes == count else {
            throw IMAPLiteralSpoolError(path: path, problem: "holds \(buffer.readableBytes) octets, not \(count)")
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

public struct IMAPLiteralSpoolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "literal spool \(path): \(problem)" }
}
