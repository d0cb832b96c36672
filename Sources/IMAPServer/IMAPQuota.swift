/// One quota root with its STORAGE resource (RFC 9208 §5.1). Sizes are kept in octets and
/// written in the protocol's units of 1024 octets.
public struct IMAPQuota: Hashable, Sendable {
    /// The quota root's name (`quota-root-name = astring`); Tresor has one per user, "".
    public var root: String
    /// The sum of RFC822.SIZE of the messages in the user's mailboxes (RFC 9208 §5.1 STORAGE).
    public var usedOctets: UInt64
    public var limitOctets: UInt64

    public init(root: String, usedOctets: UInt64, limitOctets: UInt64) {
        self.root = root
        self.usedOctets = usedOctets
        self.limitOctets = limitOctets
    }

    /// STORAGE usage in units of 1024 octets, rounded up: a client never reads "under the limit"
    /// for an account that is over it.
    public var usedUnits: UInt64 { usedOctets / 1024 + (usedOctets % 1024 == 0 ? 0 : 1) }
    /// STORAGE limit in units of 1024 octets, rounded down.
    public var limitUnits: UInt64 { limitOctets / 1024 }

    /// Whether adding `octets` goes past the limit (RFC 9208 §4.1: the command then fails with
    /// [OVERQUOTA]).
    public func exceeded(adding octets: UInt64) -> Bool {
        usedOctets.addingReportingOverflow(octets).partialValue > limitOctets
            || usedOctets.addingReportingOverflow(octets).overflow
    }
}
