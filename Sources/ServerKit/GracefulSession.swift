import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Graceful-shutdown state shared by a session's task and the shutdown handler: a session that
/// is idle (waiting for the client's next command) can be closed at once with a farewell; a busy
/// one finishes its command, then sees `isRequested` before its next read and ends.
public final class IdleShutdownSignal: Sendable {
    private struct State { var requested = false; var idleWaiting = false }
    private let state = Mutex(State())

    public init() {}

    /// Marks shutdown; true when the session is idle and waiting, so the caller should close it.
    public func request() -> Bool {
        state.withLock { state in
            state.requested = true
            return state.idleWaiting
        }
    }

    /// Before an idle read: true when shutdown was already requested (close instead of reading).
    public func beginIdleWait() -> Bool {
        state.withLock { state in
            state.idleWaiting = !state.requested
            return state.requested
        }
    }

    public func endIdleWait() {
        state.withLock { $0.idleWaiting = false }
    }

    public var isRequested: Bool { state.withLock { $0.requested } }
}

extension Connection {
    /// Runs a protocol session on this connection until it ends, then closes the connection.
    /// On graceful shutdown, a session idle in `signal` gets `farewell` (the protocol's "server
    /// shutting down" reply) and is closed at once. Errors end the connection and are logged at
    /// debug level: a client that drops the connection is no server error.
    public func serve(
        shutdown signal: IdleShutdownSignal, farewell: ByteBuffer, logger: Logger,
        _ session: (NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> Void
    ) async {
        let channel = self.channel.channel
        do {
            try await self.channel.executeThenClose { inbound, _ in
                try await withGracefulShutdownHandler {
                    try await session(inbound)
                } onGracefulShutdown: {
                    if signal.request() {
                        channel.writeAndFlush(farewell).whenComplete { _ in channel.close(promise: nil) }
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }
}
