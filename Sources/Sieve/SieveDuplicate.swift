/// One evaluation of the `duplicate` test (RFC 7352 §3): which unique id it asked about and how
/// the id is to be remembered. The interpreter answers from `SieveInput.seenDuplicates` (what the
/// delivery side read from its store) and only lists these; the delivery side remembers them once
/// the message is delivered (§3: tracking happens only when the script ran successfully).
public struct SieveDuplicateCheck: Sendable, Hashable {
    /// The handle and the unique id, separated by NUL: what the store keys on.
    public var key: String
    /// Seconds the id is remembered (`:seconds`, else the default), bounded by `SieveLimits`.
    public var period: Int
    /// `:last`: the period counts from the last time the id was seen, not the first.
    public var last: Bool
    /// What the test answered.
    public var seen: Bool

    public init(key: String, period: Int, last: Bool, seen: Bool) {
        self.key = key
        self.period = period
        self.last = last
        self.seen = seen
    }

    static func key(handle: String, uniqueID: String) -> String {
        handle + "\u{0}" + uniqueID
    }
}
