/// A server response. RFC 3501 §7, RFC 9051 §7.
public enum IMAPResponse: Hashable, Sendable {
    /// The command's completion: `tag OK/NO/BAD [code] text`.
    case tagged(tag: String, status: IMAPResponseStatus, code: IMAPResponseCode? = nil, text: String)
    /// `* OK/NO/BAD/PREAUTH/BYE [code] text`.
    case untaggedStatus(IMAPResponseStatus, code: IMAPResponseCode? = nil, text: String)
    /// `+ text` (RFC 3501 §7.5); for SASL, the text is the base64 challenge.
    case continuation(String)
    /// `* ` data.
    case data(IMAPResponseData)

    /// The response for a refused command: tagged when the tag was read, else untagged.
    public init(_ error: IMAPCommandError) {
        let status: IMAPResponseStatus = error.status == .bad ? .bad : .no
        if let tag = error.tag {
            self = .tagged(tag: tag, status: status, code: error.code, text: error.text)
        } else {
            self = .untaggedStatus(status, code: error.code, text: error.text)
        }
    }
}

public enum IMAPResponseStatus: String, Hashable, Sendable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
    case preauth = "PREAUTH"
    case bye = "BYE"
}

/// Untagged data responses (RFC 3501 §7.2–7.4, and the extensions named on each case).
public enum IMAPResponseData: Hashable, Sendable {
    case capability([String])
    /// RFC 5161 §3.2.
    case enabled([String])
    /// RFC 2971 §3.2.
    case id([IDParameter]?)
    /// RFC 2342 §5: personal, other users', shared; nil for NIL.
    case namespace(personal: [IMAPNamespace]?, otherUsers: [IMAPNamespace]?, shared: [IMAPNamespace]?)
    case list(IMAPListItem)
    case lsub(IMAPListItem)
    case status(MailboxName, [IMAPStatusValue])
    case flags([IMAPFlag])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    /// `* SEARCH n…`, with `(MODSEQ n)` when the search used MODSEQ (RFC 7162 §3.1.5).
    case search([UInt32], modSeq: UInt64? = nil)
    /// RFC 4731 §3.1.
    case esearch(IMAPESearchResponse)
    case fetch(UInt32, [IMAPFetchItem])
    /// RFC 9208 §5.2: a mailbox and its quota roots.
    case quotaRoot(MailboxName, roots: [String])
    /// RFC 9208 §5.1.
    case quota(IMAPQuota)
}

/// One namespace of NAMESPACE: a prefix and its delimiter (RFC 2342 §5).
public struct IMAPNamespace: Hashable, Sendable {
    public var prefix: String
    public var delimiter: Character?

    public init(prefix: String, delimiter: Character? = MailboxName.delimiter) {
        self.prefix = prefix
        self.delimiter = delimiter
    }
}

/// One LIST or LSUB response (RFC 3501 §7.2.2, RFC 5258 §3.5 for CHILDINFO, RFC 6154 attributes).
public struct IMAPListItem: Hashable, Sendable {
    /// e.g. `\HasNoChildren`, `\Subscribed`, `\Sent`, `\Noselect`.
    public var attributes: [String]
    public var delimiter: Character?
    public var name: MailboxName
    /// RFC 5258 §3.5 `CHILDINFO`: selection criteria a child matched (e.g. "SUBSCRIBED").
    public var childInfo: [String]

    public init(attributes: [String], delimiter: Character? = MailboxName.delimiter, name: MailboxName, childInfo: [String] = []) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.childInfo = childInfo
    }
}

/// A STATUS item with its value (RFC 3501 §7.2.4).
public struct IMAPStatusValue: Hashable, Sendable {
    public var attribute: IMAPStatusAttribute
    public var value: UInt64

    public init(_ attribute: IMAPStatusAttribute, _ value: UInt64) {
        self.attribute = attribute
        self.value = value
    }
}

/// `* ESEARCH (TAG "t") [UID] MIN n MAX n ALL set COUNT n [MODSEQ n]` (RFC 4731 §3.1, RFC 7162 §3.1.5).
public struct IMAPESearchResponse: Hashable, Sendable {
    public var tag: String?
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    public var all: SequenceSet?
    public var count: UInt32?
    public var modSeq: UInt64?

    public init(
        tag: String?, uid: Bool, min: UInt32? = nil, max: UInt32? = nil, all: SequenceSet? = nil, count: UInt32? = nil,
        modSeq: UInt64? = nil
    ) {
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.all = all
        self.count = count
        self.modSeq = modSeq
    }
}

/// One item of a FETCH response (RFC 3501 §7.4.2). ENVELOPE and BODYSTRUCTURE carry their
/// encoded bytes, as `IMAPEnvelope` and `IMAPBodyStructure` build them.
public enum IMAPFetchItem: Hashable, Sendable {
    case uid(UInt32)
    case flags([IMAPFlag])
    case internalDate(IMAPDateTime)
    case rfc822Size(Int)
    case modSeq(UInt64)
    case envelope([UInt8])
    /// BODY (non-extensible) when `extensible` is false, BODYSTRUCTURE when true.
    case bodyStructure([UInt8], extensible: Bool)
    /// `BODY[section]<origin> data`; nil data gives NIL (a part that does not exist).
    case bodySection(IMAPSection, origin: UInt32? = nil, data: [UInt8]?)
    /// `BINARY[part]<origin>` (RFC 3516 §4.2): literal8 when the data holds NUL.
    case binary(part: [Int], origin: UInt32? = nil, data: [UInt8]?)
    case binarySize(part: [Int], size: Int)
    case rfc822([UInt8])
    case rfc822Header([UInt8])
    case rfc822Text([UInt8])
}
