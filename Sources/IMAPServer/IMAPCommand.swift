/// A command with its tag. RFC 3501 §9 `command = tag SP (command-any / command-auth / …) CRLF`.
public struct IMAPTaggedCommand: Hashable, Sendable {
    public var tag: String
    public var command: IMAPCommand

    public init(tag: String, command: IMAPCommand) {
        self.tag = tag
        self.command = command
    }
}

/// Every command of RFC 3501 / RFC 9051 and of the extensions Tresor implements, with the
/// section that defines it. The `uid` flag marks the UID form (RFC 3501 §6.4.8).
public enum IMAPCommand: Hashable, Sendable {
    // Any state, RFC 3501 §6.1
    case capability
    case noop
    case logout
    // Not authenticated, §6.2
    case startTLS
    /// RFC 3501 §6.2.2; `initialResponse` per RFC 4959 (SASL-IR): the base64 text as sent, or
    /// an empty array for "=" (an empty response).
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    case login(user: [UInt8], password: [UInt8])
    // Authenticated, §6.3
    /// RFC 5161 §3.1: capability names upper-cased.
    case enable([String])
    /// RFC 2971 §3.1: nil for `ID NIL`.
    case id([IDParameter]?)
    /// RFC 2342 §5.
    case namespace
    /// §6.3.1, CONDSTORE parameter per RFC 7162 §3.1.8.
    case select(MailboxName, condstore: Bool)
    case examine(MailboxName, condstore: Bool)
    /// §6.3.3; `use` holds the special-use attributes of RFC 6154 §3 (CREATE-SPECIAL-USE) as
    /// sent, backslash included, empty without the USE parameter.
    case create(MailboxName, use: [String] = [])
    case delete(MailboxName)
    case rename(from: MailboxName, to: MailboxName)
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    /// §6.3.8 with RFC 5258 (LIST-EXTENDED), RFC 6154 and RFC 5819.
    case list(IMAPListCommand)
    /// §6.3.9: reference and pattern, like LIST without options.
    case lsub(reference: String, pattern: String)
    /// §6.3.10; HIGHESTMODSEQ per RFC 7162 §3.1.6.
    case status(MailboxName, [IMAPStatusAttribute])
    /// §6.3.11; several messages per RFC 3502 (MULTIAPPEND).
    case append(MailboxName, [IMAPAppendMessage])
    /// RFC 2177.
    case idle
    /// RFC 9208 §4.2: the quota of one root.
    case getQuota(root: String)
    /// RFC 9208 §4.3: the quota roots of a mailbox, with their quotas.
    case getQuotaRoot(MailboxName)
    // Selected, §6.4
    case check
    case close
    /// RFC 3691.
    case unselect
    case expunge
    /// RFC 4315 §2.1.
    case uidExpunge(SequenceSet)
    /// §6.4.4 with RFC 4731 (ESEARCH RETURN) and RFC 7162 (MODSEQ).
    case search(IMAPSearchCommand, uid: Bool)
    /// §6.4.5 with RFC 7162 §3.1.4 (CHANGEDSINCE).
    case fetch(SequenceSet, [IMAPFetchAttribute], changedSince: UInt64?, uid: Bool)
    /// §6.4.6 with RFC 7162 §3.1.3 (UNCHANGEDSINCE).
    case store(SequenceSet, IMAPStoreAction, unchangedSince: UInt64?, uid: Bool)
    /// §6.4.7.
    case copy(SequenceSet, MailboxName, uid: Bool)
    /// RFC 6851 §3.
    case move(SequenceSet, MailboxName, uid: Bool)

