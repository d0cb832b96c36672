import Testing
@testable import IMAPServer

/// LSUB and LIST (SUBSCRIBED …) over subscriptions, from RFC 3501 §6.3.9 and RFC 5258 §3.
@Suite struct IMAPMailboxListingTests {
    /// m/a (subscribed), m/b (exists), m/b/c (subscribed), m/d/e (subscribed, "m/d" only a
    /// level), m/gone (subscribed, deleted), m/f and m/f/f, m/f/g (both subscribed).
    static let listing = IMAPMailboxListing(mailboxes: [
        IMAPMailboxInfo(name: mailbox("INBOX"), subscribed: true),
        IMAPMailboxInfo(name: mailbox("m"), subscribed: false),
        IMAPMailboxInfo(name: mailbox("m/a"), subscribed: true),
        IMAPMailboxInfo(name: mailbox("m/b")),
        IMAPMailboxInfo(name: mailbox("m/b/c"), subscribed: true),
        IMAPMailboxInfo(name: mailbox("m/d/e"), subscribed: true),
        IMAPMailboxInfo(name: mailbox("m/gone"), subscribed: true, exists: false),
        IMAPMailboxInfo(name: mailbox("m/f")),
        IMAPMailboxInfo(name: mailbox("m/f/f"), subscribed: true),
        IMAPMailboxInfo(name: mailbox("m/f/g"), subscribed: true),
    ])

    static func rendered(_ items: [IMAPListItem]) -> [String] {
        items.map { item in
            let info = item.childInfo.isEmpty ? "" : " CHILDINFO(\(item.childInfo.joined(separator: " ")))"
            return "(\(item.attributes.joined(separator: " "))) \(item.name.name)\(info)"
        }
    }

    static func lsub(_ pattern: String) -> [String] {
        rendered(listing.items(for: IMAPListCommand(reference: "", patterns: [pattern]), lsub: true))
    }

    static func list(_ selection: [IMAPListCommand.SelectionOption], _ patterns: [String],
                     returning: [IMAPListCommand.ReturnOption] = []) -> [String] {
        rendered(listing.items(for: IMAPListCommand(selectionOptions: selection, reference: "", patterns: patterns,
                                                    returnOptions: returning), lsub: false))
    }

    @Test(arguments: [
        // RFC 3501 §6.3.9: "foo/bar" subscribed, "foo" not: "%" returns foo with \Noselect,
        // whether foo exists (m/b) or is only a level (m/d); subscribed names never get it.
        ("m/%", ["() m/a", "(\\Noselect) m/b", "(\\Noselect) m/d", "(\\Noselect) m/f", "() m/gone"]),
        // "*" reaches the subscribed names themselves; a deleted one stays subscribed (§6.3.6).
        ("m/*", ["() m/a", "() m/b/c", "() m/d/e", "() m/f/f", "() m/f/g", "() m/gone"]),
        ("*c", ["() m/b/c"]),
        ("%", ["() INBOX", "(\\Noselect) m"]),
    ])
    func lsubFollowsRFC3501(pattern: String, expected: [String]) {
        #expect(Self.lsub(pattern) == expected)
    }

    @Test func listSubscribedMarksDeletedMailboxesNonExistent() {
        // RFC 5258 §3.4: \NonExistent for a subscribed name without a mailbox; §3.1 SUBSCRIBED
        // selects only subscribed names and implies the \Subscribed attribute.
        #expect(Self.list([.subscribed], ["m/*"]) == [
            "(\\HasNoChildren \\Subscribed) m/a", "(\\HasNoChildren \\Subscribed) m/b/c",
            "(\\HasNoChildren \\Subscribed) m/d/e", "(\\HasNoChildren \\Subscribed) m/f/f",
            "(\\HasNoChildren \\Subscribed) m/f/g", "(\\NonExistent \\Subscribed) m/gone",
        ])
    }

    @Test func recursiveMatchAnswersParentsWithChildInfo() {
        // RFC 5258 §3.5: a parent that does not meet SUBSCRIBED but has a subscribed child the
        // pattern does not reach gets CHILDINFO ("SUBSCRIBED").
        #expect(Self.list([.subscribed, .recursiveMatch], ["m/b%"], returning: [.children])
            == ["(\\HasChildren) m/b CHILDINFO(SUBSCRIBED)"])
        #expect(Self.list([.subscribed, .recursiveMatch], ["m/b"]) == ["(\\HasChildren) m/b CHILDINFO(SUBSCRIBED)"])
        // The child matched a pattern too: it is answered itself and the parent is not.
        #expect(Self.list([.subscribed, .recursiveMatch], ["m/b", "m/b/c"]) == ["(\\HasNoChildren \\Subscribed) m/b/c"])
        // m/f/f matches "*f" but m/f/g does not: m/f is answered for m/f/g.
        #expect(Self.list([.subscribed, .recursiveMatch], ["*f"]) == [
            "(\\HasChildren) m/f CHILDINFO(SUBSCRIBED)", "(\\HasNoChildren \\Subscribed) m/f/f",
        ])
        // A level without a mailbox is answered as such.
        #expect(Self.list([.subscribed, .recursiveMatch], ["m/%"]) == [
            "(\\HasNoChildren \\Subscribed) m/a", "(\\HasChildren) m/b CHILDINFO(SUBSCRIBED)",
            "(\\Noselect \\HasChildren) m/d CHILDINFO(SUBSCRIBED)", "(\\HasChildren) m/f CHILDINFO(SUBSCRIBED)",
            "(\\NonExistent \\Subscribed) m/gone",
        ])
        // Without RECURSIVEMATCH, no CHILDINFO and no parents.
        #expect(Self.list([.subscribed], ["m/%"]) == [
            "(\\HasNoChildren \\Subscribed) m/a", "(\\NonExistent \\Subscribed) m/gone",
        ])
    }

    @Test func plainListIgnoresSubscriptionsWithoutMailboxes() {
        #expect(Self.list([], ["m/%"]) == [
            "(\\HasNoChildren) m/a", "(\\HasChildren) m/b", "(\\Noselect \\HasChildren) m/d", "(\\HasChildren) m/f",
        ])
        #expect(Self.list([], ["m/%"], returning: [.subscribed]) == [
            "(\\HasNoChildren \\Subscribed) m/a", "(\\HasChildren) m/b", "(\\Noselect \\HasChildren) m/d",
            "(\\HasChildren) m/f",
        ])
    }
}
