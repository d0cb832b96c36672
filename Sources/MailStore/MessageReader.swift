import ArchiveStore
import Catalog
import StoreModel
import Synchronization

/// Why message bytes could not be read.
public enum ReadError: Error, Sendable, Hashable, CustomStringConvertible {
    case storage(StorageFailure)

    public var description: String {
        switch self {
        case .storage(let failure): failure.description
        }
    }
}

extension ReadError: StoreFailure {}

/// The one way message bytes leave the store — for IMAP FETCH, POP3 RETR, exports, `tresor show`
/// and outbound delivery:
/// - archive reads (inflate, SHA-256 check) run through `BlockingWork.io`, never on the
///   cooperative pool or an event loop;
/// - a message whose archive record an `.archiveOnly` purge removed is read from its kept copy;
/// - recently read messages come from a small cache (content-addressed, so never stale);
/// - a placed draft is read from the draft store, for its owner only.
public struct MessageReader: StoreService {
    typealias Failure = ReadError
    let store: MailStore

    /// A message's bytes by its SHA-256, or nil when neither the archive nor a kept copy has it.
    public func content(sha256: String) async throws(ReadError) -> [UInt8]? {
        try await catching {
            if let cached = store.byteCache.bytes(key: sha256) { return cached }
            let archive = self.archive
            if let archived = try await BlockingWork.io.run({ try archive.readBody(sha256: sha256) }) {
                store.byteCache.store(archived, key: sha256)
                return archived
            }
            return try await catalog.governance.keptCopy(sha256: sha256)
        }
    }

    /// The bytes of a message from one of `user`'s snapshots (the entry must come from that user's
    /// own `MailboxService.snapshot`/`changes`; the draft store checks the owner again, and drafts
    /// are cached per user).
    public func bytes(of entry: MailboxEntry, user: String) async throws(ReadError) -> [UInt8]? {
        switch entry.body {
        case .archive:
            return try await content(sha256: entry.sha256)
        case .draft(let id):
            let address = AccountAddress.fold(user)
            let key = "draft \(address) \(entry.sha256)"
            if let cached = store.byteCache.bytes(key: key) { return cached }
            return try await catching {
                let bytes = try await catalog.mailboxes.draftBytes(id: id, of: address)
                if let bytes { store.byteCache.store(bytes, key: key) }
                return bytes
            }
        }
    }

    /// The bytes of the message with `uid` in one of the user's mailboxes, or nil.
    public func bytes(uid: UInt32, in name: String, of user: String) async throws(ReadError) -> [UInt8]? {
        let entry: MailboxEntry?
        do {
            entry = try await store.mailboxes.message(uid: uid, in: name, of: user)
        } catch {
            throw .storage(StorageFailure(kind: .unavailable, description: "\(error)"))
        }
        guard let entry else { return nil }
        return try await bytes(of: entry, user: user)
    }
}

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
