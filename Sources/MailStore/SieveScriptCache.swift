import Catalog
import Sieve
import Synchronization
import StoreModel

/// A stored script compiled once, or the error that stops it from compiling now (a script is
/// compiled before it is stored, so that only happens when the language changed under it).
struct CompiledSieveScript: Sendable {
    var name: String
    var script: Result<SieveScript, SieveError>

    init(_ record: StoredSieveScript) {
        name = record.name
        do throws(SieveError) {
            script = .success(try SieveScript(source: record.source, name: record.name))
        } catch {
            script = .failure(error)
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
        var global: CompiledSieveScript?
        var usersWithActiveScript: Set<String>
        var compiled: [String: CompiledSieveScript]
    }

    private let snapshot = Mutex<Snapshot?>(nil)

    /// The scripts to run for each of `users` (global first), when this cache holds `generation`
    /// and every one needed is compiled; users with none are left out. nil: load and `store`.
    func scripts(for users: [String], generation: Int64) -> [String: [CompiledSieveScript]]? {
        snapshot.withLock { snapshot -> [String: [CompiledSieveScript]]? in
            guard let snapshot, snapshot.generation == generation else { return nil }
            var result: [String: [CompiledSieveScript]] = [:]
            for user in users {
                var scripts = snapshot.global.map { [$0] } ?? []
                if snapshot.usersWithActiveScript.contains(user) {
                    guard let own = snapshot.compiled[user] else { return nil }
                    scripts.append(own)
                }
                if !scripts.isEmpty { result[user] = scripts }
            }
            return result
        }
    }

    /// Compiles what a delivery loaded for `users`, remembers it, and returns the scripts to run
    /// for each of them (as `scripts(for:generation:)` does).
    func store(_ loaded: SieveDeliveryScripts, for users: [String]) -> [String: [CompiledSieveScript]] {
        let global = loaded.global.map(CompiledSieveScript.init)
        var own: [String: CompiledSieveScript] = [:]
        for (user, record) in loaded.active { own[user] = CompiledSieveScript(record) }
        snapshot.withLock { snapshot in
            if var current = snapshot, current.generation == loaded.generation {
                if current.compiled.count + own.count > Self.maximumUsers { current.compiled = [:] }
                current.compiled.merge(own) { _, new in new }
                snapshot = current
            } else if (snapshot?.generation ?? .min) < loaded.generation {
                snapshot = Snapshot(generation: loaded.generation, global: global,
                                    usersWithActiveScript: loaded.usersWithActiveScript, compiled: own)
            }
        }
        var result: [String: [CompiledSieveScript]] = [:]
        for user in users {
            let scripts = (global.map { [$0] } ?? []) + (own[user].map { [$0] } ?? [])
            if !scripts.isEmpty { result[user] = scripts }
        }
        return result
    }
}
