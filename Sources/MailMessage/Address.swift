/// One mailbox, or one member of a group. RFC 5322 §3.4; RFC 6532 §3.2 allows UTF-8 in both parts.
public struct Address: Hashable, Sendable {
    /// The display name, RFC 2047-decoded, quotes and comments removed; nil if there is none.
    public var displayName: String?
    /// The addr-spec "local@domain": the domain as written, the local part unquoted where quoting
    /// is unnecessary (RFC 5322 §3.4.1: a dot-atom local part and its quoted form are the same).
    public var mailbox: String
    /// The group's display name (RFC 5322 §3.4 `group`) if this address came from a group.
    public var group: String?

    public init(displayName: String? = nil, mailbox: String, group: String? = nil) {
        self.displayName = displayName
        self.mailbox = mailbox
        self.group = group
    }

    /// The part of `mailbox` before the last "@" (all of it if there is none).
    public var localPart: Substring {
        guard let at = mailbox.lastIndex(of: "@") else { return mailbox[...] }
        return mailbox[..<at]
    }

    /// The part of `mailbox` after the last "@" (empty if there is none).
    public var domain: Substring {
        guard let at = mailbox.lastIndex(of: "@") else { return mailbox[mailbox.endIndex...] }
        return mailbox[mailbox.index(after: at)...]
    }
}
