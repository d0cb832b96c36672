/// The special-use attributes of RFC 6154 §2 and what a CREATE's USE parameter (RFC 6154 §3)
/// asks of them.
public enum IMAPSpecialUse {
    /// RFC 6154 §2, in their canonical spelling. Mailbox attributes are case-insensitive like
    /// flags (RFC 3501 §2.3.2), so a request is matched without regard to case.
    public static let attributes = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"]

    /// What a CREATE asked for.
    public enum Request: Hashable, Sendable {
        /// No USE parameter, or `USE ()`: a plain mailbox.
        case plain
        /// One attribute of §2, canonically spelled.
        case one(String)
        /// RFC 6154 §3: the server "MUST NOT create the mailbox" and answers NO [USEATTR]; says why.
        case refused(String)
    }

    /// RFC 6154 §3. A mailbox here holds at most one special use, so asking for two different
    /// ones is refused, as is any attribute outside §2 (an extension's, e.g. RFC 8457's
    /// `\Important`, which Tresor does not keep). The same attribute twice is asking for it once.
    public static func requested(_ uses: [String]) -> Request {
        var chosen: String?
        for use in uses {
            guard let canonical = attributes.first(where: { $0.lowercased() == use.lowercased() }) else {
                return .refused("Special use \(use) is not supported")
            }
            if let chosen, chosen != canonical {
                return .refused("A mailbox can have only one special use")
            }
            chosen = canonical
        }
        return chosen.map { .one($0) } ?? .plain
    }
}
