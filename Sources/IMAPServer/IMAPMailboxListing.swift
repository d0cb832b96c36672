/// LIST and LSUB over the user's mailboxes (RFC 3501 §6.3.8, §6.3.9; RFC 5258 selection and
/// return options; RFC 6154 special use; RFC 3348 \HasChildren/\HasNoChildren).
///
/// Patterns: `*` matches any characters, `%` any except the delimiter "/". The reference is put
/// in front of the pattern (RFC 3501 §6.3.8 leaves the combination to the server; this is what
/// Dovecot does). "INBOX" at the start of a pattern matches case-insensitively (§5.1).
struct IMAPMailboxListing {
    /// The mailboxes that exist.
    let mailboxes: [MailboxName: IMAPMailboxInfo]
    /// Existing names and every ancestor of one.
    let allNames: Set<String>
    /// Subscribed names, whether or not the mailbox exists (RFC 3501 §6.3.6: a subscription
    /// outlives its mailbox).
    let subscribed: Set<String>

    init(mailboxes: [IMAPMailboxInfo]) {
        var byName: [MailboxName: IMAPMailboxInfo] = [:]
        var names: Set<String> = []
        var subscribed: Set<String> = []
        for info in mailboxes {
            if info.subscribed { subscribed.insert(info.name.name) }
            guard info.exists else { continue }
            byName[info.name] = info
            var name: MailboxName? = info.name
            while let current = name {
                names.insert(current.name)
                name = current.parent
            }
        }
        self.mailboxes = byName
        self.allNames = names
        self.subscribed = subscribed
    }

    func items(for command: IMAPListCommand, lsub: Bool) -> [IMAPListItem] {
        let patterns = command.patterns.map { Self.canonical(command.reference + $0) }
        if lsub { return lsubItems(patterns) }
        if command.selectionOptions.contains(.subscribed) { return subscribedItems(command, patterns) }
        let specialUseOnly = command.selectionOptions.contains(.specialUse)
        let returnSubscribed = command.returnOptions.contains(.subscribed)
        var items: [IMAPListItem] = []
        for name in allNames.sorted(by: Self.listOrder) {
            let matching = patterns.filter { Self.matches(pattern: $0, name: name) }
            guard !matching.isEmpty, let mailboxName = try? MailboxName(name) else { continue }
            guard let info = mailboxes[mailboxName] else {
                // A level of hierarchy without a mailbox: shown only for a trailing "%" (§6.3.8).
                guard !specialUseOnly, matching.contains(where: { $0.hasSuffix("%") }) else { continue }
                items.append(IMAPListItem(attributes: ["\\Noselect", "\\HasChildren"], name: mailboxName))
                continue
            }
            if specialUseOnly, info.specialUse.isEmpty { continue }
            var attributes = [hasChildren(name) ? "\\HasChildren" : "\\HasNoChildren"]
            attributes += info.specialUse
            if returnSubscribed, info.subscribed { attributes.append("\\Subscribed") }
            items.append(IMAPListItem(attributes: attributes, name: mailboxName))
        }
        return items
    }

    /// LSUB (RFC 3501 §6.3.9): the subscribed names that match, existing or not. A name that is
    /// not subscribed but lies above a subscribed one is answered with \Noselect when a "%"
    /// pattern stops at its level ("if \"foo/bar\" is subscribed but \"foo\" is not", `LSUB "" %`
    /// returns foo with \Noselect).
    func lsubItems(_ patterns: [String]) -> [IMAPListItem] {
        var attributes: [String: [String]] = [:]
        for name in subscribed {
            if patterns.contains(where: { Self.matches(pattern: $0, name: name) }) {
                attributes[name] = []
                continue
            }
            var ancestor = (try? MailboxName(name))?.parent
            while let level = ancestor {
                if !subscribed.contains(level.name), attributes[level.name] == nil,
                    patterns.contains(where: { $0.contains("%") && Self.matches(pattern: $0, name: level.name) })
                {
                    attributes[level.name] = ["\\Noselect"]
                }
                ancestor = level.parent
            }
        }
        return attributes.keys.sorted(by: Self.listOrder).compactMap { name in
            (try? MailboxName(name)).map { IMAPListItem(attributes: attributes[name]!, name: $0) }
        }
    }

    /// LIST (SUBSCRIBED …) (RFC 5258 §3.1): the subscribed names that match, each \Subscribed,
    /// and \NonExistent when its mailbox is gone (§3.4). With RECURSIVEMATCH, a matching name
    /// that is not selected itself but has a subscribed descendant no pattern matches is
    /// returned too, with CHILDINFO ("SUBSCRIBED") (§3.5); a descendant the patterns match is
    /// answered on its own, so it does not make its parent appear.
    func subscribedItems(_ command: IMAPListCommand, _ patterns: [String]) -> [IMAPListItem] {
        let recursive = command.selectionOptions.contains(.recursiveMatch)
        let specialUseOnly = command.selectionOptions.contains(.specialUse)
        var candidates = allNames.union(subscribed)
        if recursive {
            for name in subscribed {
                var ancestor = (try? MailboxName(name))?.parent
                while let level = ancestor {
                    candidates.insert(level.name)
                    ancestor = level.parent
                }
            }
        }
        func matched(_ name: String) -> Bool { patterns.contains { Self.matches(pattern: $0, name: name) } }
        var items: [IMAPListItem] = []
        for name in candidates.sorted(by: Self.listOrder) {
            guard matched(name), let mailboxName = try? MailboxName(name) else { continue }
            let info = mailboxes[mailboxName]
            let selected = subscribed.contains(name) && (!specialUseOnly || !(info?.specialUse.isEmpty ?? true))
            let childInfo = recursive && subscribed.contains { $0.hasPrefix(name + "/") && !matched($0) }
            guard selected || childInfo else { continue }
            var attributes: [String] = []
            if let info {
                attributes.append(hasChildren(name) ? "\\HasChildren" : "\\HasNoChildren")
                attributes += info.specialUse
            } else if !allNames.contains(name) {
                attributes.append("\\NonExistent")
            } else {
                attributes += ["\\Noselect", "\\HasChildren"]
            }
            if selected { attributes.append("\\Subscribed") }
            items.append(IMAPListItem(attributes: attributes, name: mailboxName, childInfo: childInfo ? ["SUBSCRIBED"] : []))
        }
        return items
    }

    private func hasChildren(_ name: String) -> Bool {
        allNames.contains { $0.hasPrefix(name + "/") }
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
