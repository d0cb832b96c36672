import Catalog
import StoreModel

/// Where a delivery goes before Sieve has had its say: the route from the envelope's recipients,
/// the recipients that reach nobody, and what Sieve needs to know besides.
struct DeliveryRouting: Sendable {
    var route = Route(localUsers: [], remoteRecipients: [])
    /// Envelope recipients in a local domain that reach no user or alias.
    var unknown: [String] = []
    /// For each local user, the RCPT TO address (as given) that reached it first: Sieve's
    /// `envelope "to"` (RFC 5228 §5.4) for that user's run.
    var envelopeTo: [String: String] = [:]
    /// `catalog_state.sieve_generation`, read with the accounts (see `SieveScriptCache`).
    var sieveGeneration: Int64
    /// `catalog_state.lock_generation`, read with the accounts (see `RetentionFloorStamper`).
    var lockGeneration: Int64

    init(sieveGeneration: Int64, lockGeneration: Int64) {
        self.sieveGeneration = sieveGeneration
        self.lockGeneration = lockGeneration
    }
}
