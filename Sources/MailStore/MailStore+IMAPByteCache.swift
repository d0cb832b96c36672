import Synchronization

/// A small LRU cache of message bytes by SHA-256 (drafts: by user and SHA-256), for FETCH: a client fetching a message's header,
/// then its body parts, reads the archive (and inflates the record) once. Bounded by entries and by
/// bytes; a message larger than a quarter of the byte limit is not cached. The content is addressed
/// by its hash, so an entry is never stale; a purge removes its messages' entries (`remove`), so that
/// purged bytes do not outlive the purge in this process.
final class MessageBytesCache: Sendable {
    let maximumEntries: Int
    let maximumBytes: Int

    private struct State {
        var entries: [String: (bytes: [UInt8], lastUse: UInt64)] = [:]
        var totalBytes = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    init(maximumEntries: Int = 64, maximumBytes: Int = 32 << 20) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    func bytes(key: String) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            state.clock += 1
            state.entries[key] = (entry.bytes, state.clock)
            return entry.bytes
        }
    }

    func store(_ bytes: [UInt8], key: String) {
        guard bytes.count <= maximumBytes / 4 else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.entries.updateValue((bytes, state.clock), forKey: key) {
                state.totalBytes -= old.bytes.count
            }
            state.totalBytes += bytes.count
            while state.entries.count > maximumEntries || state.totalBytes > maximumBytes,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                state.entries[oldest.key] = nil
                state.totalBytes -= oldest.value.bytes.count
            }
        }
    }

    func remove(key: String) {
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.totalBytes -= old.bytes.count }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
