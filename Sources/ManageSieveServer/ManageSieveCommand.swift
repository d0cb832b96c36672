/// The ManageSieve commands this server knows (RFC 5804 §2).
public enum ManageSieveCommand: Hashable, Sendable {
    /// §2.1: `AUTHENTICATE auth-type [initial-response]`; the mechanism name upper-cased.
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    /// §2.2: `STARTTLS`.
    case startTLS
    /// §2.3: `LOGOUT`.
    case logout
    /// §2.4: `CAPABILITY`.
    case capability
    /// §2.5: `HAVESPACE name size`.
    case haveSpace(name: String, size: Int)
    /// §2.6: `PUTSCRIPT name script`.
    case putScript(name: String, script: String)
    /// §2.7: `LISTSCRIPTS`.
    case listScripts
    /// §2.8: `SETACTIVE name`; nil for `SETACTIVE ""` (deactivate).
    case setActive(name: String?)
    /// §2.9: `GETSCRIPT name`.
    case getScript(name: String)
    /// §2.10: `DELETESCRIPT name`.
    case deleteScript(name: String)
    /// §2.11: `RENAMESCRIPT old new`.
    case renameScript(name: String, newName: String)
    /// §2.12: `CHECKSCRIPT script`.
    case checkScript(script: String)
    /// §2.13: `NOOP [tag]`; the tag is echoed in the TAG response code.
    case noop(tag: [UInt8]?)
    /// §2.14.1: `UNAUTHENTICATE`.
    case unauthenticate

    /// The command name, for logs (never the arguments: scripts and credentials).
    public var name: String {
        switch self {
        case .authenticate: "AUTHENTICATE"
        case .startTLS: "STARTTLS"
        case .logout: "LOGOUT"
        case .capability: "CAPABILITY"
        case .haveSpace: "HAVESPACE"
        case .putScript: "PUTSCRIPT"
        case .listScripts: "LISTSCRIPTS"
        case .setActive: "SETACTIVE"
        case .getScript: "GETSCRIPT"
        case .deleteScript: "DELETESCRIPT"
        case .renameScript: "RENAMESCRIPT"
        case .checkScript: "CHECKSCRIPT"
        case .noop: "NOOP"
        case .unauthenticate: "UNAUTHENTICATE"
        }
    }
}

/// Why a command was not understood; each is answered with NO (or, where said, BYE).
public enum ManageSieveSyntaxError: Error, Hashable, Sendable {
    /// An empty line.
    case emptyCommand
    case unknownCommand
    /// The command is known, its arguments are not right; the text says what is expected.
    case badArguments(String)
    /// A script name that RFC 5804 §1.6 forbids; the text says why.
    case badScriptName(String)
    /// The command could not be framed.
    case framing(ManageSieveFramingError)
}
