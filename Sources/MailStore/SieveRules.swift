import Catalog
import Crypto
import MailMessage
import Sieve
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// Why a script operation was refused (RFC 5804 §1.3 response codes where there is one).
public enum SieveScriptStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownUser(String)
    /// NONEXISTENT: no script of that name.
    case nonexistent(String)
    /// ACTIVE: the active script cannot be deleted; deactivate it first.
    case active(String)
    /// ALREADYEXISTS: the new name is taken.
    case alreadyExists(String)
    /// RFC 5804 §1.6: a script name is 1 to 128 characters without control characters.
    case invalidName(String)
    /// The script does not compile (`line:column: message`).
    case invalidScript(String)
    /// The archive or the catalog failed.
    case storage(StorageFailure)

    public var description: String {
        switch self {
        case .unknownUser(let user): "no user \(user)"
        case .nonexistent(let name): "no script \"\(name)\""
        case .active(let name): "script \"\(name)\" is active; deactivate it first"
        case .alreadyExists(let name): "a script \"\(name)\" already exists"
        case .invalidName(let name):
            "invalid script name \"\(name)\" (1 to 128 characters, no control characters)"
        case .invalidScript(let message): message
        case .storage(let failure): failure.description
        }
    }
}

extension SieveScriptStoreError: StoreFailure {
    static func translating(_ error: any Error) -> SieveScriptStoreError? {
        (error as? SieveError).map { .invalidScript("\($0)") }
    }
}

/// Users' Sieve scripts (RFC 5228; managed over ManageSieve, RFC 5804, and `tresor rules`) and the
/// global script that runs before every user's. Each change is audited; delivery compiles the
/// scripts once per change (`SieveScriptCache`).
public struct SieveRules: StoreService {
    typealias Failure = SieveScriptStoreError
    let store: MailStore
}

extension SieveRules {
    /// RFC 5804 §1.6: names of up to 128 characters must be allowed; this is also the most accepted.
    public static let maximumSieveScriptNameLength = 128

    /// A user's scripts, by name.
    public func scripts(of user: String) async throws(SieveScriptStoreError) -> [StoredSieveScript] {
        try await catching {
            let address = AccountAddress.fold(user)
            guard let records = try await catalog.accounts.sieveScripts(of: address) else {
                throw SieveScriptStoreError.unknownUser(address)
            }
            return records
        }
    }

    public func script(_ name: String, of user: String) async throws(SieveScriptStoreError) -> StoredSieveScript? {
        try await catching {
            try await scripts(of: user).first { $0.name == name }
        }
    }

    public func activeScript(of user: String) async throws(SieveScriptStoreError) -> StoredSieveScript? {
        try await catching {
            try await scripts(of: user).first { $0.active }
        }
    }

    /// Compiles first (throws `SieveError` from the Sieve module), then stores or replaces; `activate`
    /// makes it the user's one active script. Audited (actor, user, name, sha256 of the source).
    public func put(_ name: String, source: String, of user: String, activate: Bool,
                               by actor: AuditActor) async throws(SieveScriptStoreError) {
        try await catching {
            let address = AccountAddress.fold(user)
            try Self.checkScriptName(name)
            try await checkIncludes(try SieveScript(source: source, name: name), as: .personal, of: address)
            try Self.check(try await catalog.accounts.putSieveScript(name, source: source, of: address, activate: activate, at: clock.now()),
                           name: name, user: address)
            try await audit("sieve-put", "user=\(address) script=\(name) sha256=\(Self.sha256(source))"
                                + (activate ? " activated" : ""), by: actor)
        }
    }

    /// Refuses the active script (`.active`): deactivate it first.
    public func delete(_ name: String, of user: String, by actor: AuditActor) async throws(SieveScriptStoreError) {
        try await catching {
            let address = AccountAddress.fold(user)
            try Self.check(try await catalog.accounts.deleteSieveScript(name, of: address), name: name, user: address)
            try await audit("sieve-delete", "user=\(address) script=\(name)", by: actor)
        }
    }

    public func rename(_ name: String, to newName: String, of user: String, by actor: AuditActor) async throws(SieveScriptStoreError) {
        try await catching {
            let address = AccountAddress.fold(user)
            try Self.checkScriptName(newName)
            switch try await catalog.accounts.renameSieveScript(name, to: newName, of: address, at: clock.now()) {
            case .alreadyExists: throw SieveScriptStoreError.alreadyExists(newName)
            case let change: try Self.check(change, name: name, user: address)
            }
            try await audit("sieve-rename", "user=\(address) script=\(name) to=\(newName)", by: actor)
        }
    }

