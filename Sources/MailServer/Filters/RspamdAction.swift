/// The action rspamd recommends for a message (the `action` of its `/checkv2` reply), as its
/// protocol page (https://rspamd.com/doc/developers/protocol.html) and actions page name them.
enum RspamdAction: Sendable, Hashable {
    case noAction
    case greylist
    case addHeader
    case rewriteSubject
    case softReject
    case reject
    /// An action this client does not know (a newer rspamd's, or `discard`/`quarantine` of a
    /// custom configuration): treated as no verdict.
    case other(String)

    /// The action as rspamd writes it.
    var text: String {
        switch self {
        case .noAction: "no action"
        case .greylist: "greylist"
        case .addHeader: "add header"
        case .rewriteSubject: "rewrite subject"
        case .softReject: "soft reject"
        case .reject: "reject"
        case .other(let text): text
        }
    }

    init(_ text: String) {
        switch text {
        case "no action": self = .noAction
        case "greylist": self = .greylist
        case "add header": self = .addHeader
        case "rewrite subject": self = .rewriteSubject
        case "soft reject": self = .softReject
        case "reject": self = .reject
        default: self = .other(text)
        }
    }
}
