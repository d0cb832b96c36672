import Logging
import MailStore
import ServiceLifecycle

/// The store as a `Service`: the first in the group, so it stops last, after every listener has
/// finished its transactions in flight; then the archive is closed (its writer drained).
struct StoreService: Service {
    let store: MailStore
    let logger: Logger

    func run() async throws {
        // Returns on graceful shutdown; throws CancellationError if the group is cancelled.
        try? await gracefulShutdown()
        store.close()
        logger.info("store closed")
    }
}