    /// Makes `name` the user's one active script; nil deactivates the active one.
    public func activate(_ name: String?, of user: String, by actor: AuditActor) async throws(SieveScriptStoreError) {
        try await catching {
            let address = AccountAddress.fold(user)
            try Self.check(try await catalog.accounts.setActiveSieveScript(name, of: address), name: name ?? "", user: address)
            try await audit(name == nil ? "sieve-deactivate" : "sieve-activate",
                            "user=\(address)" + (name.map { " script=\($0)" } ?? ""), by: actor)
        }
    }

    /// The script run before every user's own (named "global").
    public func globalScript() async throws(SieveScriptStoreError) -> StoredSieveScript? {
        try await catching {
            try await catalog.accounts.globalSieveScript()
        }
    }

    /// nil removes it. Compiles first. Audited.
    public func setGlobalScript(source: String?, by actor: AuditActor) async throws(SieveScriptStoreError) {
        try await catching {
            if let source { try await checkIncludes(try SieveScript(source: source, name: "global"), as: .global, of: nil) }
            try await catalog.accounts.setGlobalSieveScript(source: source, at: clock.now())
            try await audit(source == nil ? "sieve-global-remove" : "sieve-global-put",
                            source.map { "script=global sha256=\(Self.sha256($0))" } ?? "script=global", by: actor)
        }
    }

    /// What delivery would do for `user` (the global script, then the user's active one), without
    /// delivering: for `tresor rules test`. `envelopeTo` defaults to the user's address. The
    /// scripts are read and compiled afresh (no cache), and a script that no longer compiles
    /// yields an outcome with its error, as delivery would treat it.
    public func evaluate(message raw: [UInt8], for user: String, envelopeFrom: String,
                              envelopeTo: String?, at date: Date) async throws(SieveScriptStoreError) -> SieveOutcome {
        try await catching {
            let given = AccountAddress.fold(user)
            // As delivery routes `user+detail@domain` (RFC 5233): the scripts are the user's, and the
            // envelope recipient keeps the +detail that `envelope :detail` tests see.
            let recipient = envelopeTo ?? given
            let base = AccountAddress.withoutSubaddress(given)
            let address = try await catalog.accounts.withAccounts { accounts in
                if try accounts.isUser(given) { return given }
                if let base, try accounts.isUser(base) { return base }
                return given
            }
            guard try await catalog.accounts.withAccounts({ try $0.isUser(address) }) else {
                throw SieveScriptStoreError.unknownUser(address)
            }
            let loaded = try await catalog.accounts.sieveDeliveryScripts(for: [address])
            var compiled = loaded.global.map { [CompiledSieveScript($0, location: .global)] } ?? []
            if let own = loaded.active[address] { compiled.append(CompiledSieveScript(own, location: .personal)) }
            let scripts = SieveRunScripts(compiled, personal: loaded.personal[address] ?? [], global: loaded.global)
            let mailboxes = try await catalog.accounts.mailboxNames(of: [address])[address] ?? []
            return try await runTracked(scripts, user: address, message: Message(parsing: raw), envelopeFrom: envelopeFrom,
                                        envelopeTo: recipient, at: date, mailboxes: mailboxes)
        }
    }

    /// Compiles `source` as CHECKSCRIPT does (RFC 5804 §2.12), and checks its `include`s
    /// against `user`'s stored scripts (RFC 6609 §3.2: missing scripts and loops).
    public func check(source: String, of user: String) async throws(SieveScriptStoreError) {
        try await catching {
            try await checkIncludes(try SieveScript(source: source, name: ""), as: .personal,
                                    of: AccountAddress.fold(user))
        }
    }

