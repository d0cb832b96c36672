/// What a storage backend may know about the client session asking it (for logging, the AUTH
/// throttle, and the loopback exception to "AUTH only over TLS"). POP3, ManageSieve and IMAP
/// hand this to their backends under their own names.
public struct ClientSessionInfo: Hashable, Sendable {
    public var clientAddress: String
    public var isLoopback: Bool
    public var tls: Bool

    public init(clientAddress: String, isLoopback: Bool, tls: Bool) {
        self.clientAddress = clientAddress
        self.isLoopback = isLoopback
        self.tls = tls
    }
}
