/// Why a mailbox operation was refused. The IMAP response codes of RFC 5530 and RFC 3501 are
/// named where one fits.
public enum MailboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The authenticated user does not exist (removed while a session was open).
    case unknownUser(String)
    /// RFC 3501 §5.1 / this store's rules: empty, control characters, NUL, LIST wildcards,
    /// empty, `.` or `..` levels, longer than 255 octets.
    case invalidName(String)
    /// NONEXISTENT (RFC 5530), or TRYCREATE for APPEND/COPY/MOVE targets (RFC 3501 §6.3.11).
    case nonexistent(String)
    /// ALREADYEXISTS (RFC 5530).
    case alreadyExists(String)
    /// RFC 3501 §6.3.4: INBOX cannot be deleted.
    case cannotDeleteInbox
    /// A mailbox with inferior names is not deleted (as Dovecot does, rather than RFC 3501 §6.3.4's
    /// \Noselect state): delete the children first.
    case hasChildren(String)
    /// RENAME into its own inferior hierarchy (`a` to `a/b`).
    case renameIntoItself(String)
    /// A flag that is no system flag and no atom (RFC 3501 §9).
    case invalidFlag(String)
    /// RFC 6154 §5.3 USEATTR: the user already has a mailbox with this attribute (one `\Drafts`).
    case specialUseTaken(String)
    /// Over one of `MailboxLimits` (answered NO [LIMIT], RFC 5530 §3); says which.
    case limit(String)
    /// The archive or the catalog failed (answered NO [SERVERBUG] or [UNAVAILABLE]).
    case storage(StorageFailure)

    public var description: String {
        switch self {
        case .unknownUser(let user): "no user \(user)"
        case .invalidName(let name): "invalid mailbox name \"\(name)\""
        case .nonexistent(let name): "no mailbox \"\(name)\""
        case .alreadyExists(let name): "mailbox \"\(name)\" already exists"
        case .cannotDeleteInbox: "INBOX cannot be deleted"
        case .hasChildren(let name): "mailbox \"\(name)\" has children; delete them first"
        case .renameIntoItself(let name): "cannot rename \"\(name)\" into its own hierarchy"
        case .invalidFlag(let flag): "invalid flag \"\(flag)\""
        case .limit(let what): what
        case .specialUseTaken(let use): "a mailbox with \(use) exists already; there is one drafts folder"
        case .storage(let failure): failure.description
        }
    }
}