    /// RFC 6609 §3.2 at upload: every script `script` includes without `:optional` exists and
    /// compiles, and none includes one already on its chain (a loop). `script` stands in for the
    /// stored script of its name; `user`'s scripts are the `:personal` ones. The global script has
    /// none: it runs for every user, so its `:personal` includes must be `:optional`. Throws
    /// `invalidScript`.
    func checkIncludes(_ script: SieveScript, as location: SieveIncludeLocation, of user: String?) async throws {
        guard !script.includes.isEmpty else { return }
        var personal: [StoredSieveScript] = []
        if let user {
            guard let records = try await catalog.accounts.sieveScripts(of: user) else {
                throw SieveScriptStoreError.unknownUser(user)
            }
            personal = records
        }
        let global = location == .global ? nil : try await catalog.accounts.globalSieveScript()
        let key = SieveIncludeKey(location, script.name)
        let library = SieveIncludeLibrary.resolve([script]) { included in
            if included == key { return .success(script) }
            let record = switch included.location {
            case .personal: personal.first { $0.name == included.name }
            case .global: included.name == "global" ? global : nil
            }
            return record.map { CompiledSieveScript($0, location: included.location).script }
        }
        try library.check(script, as: key)
    }

    /// Runs one user's scripts, answering `duplicate` (RFC 7352) from the catalog while the run
    /// itself stays pure: a first run with nothing seen lists the keys the script asks about;
    /// when the catalog has seen some, the script runs again knowing them — until it asks about
    /// nothing new (a few rounds at most; keys first asked after that count as unseen). Remembers
    /// nothing: delivery does that once the message is committed.
    func runTracked(_ scripts: SieveRunScripts, user: String, message: Message, envelopeFrom: String,
                    envelopeTo: String, at date: Date, mailboxes: Set<String>,
                    environment: [String: String] = [:]) async throws -> SieveOutcome {
        var seen: Set<String> = [], asked: Set<String> = []
        func run() -> SieveOutcome {
            Self.runSieve(scripts, message: message, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo, at: date,
                          mailboxes: mailboxes, environment: environment, seenDuplicates: seen, scan: store.sieveScan)
        }
        var outcome = run()
        for _ in 0..<4 {
            let new = Set(outcome.duplicateChecks.map(\.key)).subtracting(asked)
            guard !new.isEmpty else { break }
            asked.formUnion(new)
            let byHash = Dictionary(new.map { (Self.sha256($0), $0) }, uniquingKeysWith: { first, _ in first })
            let found = try await catalog.accounts.seenSieveDuplicates(user: user, keys: Array(byHash.keys), at: date)
            guard !found.isEmpty else { break }
            seen.formUnion(found.compactMap { byHash[$0] })
            outcome = run()
        }
        return outcome
    }

    // MARK: - Helpers

    /// Runs compiled scripts; a script that does not compile is a run-time error (implicit keep).
    /// `environment`: the RFC 5183 items the delivery knows (merged over the fixed ones); the
    /// user's domain is always "domain".
    static func runSieve(_ scripts: SieveRunScripts, message: Message, envelopeFrom: String,
                         envelopeTo: String, at date: Date, mailboxes: Set<String>,
                         environment: [String: String] = [:], seenDuplicates: Set<String> = [],
                         scan: SieveScanHeaders = .off) -> SieveOutcome {
        var compiled: [(script: SieveScript, location: SieveIncludeLocation)] = []
        for entry in scripts.scripts {
            switch entry.script {
            case .success(let script): compiled.append((script, entry.location))
            case .failure(let error): return SieveOutcome(error: error)
            }
        }
        var input = SieveInput(message: message, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo, currentDate: date,
                               mailboxExists: { name in
                                   SieveFilingDecision.mailboxName(name).map(mailboxes.contains) ?? false
                               })
        if let at = envelopeTo.lastIndex(of: "@") {
            input.environment["domain"] = envelopeTo[envelopeTo.index(after: at)...].lowercased()
        }
        input.environment.merge(environment) { $1 }
        input.seenDuplicates = seenDuplicates
        input.scan = scan.results(for: message)
        return SieveInterpreter.run(compiled, input: input, includes: scripts.library)
    }

    static func checkScriptName(_ name: String) throws {
        guard !name.isEmpty, name.count <= maximumSieveScriptNameLength,
            !name.unicodeScalars.contains(where: {
                $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
            })
        else { throw SieveScriptStoreError.invalidName(name) }
    }

    private static func check(_ change: SieveScriptChange, name: String, user: String) throws {
        switch change {
        case .done: return
        case .unknownUser: throw SieveScriptStoreError.unknownUser(user)
        case .nonexistent: throw SieveScriptStoreError.nonexistent(name)
        case .active: throw SieveScriptStoreError.active(name)
        case .alreadyExists: throw SieveScriptStoreError.alreadyExists(name)
        }
    }

    static func sha256(_ text: String) -> String {
        Hex.string(SHA256.hash(data: Array(text.utf8)))
    }
}
