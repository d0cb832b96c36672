/// The flags of one placed message (RFC 3501 §2.3.2, RFC 9051 §2.3.2): the system flags as a bit
/// mask, so that SQL tests `\Deleted` or `\Seen` with one `&`, and keywords as atoms. Flags are
/// case-insensitive: a keyword is kept in the case it was first given and matched without case.
public struct MessageFlags: Sendable, Hashable {
    /// The system flags a client may set. `\Recent` (RFC 3501) is the server's alone and is never
    /// stored; RFC 9051 drops it.
    public struct System: OptionSet, Sendable, Hashable {
        public let rawValue: Int64
        public init(rawValue: Int64) { self.rawValue = rawValue }

        public static let seen = System(rawValue: 1)
        public static let answered = System(rawValue: 2)
        public static let flagged = System(rawValue: 4)
        public static let deleted = System(rawValue: 8)
        public static let draft = System(rawValue: 16)

        /// In the order `names` lists them, with their canonical spelling.
        static let named: [(System, String)] = [
            (.seen, "\\Seen"), (.answered, "\\Answered"), (.flagged, "\\Flagged"), (.deleted, "\\Deleted"),
            (.draft, "\\Draft"),
        ]
    }

    public var system: System
    /// Keywords (RFC 3501 §2.3.2: atoms), unique without regard to case, in the order first given.
    public private(set) var keywords: [String]

    public init(system: System = [], keywords: [String] = []) {
        self.system = system
        self.keywords = []
        for keyword in keywords { insert(keyword: keyword) }
    }

    /// Flags as a client names them (`\Seen`, `$Forwarded`). `\Recent` is ignored; an unknown
    /// system flag or a keyword that is no atom (RFC 3501 §9 `flag-keyword = atom`) throws
    /// `MailboxError.invalidFlag`.
    public init(parsing flags: [String]) throws(MailboxError) {
        self.init()
        for flag in flags {
            if flag.hasPrefix("\\") {
                if flag.lowercased() == "\\recent" { continue }
                guard let bit = Self.systemFlag(flag) else { throw .invalidFlag(flag) }
                system.insert(bit)
            } else {
                guard Self.isAtom(flag) else { throw .invalidFlag(flag) }
                guard flag.utf8.count <= MailboxLimits.keywordLength else {
                    throw .limit("keyword longer than \(MailboxLimits.keywordLength) characters")
                }
                insert(keyword: flag)
                guard keywords.count <= MailboxLimits.keywordsPerMailbox else {
                    throw .limit("more than \(MailboxLimits.keywordsPerMailbox) keywords")
                }
            }
        }
    }

    /// Flags read back from storage or handed over by Sieve: what is invalid is dropped, never fatal.
    package init(stored flags: [String]) {
        self.init()
        for flag in flags {
            if flag.hasPrefix("\\") {
                if let bit = Self.systemFlag(flag) { system.insert(bit) }
            } else if Self.isAtom(flag) {
                insert(keyword: flag)
            }
        }
    }

    /// From the two `mailbox_message` columns.
    package init(systemBits: Int64, storedKeywords: String) {
        system = System(rawValue: systemBits)
        keywords = storedKeywords.split(separator: " ").map(String.init)
    }

    /// Every flag, system flags first (canonical spelling), then keywords.
    public var names: [String] {
        System.named.compactMap { system.contains($0.0) ? $0.1 : nil } + keywords
    }

    public func contains(keyword: String) -> Bool {
        let folded = keyword.lowercased()
        return keywords.contains { $0.lowercased() == folded }
    }

    /// `+FLAGS` (RFC 3501 §6.4.6).
    public mutating func formUnion(_ other: MessageFlags) {
        system.formUnion(other.system)
        for keyword in other.keywords { insert(keyword: keyword) }
    }

    /// `-FLAGS` (RFC 3501 §6.4.6).
    public mutating func subtract(_ other: MessageFlags) {
        system.subtract(other.system)
        keywords.removeAll { other.contains(keyword: $0) }
    }

    /// Equal as flag sets: same system flags, same keywords regardless of case and order.
    public func isSameSet(as other: MessageFlags) -> Bool {
        system == other.system && keywords.count == other.keywords.count
            && keywords.allSatisfy { other.contains(keyword: $0) }
    }

    /// The `keywords` column.
    package var storedKeywords: String { keywords.joined(separator: " ") }

    private mutating func insert(keyword: String) {
        if !contains(keyword: keyword) { keywords.append(keyword) }
    }

    private static func systemFlag(_ name: String) -> System? {
        let folded = name.lowercased()
        return System.named.first { $0.1.lowercased() == folded }?.0
    }

    /// RFC 3501 §9: `atom = 1*ATOM-CHAR`: printable ASCII without `( ) { SP % * " \ ]`.
    static func isAtom(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 255 else { return false }
        return text.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"(){%*\"\\]".utf8.contains(byte)
        }
    }
}
