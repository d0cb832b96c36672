/// SEARCH with its extensions: RFC 3501 §6.4.4, RFC 4731 (ESEARCH RETURN), RFC 5182 (SAVE).
public struct IMAPSearchCommand: Hashable, Sendable {
    /// Nil for a plain SEARCH (an untagged SEARCH response); a list (possibly empty, meaning
    /// ALL, RFC 4731 §3.1) when RETURN was given (an ESEARCH response).
    public var returnOptions: [IMAPSearchReturnOption]?
    /// The CHARSET argument, upper-cased; nil when absent (US-ASCII, or UTF-8 under IMAP4rev2).
    public var charset: String?
    /// The keys, implicitly ANDed.
    public var key: IMAPSearchKey

    public init(returnOptions: [IMAPSearchReturnOption]? = nil, charset: String? = nil, key: IMAPSearchKey) {
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
    }
}

/// RFC 4731 §3.1 and RFC 5182 §2.
public enum IMAPSearchReturnOption: String, Hashable, Sendable {
    case min = "MIN"
    case max = "MAX"
    case all = "ALL"
    case count = "COUNT"
    case save = "SAVE"
}

/// A search key (RFC 3501 §6.4.4, §9 `search-key`). Strings are the bytes as sent, to be
/// decoded with the command's CHARSET; matching is case-insensitive substring matching.
public indirect enum IMAPSearchKey: Hashable, Sendable {
    case all
    case answered, deleted, draft, flagged, seen, recent, new, old
    case unanswered, undeleted, undraft, unflagged, unseen
    case keyword(String), unkeyword(String)
    case bcc([UInt8]), cc([UInt8]), from([UInt8]), to([UInt8]), subject([UInt8])
    case body([UInt8]), text([UInt8])
    /// HEADER field-name string; an empty string matches every message with the field.
    case header(String, [UInt8])
    /// INTERNALDATE, disregarding time and zone.
    case before(IMAPDate), on(IMAPDate), since(IMAPDate)
    /// The Date: header.
    case sentBefore(IMAPDate), sentOn(IMAPDate), sentSince(IMAPDate)
    /// RFC822.SIZE.
    case larger(UInt32), smaller(UInt32)
    case uid(SequenceSet)
    case sequenceNumbers(SequenceSet)
    /// RFC 7162 §3.1.5: mod-sequence at least `value`; entry name and type are accepted and ignored.
    case modSeq(UInt64)
    case not(IMAPSearchKey)
    case or(IMAPSearchKey, IMAPSearchKey)
    /// A parenthesised list, or the top-level keys: all must match.
    case and([IMAPSearchKey])
}
