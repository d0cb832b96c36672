/// Why a command was refused, carried to the wire in exactly one place (`IMAPResponse(_:)`).
///
/// RFC 3501 §7.1.3: a command with a syntax error gets a tagged BAD, or an untagged one when
/// the tag itself could not be read. Refusals that are not about syntax (a literal too large to
/// accept, a mailbox name the policy forbids) are tagged NO with a response code.
public struct IMAPCommandError: Error, Hashable, Sendable {
    public enum Status: Hashable, Sendable { case bad, no }

    /// The command's tag, when it was readable; nil gives an untagged `* BAD`.
    public var tag: String?
    public var status: Status
    public var code: IMAPResponseCode?
    /// Human-readable, for the response text.
    public var text: String
    /// The connection cannot go on (a non-synchronizing literal that will not be accepted is
    /// already on its way): send the response, then close.
    public var closesConnection: Bool

    public init(
        tag: String?, status: Status = .bad, code: IMAPResponseCode? = nil, text: String,
        closesConnection: Bool = false
    ) {
        self.tag = tag
        self.status = status
        self.code = code
        self.text = text
        self.closesConnection = closesConnection
    }
}

/// A grammar error inside one command: its text, and optionally a status and code other than
/// plain BAD. Becomes an `IMAPCommandError` once the tag is attached.
struct IMAPSyntaxError: Error {
    var text: String
    var status: IMAPCommandError.Status = .bad
    var code: IMAPResponseCode? = nil

    init(_ text: String, status: IMAPCommandError.Status = .bad, code: IMAPResponseCode? = nil) {
        self.text = text
        self.status = status
        self.code = code
    }
}
