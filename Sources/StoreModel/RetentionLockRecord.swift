import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The strictest version of a locked retention policy seen so far (schema "v6" `retention_lock`).
/// The catalog keeps the fields as text; the Retention module parses and compares them.
public struct RetentionLockRecord: Sendable, Hashable {
    public var policy: String
    public var match: String
    /// As written in the policy file, e.g. `10y`.
    public var retain: String
    public var countFrom: String
    public var action: String
    /// The file the version came from.
    public var file: String
    public var recordedAt: Date

    public init(policy: String, match: String, retain: String, countFrom: String, action: String, file: String,
                recordedAt: Date) {
        self.policy = policy
        self.match = match
        self.retain = retain
        self.countFrom = countFrom
        self.action = action
        self.file = file
        self.recordedAt = recordedAt
    }
}

extension RetentionLockRecord {
    /// Hex SHA-256 of the policy's canonical text — name, match, retain, count_from and action, one
    /// per line — the identity a retention floor names the policy by.
    public var policyHash: String {
        let text = [policy, match, retain, countFrom, action].joined(separator: "\n")
        return Hex.string(SHA256.hash(data: Array(text.utf8)))
    }
}
