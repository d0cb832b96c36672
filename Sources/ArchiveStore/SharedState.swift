import Synchronization
import StoreModel

/// What callers read while the writer thread writes: the dedup index, the counters, the tip and the
/// failure flag, behind one mutex held only for dictionary operations.
final class SharedState: Sendable {
    struct State {
        /// SHA-256 of a raw message → its body record. Only durable records are entered.
        var index: [ContentHash: RecordLocation] = [:]
        var statistics = ArchiveStatistics()
        /// Set when a write or fsync failed: appends then throw until the store is reopened.
        var failure: String?
        var closed = false
        /// The archive's chain of seal keys, as the writer last read it.
        var sealKeys: SealKeyChain?
        /// The newest durable record and chain value, and the newest record that is no anchor
        /// (published with each batch, see `ArchiveStore.tip`).
        var last: ChainPoint?
        var lastNonAnchor: RecordLocation?
    }

    let state = Mutex(State())

    func location(of hash: ContentHash) -> RecordLocation? {
        state.withLock { $0.index[hash] }
    }
}
