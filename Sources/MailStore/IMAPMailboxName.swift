import Catalog
import StoreModel

/// Mailbox names as IMAP clients give them, checked and brought into their stored form before
/// anything reaches the catalog.
public enum IMAPMailboxName {
    /// The hierarchy separator (RFC 3501 §5.1.1), as LIST reports it.
    public static let separator: Character = "/"

    /// The longest name accepted, in UTF-8 octets.
    public static let maximumLength = 255

    /// The stored form of `name`, or `MailboxError.invalidName`. RFC 3501 §5.1: INBOX is
    /// case-insensitive, so "inbox" and "Inbox/Later" become "INBOX" and "INBOX/Later"; other names
    /// are case-sensitive and kept as given. Refused: the empty name; NUL and other control characters
    /// (C0, DEL, C1, U+2028/U+2029); the LIST wildcards `*` and `%` (RFC 3501 §6.3.8), which could
    /// never be listed on their own; an empty level (a leading, trailing or doubled "/"); levels
    /// "." and ".." (they mean something else on every file system and to many clients); more than
    /// `maximumLength` octets. The session decodes modified UTF-7 (RFC 3501 §5.1.3) before this.
    public static func validate(_ name: String) throws(MailboxError) -> String {
        guard !name.isEmpty, name.utf8.count <= maximumLength else { throw .invalidName(name) }
        for scalar in name.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || scalar == "*" || scalar == "%"
            {
                throw .invalidName(name)
            }
        }
        let levels = name.split(separator: separator, omittingEmptySubsequences: false)
        guard levels.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { throw .invalidName(name) }
        if levels[0].uppercased() == "INBOX" {
            return (["INBOX"] + levels.dropFirst().map(String.init)).joined(separator: String(separator))
        }
        return name
    }

    /// The SPECIAL-USE attributes of RFC 6154 §2 a CREATE may ask for (RFC 6154 §3), in their
    /// canonical spelling, keyed by their lower-case form.
    static let specialUses: [String: String] = Dictionary(
        uniqueKeysWithValues: ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"].map {
            ($0.lowercased(), $0)
        })
}
