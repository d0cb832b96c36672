/// What one user's flags and long commands may cost everyone else. Without bounds, one session's
/// STORE of thousands of new keywords grows every row it touches and the FLAGS list every SELECT
/// sends, while holding the catalog's only writer, so every delivery waits behind it. Over a
/// limit, a command is answered NO [LIMIT] (RFC 5530 §3).
public enum MailboxLimits {
    /// Octets in one keyword (Dovecot's default `mail_max_keyword_length` is 50).
    public static let keywordLength = 64
    /// Distinct keywords (without regard to case) one mailbox may hold.
    public static let keywordsPerMailbox = 256
    /// Messages one catalog transaction of a STORE or an EXPUNGE changes: a long command commits in
    /// batches of this size, so a delivery waits behind one batch at most.
    public static let messagesPerTransaction = 500
}
