/// IMAP flag lists as imap4flags handles them (RFC 5232 §3): a variable holds one string of
/// flag names separated by spaces; any list of strings is read by splitting every string at
/// spaces. Flag names are case-insensitive (RFC 3501 §2.3.2), so a list never holds two names
/// that differ only in ASCII case; the first spelling is kept.
public enum SieveFlags {
    /// The flag names in `strings`, split at spaces, empty names dropped, duplicates removed.
    public static func parse(_ strings: [String]) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        for string in strings {
            for name in string.split(separator: " ", omittingEmptySubsequences: true) {
                let flag = String(name)
                if seen.insert(key(flag)).inserted { result.append(flag) }
            }
        }
        return result
    }

    /// `existing` followed by those of `added` it lacks (RFC 5232 §5 addflag).
    public static func adding(_ added: [String], to existing: [String]) -> [String] {
        parse(existing + added)
    }

    /// `existing` without any of `removed` (RFC 5232 §6 removeflag), compared case-insensitively.
    public static func removing(_ removed: [String], from existing: [String]) -> [String] {
        let removedKeys = Set(parse(removed).map(key))
        return parse(existing).filter { !removedKeys.contains(key($0)) }
    }

    /// The string form a variable holds: names joined by one space.
    public static func joined(_ flags: [String]) -> String {
        flags.joined(separator: " ")
    }

    /// ASCII case folding (IMAP atoms are ASCII).
    static func key(_ flag: String) -> String {
        String(decoding: flag.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
