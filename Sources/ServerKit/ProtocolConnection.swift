import Logging
import NIOCore

/// One connection of a protocol: its framer, session state machine and the glue that carries
/// out the session's actions through the `ConnectionShell` it was made with.
public protocol ProtocolConnection {
    /// Serves the connection on the client's bytes until the session ends or the client leaves.
    mutating func run(_ inbound: ConnectionShell.Inbound) async throws
    /// Called once the connection is closed, however it ended (a protocol releases what the
    /// session held: POP3 its maildrop lock, IMAP its change watcher).
    mutating func connectionClosed() async
}

extension ProtocolConnection {
    public mutating func connectionClosed() async {}
}

/// The one handler every protocol plugs into its `Listener`: logger metadata (protocol,
/// listener, client — never content), the graceful-shutdown signal and farewell, the shell, and
/// the session run until the connection closes.
public struct ProtocolConnectionHandler<Session: ProtocolConnection>: ConnectionHandler {
    /// "smtp", "imap", … for the log.
    public let protocolName: String
    /// The listener's kind ("mx", "imaps"), where a protocol has several.
    public let listenerName: String?
    /// What a session idle at graceful shutdown is told before the close (RFC 5321 §3.8 421,
    /// POP3 -ERR, IMAP and ManageSieve BYE).
    public let farewell: ByteBuffer
    public let timing: ConnectionTiming
    private let makeSession: @Sendable (ConnectionShell) -> Session

    public init(
        protocolName: String, listenerName: String? = nil, farewell: ByteBuffer, timing: ConnectionTiming,
        makeSession: @escaping @Sendable (ConnectionShell) -> Session
    ) {
        self.protocolName = protocolName
        self.listenerName = listenerName
        self.farewell = farewell
        self.timing = timing
        self.makeSession = makeSession
    }

    public func handle(_ connection: Connection, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "protocol"] = "\(protocolName)"
        if let listenerName { logger[metadataKey: "listener"] = "\(listenerName)" }
        logger[metadataKey: "client"] = "\(connection.remoteAddress)"
        let shutdown = IdleShutdownSignal()
        var session = makeSession(ConnectionShell(connection: connection, shutdown: shutdown, timing: timing,
                                                  logger: logger))
        await SessionContext.$clientAddress.withValue(connection.remoteAddress) {
            await connection.serve(shutdown: shutdown, farewell: farewell, logger: logger) { inbound in
                try await session.run(inbound)
            }
            await session.connectionClosed()
        }
    }
}
