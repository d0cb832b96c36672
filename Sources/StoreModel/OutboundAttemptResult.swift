#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What one attempt made of one queue row.
public enum OutboundAttemptResult: Sendable, Hashable {
    /// The remote server answered 250 to the message (RFC 5321 §4.1.1.4).
    case delivered(remoteMTA: String?, reply: String)
    /// Try again at `nextAttempt` (4xx, connection or DNS failure).
    case deferred(nextAttempt: Date, remoteMTA: String?, statusCode: String, reply: String)
    /// Permanent: 5xx, no route, or expired. A DSN is owed unless the sender is null.
    case failed(remoteMTA: String?, statusCode: String, reply: String)
}
