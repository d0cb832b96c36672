/// What a `vacation` command asks for (RFC 5230 §4, RFC 6131 §2), with its strings expanded and
/// the period in seconds already bounded by `SieveLimits`. Whether a reply is actually sent — the
/// sender, the recipients, the automatic-mail rules of RFC 3834 and the reply already sent this
/// period — is the delivery side's decision: the interpreter only records the request.
public struct SieveVacation: Sendable, Hashable {
    /// The reply's body: plain text, or with `mime` a MIME entity (header fields and body).
    public var reason: String
    /// `:subject` (RFC 5230 §4.3); nil means "Auto: " and the original subject (§5.3).
    public var subject: String?
    /// `:from` (RFC 5230 §4.4), as written (an addr-spec or name-addr); nil means the user's address.
    public var from: String?
    /// `:addresses` (RFC 5230 §4.5): more addresses that count as the user's.
    public var addresses: [String]
    /// `:mime` (RFC 5230 §4.8): `reason` is a MIME entity, not plain text.
    public var mime: Bool
    /// Replies are limited per sender and handle (RFC 5230 §4.2). Without `:handle` this is made
    /// from the arguments that shape the reply, so that changing the reply text sends the new one.
    public var handle: String
    /// Seconds during which a second message from the same sender gets no reply (`:days` or
    /// `:seconds`); 0 only when the limits allow it, and then every message is answered (RFC 6131 §2).
    public var period: Int

    public init(reason: String, subject: String? = nil, from: String? = nil, addresses: [String] = [],
                mime: Bool = false, handle: String? = nil, period: Int) {
        self.reason = reason
        self.subject = subject
        self.from = from
        self.addresses = addresses
        self.mime = mime
        self.handle = handle ?? Self.defaultHandle(reason: reason, subject: subject, from: from, mime: mime)
        self.period = period
    }

    /// RFC 5230 §4.2: without `:handle`, the implementation derives one from the reply's
    /// arguments; the parts are separated by NUL, which no Sieve string written as text holds.
    static func defaultHandle(reason: String, subject: String?, from: String?, mime: Bool) -> String {
        ["auto", subject ?? "", from ?? "", mime ? "mime" : "text", reason].joined(separator: "\u{0}")
    }
}
