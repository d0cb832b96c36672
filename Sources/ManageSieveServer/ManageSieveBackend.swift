import ServerKit

/// A user's script as LISTSCRIPTS shows it (RFC 5804 §2.7).
public struct ManageSieveScriptInfo: Sendable, Hashable {
    public var name: String
    public var active: Bool

    public init(name: String, active: Bool) {
        self.name = name
        self.active = active
    }
}

/// Why a script operation was refused, mapped to the response codes of RFC 5804 §1.3.
public enum ManageSieveFailure: Error, Sendable, Hashable {
    /// NONEXISTENT: no script of that name.
    case nonexistent
    /// ACTIVE: DELETESCRIPT of the active script.
    case active
    /// ALREADYEXISTS: RENAMESCRIPT to a name in use.
    case alreadyExists
    /// QUOTA/MAXSCRIPTS or QUOTA/MAXSIZE.
    case quotaExceeded(String)
    /// The script does not compile: the `line:column: message` text for the client.
    case invalidScript(String)
    /// A bad script name (RFC 5804 §1.6): control characters, empty, too long.
    case badName(String)
    /// TRYLATER: storage unavailable right now.
    case tryLater
}

/// What the backend may know about the session asking it.
public typealias ManageSieveSessionInfo = ClientSessionInfo

/// Where the ManageSieve server keeps users' scripts and checks passwords. `MailServer`
/// implements it over `MailStore` (scripts in the catalog, compiled by `Sieve`); the protocol
/// server never sees storage or the Sieve language.
public protocol ManageSieveBackend: Sendable {
    /// SASL PLAIN credentials; the canonical user, or nil. The backend is slow on failure.
    func authenticate(username: String, password: String, session: ManageSieveSessionInfo) async -> String?
    /// The Sieve extensions for the SIEVE capability (RFC 5804 §1.7), space-separated by the server.
    var sieveExtensions: [String] { get }
    func listScripts(of user: String) async throws(ManageSieveFailure) -> [ManageSieveScriptInfo]
    func getScript(_ name: String, of user: String) async throws(ManageSieveFailure) -> String
    /// Compiles, then stores (replacing a script of that name; the active one stays active).
    func putScript(_ name: String, source: String, of user: String) async throws(ManageSieveFailure)
    /// Compiles and checks without storing (CHECKSCRIPT, RFC 5804 §2.12); `user`'s stored scripts
    /// are what the script's includes may name.
    func checkScript(_ source: String, of user: String) async throws(ManageSieveFailure)
    func deleteScript(_ name: String, of user: String) async throws(ManageSieveFailure)
    func renameScript(_ name: String, to newName: String, of user: String) async throws(ManageSieveFailure)
    /// Makes `name` the active script; nil deactivates (SETACTIVE "").
    func setActive(_ name: String?, of user: String) async throws(ManageSieveFailure)
    /// HAVESPACE (RFC 5804 §2.5): throws `.quotaExceeded` when a script of `size` octets would not fit.
    func haveSpace(for name: String, size: Int, of user: String) async throws(ManageSieveFailure)
}
