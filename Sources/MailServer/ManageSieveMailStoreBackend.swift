import Logging
import MailStore
import ManageSieveServer
import ServerKit
import Sieve

/// The ManageSieve listener's view of storage: `ManageSieveBackend` over `MailStore`'s script API
/// (scripts in the catalog, compiled with the Sieve module before they are stored, every change
/// audited with the user as actor). Quotas (RFC 5804 §1.3 QUOTA/MAXSCRIPTS, QUOTA/MAXSIZE) come
/// from `[managesieve]`.
struct ManageSieveMailStoreBackend: ManageSieveBackend {
    let store: MailStore
    let logger: Logger
    let maximumScripts: Int
    let maximumScriptSize: Int
    /// Where logins are counted (`[metrics]`).
    var metrics: ServerMetrics?

    init(store: MailStore, maximumScripts: Int, maximumScriptSize: Int, logger: Logger) {
        self.store = store
        self.maximumScripts = maximumScripts
        self.maximumScriptSize = maximumScriptSize
        self.logger = logger
    }

    /// A wrong password is answered after the store's throttle delay, as for SMTP AUTH and POP3
    /// (failures count per client IP across protocols).
    func authenticate(username: String, password: String, session: ManageSieveSessionInfo) async -> String? {
        let user = await store.accounts.authenticate(username, password: password, client: session.clientAddress,
                                                     protocolName: "managesieve")
        metrics?.login(protocol: "managesieve", succeeded: user != nil)
        return user
    }

    var sieveExtensions: [String] { SieveScript.supportedExtensions }

    func listScripts(of user: String) async throws(ManageSieveFailure) -> [ManageSieveScriptInfo] {
        try await mapped(user: user) {
            try await store.rules.scripts(of: user).map { ManageSieveScriptInfo(name: $0.name, active: $0.active) }
        }
    }

    func getScript(_ name: String, of user: String) async throws(ManageSieveFailure) -> String {
        let script = try await mapped(user: user) { try await store.rules.script(name, of: user) }
        guard let script else { throw .nonexistent }
        return script.source
    }

    /// Quotas first, then `SieveRules.put` (which compiles); the active script stays active.
    func putScript(_ name: String, source: String, of user: String) async throws(ManageSieveFailure) {
        try await haveSpace(for: name, size: source.utf8.count, of: user)
        try await mapped(user: user) {
            try await store.rules.put(name, source: source, of: user, activate: false, by: .user(user, client: SessionContext.clientAddress))
        }
    }

    /// Compiles, and checks the script's includes against the user's stored scripts (RFC 6609 §3.2).
    func checkScript(_ source: String, of user: String) async throws(ManageSieveFailure) {
        try await mapped(user: user) { try await store.rules.check(source: source, of: user) }
    }

    func deleteScript(_ name: String, of user: String) async throws(ManageSieveFailure) {
        try await mapped(user: user) { try await store.rules.delete(name, of: user, by: .user(user, client: SessionContext.clientAddress)) }
    }

    func renameScript(_ name: String, to newName: String, of user: String) async throws(ManageSieveFailure) {
        try await mapped(user: user) { try await store.rules.rename(name, to: newName, of: user, by: .user(user, client: SessionContext.clientAddress)) }
    }

    func setActive(_ name: String?, of user: String) async throws(ManageSieveFailure) {
        try await mapped(user: user) { try await store.rules.activate(name, of: user, by: .user(user, client: SessionContext.clientAddress)) }
    }

    /// RFC 5804 §2.3: would a script of `size` octets named `name` fit? Replacing a script does not
    /// add one to the count.
    func haveSpace(for name: String, size: Int, of user: String) async throws(ManageSieveFailure) {
        guard size <= maximumScriptSize else { throw .quotaExceeded("MAXSIZE") }
        let names = try await mapped(user: user) { try await store.rules.scripts(of: user).map(\.name) }
        if !names.contains(name) && names.count >= maximumScripts { throw .quotaExceeded("MAXSCRIPTS") }
    }

    /// Runs a store call and maps its errors to the protocol's (RFC 5804 §1.3); storage failures are
    /// logged and become TRYLATER.
    private func mapped<T>(user: String, _ body: () async throws -> T) async throws(ManageSieveFailure) -> T {
        do {
            return try await body()
        } catch let error as SieveError {
            throw .invalidScript(error.description)
        } catch let error as SieveScriptStoreError {
            switch error {
            case .nonexistent: throw .nonexistent
            case .active: throw .active
            case .alreadyExists: throw .alreadyExists
            case .invalidName: throw .badName(error.description)
            case .invalidScript(let message): throw .invalidScript(message)
            case .storage(let failure):
                logger.error("managesieve: script storage failed", metadata: ["user": "\(user)", "error": "\(failure)"])
                throw .tryLater
            case .unknownUser:
                logger.error("managesieve: authenticated user has no account", metadata: ["user": "\(user)"])
                throw .tryLater
            }
        } catch {
            logger.error("managesieve: script storage failed", metadata: ["user": "\(user)", "error": "\(error)"])
            throw .tryLater
        }
    }
}
