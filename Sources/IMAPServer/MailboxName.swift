/// A mailbox name as the server stores it: Unicode, "/" as the hierarchy delimiter, INBOX in
/// upper case, and checked against the name policy (no path traversal, no control characters,
/// no empty components), so that it is safe to use as a key or a path component.
///
/// On the wire it is modified UTF-7 (RFC 3501 §5.1.3), or UTF-8 once the client has enabled
/// UTF8=ACCEPT (RFC 6855 §3).
public struct MailboxName: Hashable, Sendable, CustomStringConvertible {
    /// The hierarchy delimiter announced in LIST responses.
    public static let delimiter: Character = "/"
    public static let inbox = MailboxName(uncheckedName: "INBOX")
    /// The empty name: only for the answer to `LIST "" ""`, which reports the hierarchy
    /// delimiter and the root (RFC 3501 §6.3.8); never a mailbox.
    public static let hierarchyRoot = MailboxName(uncheckedName: "")

    /// The Unicode name.
    public let name: String

    private init(uncheckedName: String) { self.name = uncheckedName }

    /// Checks a Unicode name against the policy. "INBOX" in any case, also as the first
    /// component, becomes "INBOX" (RFC 3501 §5.1: INBOX is case-insensitive). One trailing
    /// delimiter is dropped: RFC 3501 §6.3.3 lets CREATE "foo/" announce a parent.
    public init(_ name: String) throws(MailboxNameError) {
        var components = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, components.last == "" { components.removeLast() }
        guard !name.isEmpty else { throw .empty }
        guard name.utf8.count <= 1000 else { throw .tooLong }
        for component in components {
            guard !component.isEmpty else { throw .emptyComponent }
            guard component != ".", component != ".." else { throw .traversal }
            for scalar in component.unicodeScalars {
                // C0 controls, DEL and C1 controls (which include NUL).
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { throw .controlCharacter }
            }
        }
        if components[0].uppercased() == "INBOX" { components[0] = "INBOX" }
        self.name = components.joined(separator: "/")
    }

    /// Decodes a name as sent by the client (the astring's bytes) and checks it.
    public init(wire: some Collection<UInt8>, utf8Enabled: Bool) throws(MailboxNameError) {
        let text: String
        if utf8Enabled {
            guard let decoded = String(validating: Array(wire), as: UTF8.self) else { throw .invalidUTF8 }
            text = decoded
        } else {
            do {
                text = try ModifiedUTF7.decode(wire)
            } catch {
                throw .invalidModifiedUTF7(error)
            }
        }
        try self.init(text)
    }

    /// The name as sent to the client.
    public func wire(utf8Enabled: Bool) -> [UInt8] {
        utf8Enabled ? Array(name.utf8) : ModifiedUTF7.encode(name)
    }

    public var isInbox: Bool { name == "INBOX" }

    /// The components of the hierarchy, "a/b/c" → ["a", "b", "c"].
    public var components: [Substring] { name.split(separator: "/", omittingEmptySubsequences: false) }

    /// The parent in the hierarchy, nil for a top-level name.
    public var parent: MailboxName? {
        guard let slash = name.lastIndex(of: "/") else { return nil }
        return MailboxName(uncheckedName: String(name[..<slash]))
    }

    /// Whether `self` lies strictly below `ancestor` ("a/b" is below "a", "ab" is not).
    public func isDescendant(of ancestor: MailboxName) -> Bool {
        name.hasPrefix(ancestor.name + "/")
    }

    public var description: String { name }
}

/// Why a mailbox name was refused.
public enum MailboxNameError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case tooLong
    /// "a//b", "/a": a component without characters.
    case emptyComponent
    /// "." or ".." as a component.
    case traversal
    case controlCharacter
    case invalidUTF8
    case invalidModifiedUTF7(ModifiedUTF7.DecodingError)

    /// Bytes that are not UTF-8 where UTF-8 was enabled are a syntax error (BAD, RFC 6855 §3).
    /// Everything else is refused with NO [CANNOT]: a name that is not valid modified UTF-7 is
    /// still a well-formed astring (RFC 3501 §9), and RFC 3501 §5.1.3 only says such names must
    /// not be used, so the command fails as for any name the server cannot have (as Dovecot
    /// answers it) and the session goes on.
    public var isSyntax: Bool {
        switch self {
        case .invalidUTF8: true
        case .invalidModifiedUTF7, .empty, .tooLong, .emptyComponent, .traversal, .controlCharacter: false
        }
    }

    public var description: String {
        switch self {
        case .empty: "empty mailbox name"
        case .tooLong: "mailbox name too long"
        case .emptyComponent: "mailbox name has an empty hierarchy component"
        case .traversal: "mailbox name components \".\" and \"..\" are not allowed"
        case .controlCharacter: "control characters are not allowed in mailbox names"
        case .invalidUTF8: "mailbox name is not valid UTF-8"
        case .invalidModifiedUTF7(let error): error.description
        }
    }
}
