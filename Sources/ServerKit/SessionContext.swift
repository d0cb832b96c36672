/// The client a protocol session serves, visible to everything the session's task calls (the
/// storage backends read it for the audit trail) without threading it through every backend
/// method: a task-local value, set once per connection by `ProtocolConnectionHandler`.
public enum SessionContext {
    /// The client's IP address ("127.0.0.1", "::1"); nil outside a protocol session.
    @TaskLocal public static var clientAddress: String?
}
