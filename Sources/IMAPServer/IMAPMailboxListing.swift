/// LIST and LSUB over the user's mailboxes (RFC 3501 §6.3.8, §6.3.9; RFC 5258 selection and
/// return options; RFC 6154 special use; RFC 3348 \HasChildren/\HasNoChildren).
///
/// Patterns: `*` matches any characters, `%` any except the delimiter "/". The reference is put
/// in front of the pattern (RFC 3501 §6.3.8 leaves the combination to the server; this is what
/// Dovecot does). "INBOX" at the start of a pattern matches case-insensitively (§5.1).
struct IMAPMailboxListing {
    let mailboxes: [MailboxName: IMAPMailboxInfo]
    /// Existing names and every ancestor of one.
    let allNames: Set<String>

    init(mailboxes: [IMAPMailboxInfo]) {
        var byName: [MailboxName: IMAPMailboxInfo] = [:]
        var names: Set<String> = []
        for info in mailboxes {
            byName[info.name] = info
            var name: MailboxName? = info.name
            while let current = name {
                names.insert(current.name)
                name = current.parent
            }
        }
        self.mailboxes = byName
        self.allNames = names
    }

    func items(for command: IMAPListCommand, lsub: Bool) -> [IMAPListItem] {
        let patterns = command.patterns.map { Self.canonical(command.reference + $0) }
        let subscribedOnly = lsub || command.selectionOptions.contains(.subscribed)
        let specialUseOnly = command.selectionOptions.contains(.specialUse)
        let returnSubscribed = command.returnOptions.contains(.subscribed) || command.selectionOptions.contains(.subscribed)
        var items: [IMAPListItem] = []
        for name in allNames.sorted(by: Self.listOrder) {
            let matching = patterns.filter { Self.matches(pattern: $0, name: name) }
            guard !matching.isEmpty, let mailboxName = try? MailboxName(name) else { continue }
            let hasChildren = allNames.contains { $0.hasPrefix(name + "/") }
            guard let info = mailboxes[mailboxName] else {
                // A level of hierarchy without a mailbox: shown only for a trailing "%" (§6.3.8).
                guard !subscribedOnly, !specialUseOnly, matching.contains(where: { $0.hasSuffix("%") }) else { continue }
                items.append(IMAPListItem(attributes: ["\\Noselect", "\\HasChildren"], name: mailboxName))
                continue
            }
            if subscribedOnly, !info.subscribed { continue }
            if specialUseOnly, info.specialUse.isEmpty { continue }
            var attributes: [String] = []
            if !lsub {
                attributes.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
                attributes += info.specialUse
                if returnSubscribed, info.subscribed { attributes.append("\\Subscribed") }
            }
            items.append(IMAPListItem(attributes: attributes, name: mailboxName))
        }
        return items
    }

    /// INBOX first, then by name.
    static func listOrder(_ a: String, _ b: String) -> Bool {
        if (a == "INBOX") != (b == "INBOX") { return a == "INBOX" }
        return a < b
    }

    /// Upper-cases a leading "inbox" (RFC 3501 §5.1: INBOX is case-insensitive).
    static func canonical(_ pattern: String) -> String {
        let scalars = Array(pattern.unicodeScalars)
        guard scalars.count >= 5, String(String.UnicodeScalarView(scalars[0..<5])).uppercased() == "INBOX",
            scalars.count == 5 || scalars[5] == "/"
        else { return pattern }
        return "INBOX" + String(String.UnicodeScalarView(scalars[5...]))
    }

    /// Wildcard matching by dynamic programming over Unicode scalars (no backtracking blow-up).
    static func matches(pattern: String, name: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let n = Array(name.unicodeScalars)
        // reachable[j]: the pattern prefix read so far matches n[0..<j].
        var reachable = [Bool](repeating: false, count: n.count + 1)
        reachable[0] = true
        for symbol in p {
            var next = [Bool](repeating: false, count: n.count + 1)
            switch symbol {
            case "*", "%":
                var open = false
                for j in 0...n.count {
                    if reachable[j] { open = true }
                    next[j] = open
                    if j < n.count, symbol == "%", n[j] == "/" { open = false }
                }
            default:
                for j in 0..<n.count where reachable[j] && n[j] == symbol { next[j + 1] = true }
            }
            reachable = next
        }
        return reachable[n.count]
    }
}
