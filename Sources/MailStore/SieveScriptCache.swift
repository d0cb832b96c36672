import Catalog
import Sieve
import Synchronization
import StoreModel

/// A stored script compiled once, or the error that stops it from compiling now (a script is
/// compiled before it is stored, so that only happens when the language changed under it).
struct CompiledSieveScript: Sendable {
    var name: String
    /// Where it is stored: the global script, or one of a user's (RFC 6609 `:global`/`:personal`).
    var location: SieveIncludeLocation
    var script: Result<SieveScript, SieveError>

    init(_ record: StoredSieveScript, location: SieveIncludeLocation) {
        name = record.name
        self.location = location
        do throws(SieveError) {
            script = .success(try SieveScript(source: record.source, name: record.name))
        } catch {
            script = .failure(error)
        }
    }
}

/// What a delivery runs for one user: the global script, then the user's active one, and the
/// scripts their `include`s reach (RFC 6609), compiled.
struct SieveRunScripts: Sendable {
    var scripts: [CompiledSieveScript]
    var library: SieveIncludeLibrary

    /// Compiles the scripts reachable from `scripts` through `include`: `:personal` names one of
    /// the user's stored scripts, `:global` the global script (whose name is "global"; it is the
    /// only one). A user without an active script has no personal scripts here, so a `:personal`
    /// include of the global script finds nothing for them.
    init(_ scripts: [CompiledSieveScript], personal: [StoredSieveScript], global: StoredSieveScript?) {
        self.scripts = scripts
        let roots = scripts.compactMap { try? $0.script.get() }
        library = SieveIncludeLibrary.resolve(roots) { key in
            let record = switch key.location {
            case .personal: personal.first { $0.name == key.name }
            case .global: key.name == "global" ? global : nil
            }
            return record.map { CompiledSieveScript($0, location: key.location).script }
        }
    }
}

/// The compiled Sieve scripts deliveries run, valid for one `sieve_generation` of the catalog.
/// Every script change (here, in the CLI, over ManageSieve) bumps the generation in the same
/// transaction (schema "v3" triggers); a delivery reads the generation together with its
/// recipients, and a cache of another generation is not used. So:
/// - with no global script and no active script for the delivery's users, a delivery does no
///   Sieve work beyond comparing one number (the fast path SMTP throughput depends on);
/// - a changed script is picked up by the next delivery, whichever process changed it.
final class SieveScriptCache: Sendable {
    /// Compiled user scripts kept at most; beyond it the table starts over (compiling again is cheap).
    static let maximumUsers = 10_000

    private struct Snapshot {
        var generation: Int64
        /// The global script alone, for users without an active script.
        var globalOnly: SieveRunScripts?
        var usersWithActiveScript: Set<String>
        var compiled: [String: SieveRunScripts]
    }

    private let snapshot = Mutex<Snapshot?>(nil)

    /// Forgets every compiled script: the next delivery loads and compiles its scripts again.
    func clear() {
        snapshot.withLock { $0 = nil }
    }

    /// The scripts to run for each of `users` (global first), when this cache holds `generation`
    /// and every one needed is compiled; users with none are left out. nil: load and `store`.
    func scripts(for users: [String], generation: Int64) -> [String: SieveRunScripts]? {
        snapshot.withLock { snapshot -> [String: SieveRunScripts]? in
            guard let snapshot, snapshot.generation == generation else { return nil }
            var result: [String: SieveRunScripts] = [:]
            for user in users {
                if snapshot.usersWithActiveScript.contains(user) {
                    guard let own = snapshot.compiled[user] else { return nil }
                    result[user] = own
                } else if let global = snapshot.globalOnly {
                    result[user] = global
                }
            }
            return result
        }
    }

    /// Compiles what a delivery loaded for `users`, remembers it, and returns the scripts to run
    /// for each of them (as `scripts(for:generation:)` does).
    func store(_ loaded: SieveDeliveryScripts, for users: [String]) -> [String: SieveRunScripts] {
        let global = loaded.global.map { CompiledSieveScript($0, location: .global) }
        let globalOnly = global.map { SieveRunScripts([$0], personal: [], global: loaded.global) }
        var own: [String: SieveRunScripts] = [:]
        for (user, record) in loaded.active {
            own[user] = SieveRunScripts((global.map { [$0] } ?? []) + [CompiledSieveScript(record, location: .personal)],
                                        personal: loaded.personal[user] ?? [], global: loaded.global)
        }
        snapshot.withLock { snapshot in
            if var current = snapshot, current.generation == loaded.generation {
                if current.compiled.count + own.count > Self.maximumUsers { current.compiled = [:] }
                current.compiled.merge(own) { _, new in new }
                snapshot = current
            } else if (snapshot?.generation ?? .min) < loaded.generation {
                snapshot = Snapshot(generation: loaded.generation, globalOnly: globalOnly,
                                    usersWithActiveScript: loaded.usersWithActiveScript, compiled: own)
            }
        }
        var result: [String: SieveRunScripts] = [:]
        for user in users {
            if let scripts = own[user] ?? globalOnly { result[user] = scripts }
        }
        return result
    }
}
