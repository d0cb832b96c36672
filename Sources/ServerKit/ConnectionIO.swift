import NIOCore

/// What every protocol connection keeps between its reads: the responses not yet written
/// (pipelined commands are answered in one write) and the count of bytes taken from the client
/// (`startTLS` compares it with what the channel received, CVE-2011-0411). One per connection,
/// used only by its task.
public struct ConnectionIO {
    public typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>

    public let channel: any Channel
    /// Responses waiting for the next `flush()`.
    public var output = ByteBuffer()
    /// Bytes taken from the client so far.
    public private(set) var consumedBytes = 0

    public init(channel: any Channel) {
        self.channel = channel
    }

    /// Writes and flushes the waiting responses, if any.
    public mutating func flush() async throws {
        guard output.readableBytes > 0 else { return }
        try await channel.writeAndFlush(takeOutput()).get()
    }

    /// The waiting responses, leaving none (STARTTLS sends its reply itself).
    public mutating func takeOutput() -> ByteBuffer {
        let bytes = output
        output = ByteBuffer()
        return bytes
    }

    /// Flushes, then waits for the client's next bytes; nil when it closed. A client silent for
    /// `timeout` gets `farewell` and the connection closes (`ReadTimeout`).
    public mutating func read(_ iterator: inout Inbound.AsyncIterator, timeout: Duration, farewell: ByteBuffer)
        async throws -> ByteBuffer?
    {
        try await flush()
        let timer = ReadTimeout(channel: channel, timeout: timeout, farewell: farewell)
        defer { timer.cancel() }
        guard let bytes = try await iterator.next() else { return nil }
        consumedBytes += bytes.readableBytes
        return bytes
    }

    /// Counts bytes a connection read by its own means (IMAP's reader task).
    public mutating func consumed(_ count: Int) {
        consumedBytes += count
    }
}
