/// What reloading the Sieve scripts found.
public struct SieveReload: Sendable, Hashable {
    /// The catalog's script generation now (every script change raises it).
    public var generation: Int64
    /// Whether a global script runs before every user's own.
    public var globalScript: Bool
}

extension MailStore {
    /// Drops every compiled Sieve script, so the next delivery compiles its scripts from the catalog
    /// again. Deliveries already notice a changed script by the catalog's generation; this is for an
    /// operator who wants the scripts read afresh (SIGHUP) and to see the generation in force.
    public func reloadSieveScripts() async throws -> SieveReload {
        sieveCache.clear()
        let generation = try await catalog.accounts.sieveGeneration()
        let global = try await catalog.accounts.globalSieveScript() != nil
        return SieveReload(generation: generation, globalScript: global)
    }
}