    /// The command name, upper-cased, as it appears on the wire (for logs and responses).
    public var name: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .startTLS: "STARTTLS"
        case .authenticate: "AUTHENTICATE"
        case .login: "LOGIN"
        case .enable: "ENABLE"
        case .id: "ID"
        case .namespace: "NAMESPACE"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .rename: "RENAME"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .list: "LIST"
        case .lsub: "LSUB"
        case .status: "STATUS"
        case .append: "APPEND"
        case .idle: "IDLE"
        case .getQuota: "GETQUOTA"
        case .getQuotaRoot: "GETQUOTAROOT"
        case .check: "CHECK"
        case .close: "CLOSE"
        case .unselect: "UNSELECT"
        case .expunge: "EXPUNGE"
        case .uidExpunge: "UID EXPUNGE"
        case .search(_, let uid): uid ? "UID SEARCH" : "SEARCH"
        case .fetch(_, _, _, let uid): uid ? "UID FETCH" : "FETCH"
        case .store(_, _, _, let uid): uid ? "UID STORE" : "STORE"
        case .copy(_, _, let uid): uid ? "UID COPY" : "COPY"
        case .move(_, _, let uid): uid ? "UID MOVE" : "MOVE"
        }
    }
}

/// One field-value pair of ID (RFC 2971 §3.1).
public struct IDParameter: Hashable, Sendable {
    public var field: String
    public var value: String?

    public init(field: String, value: String?) {
        self.field = field
        self.value = value
    }
}

/// One message of APPEND: optional flags and date, and the octets. RFC 3501 §6.3.11.
public struct IMAPAppendMessage: Hashable, Sendable {
    public var flags: [IMAPFlag]
    public var internalDate: IMAPDateTime?
    /// In the command, or streamed to a spool file (large messages).
    public var octets: IMAPMessageOctets
    /// Sent as literal8 (RFC 3516 §4.2): the octets may hold NUL and raw binary.
    public var isBinary: Bool

    public init(flags: [IMAPFlag] = [], internalDate: IMAPDateTime? = nil, octets: IMAPMessageOctets,
                isBinary: Bool = false) {
        self.flags = flags
        self.internalDate = internalDate
        self.octets = octets
        self.isBinary = isBinary
    }

    public init(flags: [IMAPFlag] = [], internalDate: IMAPDateTime? = nil, data: [UInt8], isBinary: Bool = false) {
        self.init(flags: flags, internalDate: internalDate, octets: .inline(data), isBinary: isBinary)
    }
}

/// STATUS items. RFC 3501 §6.3.10, RFC 9051 §6.3.11 (DELETED, SIZE per RFC 8438), RFC 7162.
public enum IMAPStatusAttribute: String, Hashable, Sendable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case deleted = "DELETED"
    case size = "SIZE"
    case highestModSeq = "HIGHESTMODSEQ"
}

/// LIST with the extended syntax of RFC 5258 §3.
public struct IMAPListCommand: Hashable, Sendable {
    public enum SelectionOption: String, Hashable, Sendable {
        case subscribed = "SUBSCRIBED"           // RFC 5258 §3.1
        case remote = "REMOTE"
        case recursiveMatch = "RECURSIVEMATCH"
        case specialUse = "SPECIAL-USE"          // RFC 6154 §3
    }

    public enum ReturnOption: Hashable, Sendable {
        case subscribed                          // RFC 5258 §3.2
        case children
        case specialUse                          // RFC 6154 §3
        case status([IMAPStatusAttribute])       // RFC 5819 §2
    }

    public var selectionOptions: [SelectionOption]
    /// The reference name, decoded like a mailbox name but not checked against the policy.
    public var reference: String
    /// One or more patterns with "*" and "%" wildcards (RFC 3501 §6.3.8).
    public var patterns: [String]
    public var returnOptions: [ReturnOption]

    public init(
        selectionOptions: [SelectionOption] = [], reference: String, patterns: [String],
        returnOptions: [ReturnOption] = []
    ) {
        self.selectionOptions = selectionOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }
}

/// STORE's data item. RFC 3501 §6.4.6: `["+" / "-"] "FLAGS" [".SILENT"]`.
public struct IMAPStoreAction: Hashable, Sendable {
    public enum Operation: Hashable, Sendable { case replace, add, remove }

    public var operation: Operation
    public var silent: Bool
    public var flags: [IMAPFlag]

    public init(_ operation: Operation, silent: Bool = false, flags: [IMAPFlag]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}
