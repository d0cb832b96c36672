/// The parsed form of a search query: a boolean tree over terms.
///
/// Operator precedence, tightest first (the same as Gmail's search box):
/// `-x` / `NOT x`, then `a OR b`, then juxtaposition (`a b`, or the explicit `a AND b`).
/// So `a b OR c` means `a AND (b OR c)`, and `from:alice OR from:bob report` means
/// "(from alice or from bob) and mentions report". Parentheses override this.
public indirect enum QueryNode: Hashable, Sendable {
    /// Every child matches. Never empty; a single child is returned bare by the parser.
    case and([QueryNode])
    /// At least one child matches. Never empty; a single child is returned bare by the parser.
    case or([QueryNode])
    /// The child does not match. A query that is only a negation means "all messages except".
    case not(QueryNode)
    case term(QueryTerm)
}

/// One search condition, after its field and value have been checked.
public enum QueryTerm: Hashable, Sendable {
    /// `*` written alone: every message (the same `*` a retention policy's `match` takes).
    case everything
    /// Words or a phrase in text indexed by FTS5. `prefix` comes from a trailing `*` on a bare word.
    case text(TextField, String, prefix: Bool)
    /// An address condition on one of the address roles.
    case address(AddressField, AddressPattern)
    /// Any participant's domain is this domain or one of its subdomains (`domain:example.com`).
    case domain(String)
    /// The Message-ID, without angle brackets, compared ignoring case.
    case messageID(String)
    /// A date condition on the message date (the archive time where the message has no Date).
    case date(DateComparison, DatePeriod)
    /// Raw message size in bytes: `larger:` is strictly more, `smaller:` strictly less.
    case size(SizeComparison, Int)
    /// `has:attachment`.
    case hasAttachment
    /// `has:unextracted`: an attachment whose text is not in the index (unsupported, encrypted,
    /// too large, timed out, broken, or the tool missing).
    case hasUnextracted
    /// `direction:` of at least one delivery of the message.
    case direction(DeliveryDirection)
    /// `source:` of at least one delivery (compared ignoring case; a trailing `*` makes it a prefix).
    case source(String, prefix: Bool)
    /// `auth:METHOD=RESULT`: a delivery whose sender authentication at the MX listener gave that
    /// result (for DKIM: any of its signatures did).
    case authentication(AuthenticationMethod, String)
}

/// The methods of `auth:`, with the results RFC 8601 §2.7 lets each report.
public enum AuthenticationMethod: String, Hashable, Sendable, CaseIterable {
    case spf, dkim, dmarc

    public var results: Set<String> {
        switch self {
        case .spf: ["none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"]  // §2.7.2
        case .dkim: ["none", "pass", "fail", "policy", "neutral", "temperror", "permerror"]  // §2.7.1
        case .dmarc: ["none", "pass", "fail", "temperror", "permerror"]  // RFC 7489 §11.2
        }
    }
}

/// Text that is searched through the full-text index.
public enum TextField: String, Hashable, Sendable, CaseIterable {
    /// A free word: subject, addresses and names, body text, attachment names, attachment text.
    case any
    /// `subject:`; `body:` (body text and attachment text); `attachment:` (attachment names).
    case subject, body, attachment
    /// `in:attachment:word`: the text of attachment documents only.
    case attachmentText
}

/// The address roles a query can name.
public enum AddressField: String, Hashable, Sendable, CaseIterable {
    /// The From header.
    case from
    /// The To header.
    case to
    /// The Cc header.
    case cc
    /// Blind recipients: envelope recipients that are not in To or Cc, and any Bcc header.
    case bcc
    /// Anyone: From, Sender, Reply-To, To, Cc, Bcc, the envelope sender and envelope recipients.
    case participant
}

/// How an address field's value is matched.
public enum AddressPattern: Hashable, Sendable {
    /// No `@`: a word or phrase in the addresses and display names of that role (`from:alice`).
    case words(String, prefix: Bool)
    /// A whole address, case- and diacritic-folded (`from:alice@example.com`).
    case exact(String)
    /// The start of an address (`from:alice@exa*`).
    case addressPrefix(String)
    /// `@domain`: the address's domain is this domain or a subdomain (`from:@example.com`).
    case domain(String)
}

public enum DateComparison: String, Hashable, Sendable {
    /// `after:P` — on or after the first instant of P (P itself is included).
    case after
    /// `before:P` — before the first instant of P (P itself is excluded).
    case before
    /// `on:P` — within P: the day, month or year.
    case on
}

public enum SizeComparison: String, Hashable, Sendable {
    case larger, smaller
}

/// The direction values of `direction:`; `in`/`out` are accepted as `inbound`/`outbound`.
public enum DeliveryDirection: String, Hashable, Sendable, CaseIterable {
    case inbound, outbound, `internal`, imported
}
