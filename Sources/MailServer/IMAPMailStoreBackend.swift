import IMAPServer
import Logging
import MailStore
import ServerKit

/// The IMAP listeners' view of storage: `IMAPBackend` over `MailStore`.
///
/// Names: `MailboxName` and the store share the Unicode name with "/" between levels and INBOX in
/// upper case; the store's stricter policy (`IMAPMailboxName.validate`: no `*`/`%`, at most 255
/// octets) answers NO [CANNOT]. Flags: system flags by their canonical spelling, keywords as
/// atoms; `\Recent` is never stored (RFC 9051 §2.3.2). Sizes: the CRLF size the catalog keeps per
/// placement (schema "v5"); placements older than that are computed once, at first SELECT or
/// STATUS, and stored. Errors: `MailboxError` to `IMAPBackendError`; a mailbox that vanished
/// under a command on the selected mailbox is `.mailboxGone` (the session says BYE, RFC 3501
/// §2.3.1.1); storage failures are logged and become `.unavailable` (RFC 5530 UNAVAILABLE).
struct IMAPMailStoreBackend: IMAPBackend {
    let store: MailStore
    let logger: Logger
    /// \Recent (RFC 3501 §2.3.2) for every session of this server process; a copy of the
    /// backend shares it. Not stored: after a restart every message is recent once more.
    let recentMessages = IMAPRecentMessages()
    /// `[quota] default_storage`: the storage limit of users without one of their own (nil: none).
    let defaultStorageQuota: Int64?

    init(store: MailStore, logger: Logger, defaultStorageQuota: Int64? = nil) {
        self.store = store
        self.logger = logger
        self.defaultStorageQuota = defaultStorageQuota
    }

    /// A wrong password is answered after the store's throttle delay, as for SMTP AUTH and POP3
    /// (failures count per client IP across protocols).
    func authenticate(username: String, password: String, session: IMAPSessionInfo) async -> String? {
        await store.accounts.authenticate(username, password: password, client: session.clientAddress,
                                          protocolName: "imap")
    }

    /// Who the audit trail names for a change the user made over IMAP.
    private func actor(_ user: String) -> AuditActor { .user(user, client: SessionContext.clientAddress) }

    // MARK: - Mailboxes (RFC 3501 §6.3)

    func mailboxes(of user: String) async throws(IMAPBackendError) -> [IMAPMailboxInfo] {
        let (listings, subscriptions) = try await mapped(user: user) {
            (try await store.mailboxes.list(of: user), try await store.mailboxes.subscriptions(of: user))
        }
        var infos: [IMAPMailboxInfo] = listings.compactMap { listing in
            guard let name = try? MailboxName(listing.name) else {
                logger.error("stored mailbox name refused by IMAP", metadata: ["user": "\(user)", "name": "\(listing.name)"])
                return nil
            }
            return IMAPMailboxInfo(name: name, specialUse: listing.specialUse.map { [$0] } ?? [],
                                   subscribed: listing.subscribed)
        }
        // Subscriptions outlive their mailboxes (RFC 3501 §6.3.6); LSUB still lists them.
        let existing = Set(listings.map(\.name))
        for subscription in subscriptions where !existing.contains(subscription) {
            guard let name = try? MailboxName(subscription) else { continue }
            infos.append(IMAPMailboxInfo(name: name, subscribed: true, exists: false))
        }
        return infos
    }

    func create(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        try await mapped(user: user) { _ = try await store.mailboxes.createMailbox(mailbox.name, of: user) }
    }

    /// RFC 6154 §3: the store keeps one special use per mailbox and one `\Drafts` mailbox per
    /// user (drafts stay out of the archive only there), so a second `\Drafts` is refused with
    /// USEATTR and nothing is created.
    func create(_ mailbox: MailboxName, specialUse: String, user: String) async throws(IMAPBackendError) {
        let taken: String? = try await mapped(user: user) {
            do {
                _ = try await store.mailboxes.createMailbox(mailbox.name, specialUse: specialUse, of: user)
                return nil
            } catch MailboxError.specialUseTaken(let use) {
                return use
            }
        }
        if let taken { throw .specialUseRefused("There is a \(taken) mailbox already") }
    }

    func delete(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        try await mapped(user: user) { try await store.mailboxes.deleteMailbox(mailbox.name, of: user, by: actor(user)) }
    }

    func rename(_ mailbox: MailboxName, to newName: MailboxName, user: String) async throws(IMAPBackendError) {
        try await mapped(user: user) { try await store.mailboxes.renameMailbox(mailbox.name, to: newName.name, of: user, by: actor(user)) }
    }

    func setSubscribed(_ mailbox: MailboxName, _ subscribed: Bool, user: String) async throws(IMAPBackendError) {
        try await mapped(user: user) {
            if subscribed {
                try await store.mailboxes.subscribe(mailbox.name, of: user)
            } else {
                try await store.mailboxes.unsubscribe(mailbox.name, of: user)
            }
        }
    }

    /// RFC 3501 §6.3.10 with RFC 8438 SIZE as the sum of transmitted sizes: a mailbox with
    /// placements older than schema "v5" has their sizes computed (once) before it answers.
    func status(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxStatus {
        let status = try await mapped(user: user) {
            var status = try await store.mailboxes.status(mailbox.name, of: user)
            if status.sizesPending > 0 {
                try await store.mailboxes.completeTransmittedSizes(in: mailbox.name, of: user)
                status = try await store.mailboxes.status(mailbox.name, of: user)
            }
            return status
        }
        return IMAPMailboxStatus(
            messages: UInt32(clamping: status.messages), unseen: UInt32(clamping: status.unseen),
            deleted: UInt32(clamping: status.deleted), size: UInt64(clamping: status.transmittedSize),
            uidNext: status.uidNext, uidValidity: status.uidValidity, highestModSeq: status.highestModSeq,
            recent: try await recentCount(mailbox, messages: status.messages, uidNext: status.uidNext,
                                          uidValidity: status.uidValidity, user: user))
    }

    /// STATUS RECENT (RFC 3501 §6.3.10) without claiming: all messages when nothing was claimed,
    /// none when everything up to UIDNEXT was; otherwise the UIDs are read to count.
    private func recentCount(_ mailbox: MailboxName, messages: Int, uidNext: UInt32, uidValidity: UInt32, user: String)
        async throws(IMAPBackendError) -> UInt32
    {
        let claimed = recentMessages.claimedThrough(in: mailbox, uidValidity: uidValidity, user: user)
        if claimed == 0 { return UInt32(clamping: messages) }
        if claimed + 1 >= uidNext { return 0 }
        let snapshot = try await select(mailbox, user: user)
        return UInt32(clamping: recentMessages.unclaimedCount(of: snapshot.messages.map(\.uid), in: mailbox,
                                                             uidValidity: uidValidity, user: user))
    }

    // MARK: - The selected mailbox (RFC 3501 §6.3.1, RFC 7162)

    func select(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxSnapshot {
        let snapshot = try await mapped(user: user) {
            var snapshot = try await store.mailboxes.snapshot(mailbox.name, of: user)
            snapshot.messages = try await store.mailboxes.completingTransmittedSizes(snapshot.messages, of: user)
            return snapshot
        }
        return IMAPMailboxSnapshot(uidValidity: snapshot.uidValidity, uidNext: snapshot.uidNext,
                                   highestModSeq: snapshot.highestModSeq, messages: snapshot.messages.map(Self.info))
    }

    func changes(in mailbox: MailboxName, since modSeq: UInt64, user: String) async throws(IMAPBackendError)
        -> IMAPMailboxChanges
    {
        let changes = try await mapped(user: user, selected: mailbox) {
            var changes = try await store.mailboxes.changes(mailbox.name, of: user, since: modSeq)
            changes.changed = try await store.mailboxes.completingTransmittedSizes(changes.changed, of: user)
            return changes
        }
        return IMAPMailboxChanges(uidValidity: changes.uidValidity, uidNext: changes.uidNext,
                                  highestModSeq: changes.highestModSeq, messages: changes.changed.map(Self.info),
                                  expunged: changes.expunged)
    }

    /// RFC 2177 IDLE: one wake-up per change the store publishes for this mailbox (deliveries,
    /// Sieve filings, other sessions, POP3). Finishes when the mailbox is deleted or renamed away.
    func changeNotifications(for mailbox: MailboxName, user: String) async -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let changes: AsyncStream<MailboxChange>
        do {
            changes = try await store.mailboxes.watch(mailbox.name, of: user)
        } catch {
            continuation.finish()
            return stream
        }
        let forwarding = Task {
            for await change in changes {
                continuation.yield()
                switch change.kind {
                case .deleted, .renamed: continuation.finish()
                case .messagesAdded, .flagsChanged, .messagesExpunged: continue
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return stream
    }

    /// The bytes of up to a batch of messages (the session asks for `IMAPMessageCache.batchSize`),
    /// read concurrently; the archive inflates each record on its own.
    func messages(_ uids: [UInt32], in mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [UInt32: [UInt8]]
    {
        try await mapped(user: user, selected: mailbox) {
            let entries = try await store.mailboxes.messages(uids: uids, in: mailbox.name, of: user)
            return try await withThrowingTaskGroup(of: (UInt32, [UInt8]?).self) { group in
                for entry in entries {
                    group.addTask { (entry.uid, try await store.reader.bytes(of: entry, user: user)) }
                }
                var contents: [UInt32: [UInt8]] = [:]
                for try await (uid, bytes) in group {
                    if let bytes { contents[uid] = bytes }
                }
                return contents
            }
        }
    }

    func store(_ change: IMAPFlagChange, uids: [UInt32], unchangedSince: UInt64?, in mailbox: MailboxName, user: String)
        async throws(IMAPBackendError) -> IMAPStoreResult
    {
        let mode: FlagStoreMode = switch change.operation {
        case .add: .add
        case .remove: .remove
        case .replace: .replace
        }
        let result = try await mapped(user: user, selected: mailbox) {
            try await store.mailboxes.storeFlags(Self.storedFlags(change.flags), mode: mode, uids: Self.ranges(uids),
                                       unchangedSince: unchangedSince, in: mailbox.name, of: user)
        }
        let updated = result.messages.map { state in
            IMAPMessageInfo(uid: state.uid, flags: Self.imapFlags(state.flags.names), modSeq: state.modSeq,
                            internalDate: IMAPDateTime(state.internalDate), size: state.transmittedSize ?? state.size)
        }
        return IMAPStoreResult(updated: updated, modified: result.failed)
    }

    func copy(_ uids: [UInt32], from mailbox: MailboxName, to destination: MailboxName, move: Bool, user: String)
        async throws(IMAPBackendError) -> IMAPCopyResult
    {
        // RFC 9208 §4.1: a COPY that would take the user over quota fails with [OVERQUOTA]; a MOVE
        // leaves the total where it was.
        if !move { try await checkQuota(copying: uids, from: mailbox, user: user) }
        let result = try await mapped(user: user, selected: mailbox) {
            move ? try await store.mailboxes.moveMessages(uids: Self.ranges(uids), from: mailbox.name, to: destination.name,
                                                    of: user, by: actor(user))
                : try await store.mailboxes.copyMessages(uids: Self.ranges(uids), from: mailbox.name, to: destination.name,
                                                         of: user, by: actor(user))
        }
        return IMAPCopyResult(uidValidity: result.uidValidity, sourceUIDs: result.sourceUIDs,
                              destinationUIDs: result.destinationUIDs)
    }

    func expunge(_ uids: [UInt32]?, in mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [UInt32] {
        try await mapped(user: user, selected: mailbox) {
            try await store.mailboxes.expunge(uids: uids.map(Self.ranges), in: mailbox.name, of: user, by: actor(user))
                .expunged
        }
    }

    /// RFC 3501 §6.3.11. Into the archive (and search), except into a `\Drafts` mailbox, whose
    /// drafts the store keeps apart (see `MailboxService.append`).
    func append(_ message: [UInt8], flags: [IMAPFlag], internalDate: IMAPDateTime?, to mailbox: MailboxName,
                user: String) async throws(IMAPBackendError) -> IMAPAppendResult {
        try await checkQuota(adding: UInt64(IMAPMessageEncoding.transmittedSize(of: message)), user: user)
        let result = try await mapped(user: user) {
            try await store.mailboxes.append(message, flags: Self.storedFlags(flags), internalDate: internalDate?.instant,
                                             to: mailbox.name, of: user, by: actor(user))
        }
        return IMAPAppendResult(uidValidity: result.uidValidity, uid: result.uid)
    }

    /// RFC 3502: all or none (`MailboxService.appendAll`); over quota when the batch as a whole
    /// would pass the limit.
    func appendAll(_ messages: [IMAPAppendItem], to mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [IMAPAppendResult]
    {
        let octets = messages.reduce(UInt64(0)) { $0 + UInt64(IMAPMessageEncoding.transmittedSize(of: $1.message)) }
        try await checkQuota(adding: octets, user: user)
        let requests = messages.map {
            MailboxService.AppendRequest(raw: $0.message, flags: Self.storedFlags($0.flags), internalDate: $0.internalDate?.instant)
        }
        let results = try await mapped(user: user) {
            try await store.mailboxes.appendAll(requests, to: mailbox.name, of: user, by: actor(user))
        }
        return results.map { IMAPAppendResult(uidValidity: $0.uidValidity, uid: $0.uid) }
    }

    /// The catalog's full-text index narrows by header and body text (TEXT covers both); nil when it
    /// cannot (a term inside a word, which the index's word prefixes do not find).
    func claimRecent(_ uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, consume: Bool, user: String) async
        -> Set<UInt32>
    {
        recentMessages.claim(uids, in: mailbox, uidValidity: uidValidity, user: user, consume: consume)
    }

    func searchCandidates(containing terms: [String], in mailbox: MailboxName, user: String) async -> Set<UInt32>? {
        do {
            let candidates = try await store.mailboxes.searchCandidates(terms.map { SearchTextTerm(.text, $0) }, in: mailbox.name,
                                                              of: user)
            return candidates.map(Set.init)
        } catch {
            logger.error("imap: search candidates failed", metadata: ["user": "\(user)", "error": "\(error)"])
            return nil
        }
    }

    // MARK: - Mapping

    static func info(_ entry: MailboxEntry) -> IMAPMessageInfo {
        IMAPMessageInfo(uid: entry.uid, flags: imapFlags(entry.flags.names), modSeq: entry.modSeq,
                        internalDate: IMAPDateTime(entry.internalDate), size: entry.transmittedSize ?? entry.size)
    }

    /// Stored names (`\Seen`, `$Forwarded`) as IMAP flags; the store keeps only valid ones.
    static func imapFlags(_ names: [String]) -> [IMAPFlag] {
        names.compactMap { IMAPFlag(Array($0.utf8)) }
    }

    /// IMAP flags as the store takes them. `\Recent` is the server's and never stored; `\*` is
    /// no flag (the session never passes either). An unknown `\Flag` is refused by the store.
    static func storedFlags(_ flags: [IMAPFlag]) -> [String] {
        flags.compactMap { flag in
            switch flag {
            case .recent, .wildcard: nil
            default: flag.description
            }
        }
    }

    /// UIDs as the closed ranges the store takes, consecutive ones merged.
    static func ranges(_ uids: [UInt32]) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        for uid in uids.sorted() {
            if let last = ranges.last, uid <= last.upperBound { continue }
            if let last = ranges.last, last.upperBound < UInt32.max, uid == last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...uid
            } else {
                ranges.append(uid...uid)
            }
        }
        return ranges
    }

    /// Runs a store call and maps its errors. `selected`: the call works on the session's selected
    /// mailbox, so that mailbox missing now means it was deleted or renamed under the session.
    func mapped<T>(user: String, selected: MailboxName? = nil, _ body: () async throws -> T)
        async throws(IMAPBackendError) -> T
    {
        do {
            return try await body()
        } catch let error as MailboxError {
            switch error {
            case .nonexistent(let name):
                if let selected, (try? IMAPMailboxName.validate(selected.name)) == name { throw .mailboxGone }
                throw .nonExistent
            case .alreadyExists: throw .alreadyExists
            case .limit(let why): throw .limit(why)
            case .invalidName, .cannotDeleteInbox, .hasChildren, .renameIntoItself, .invalidFlag, .specialUseTaken:
                throw .cannot(error.description)
            case .unknownUser:
                logger.error("imap: authenticated user has no account", metadata: ["user": "\(user)"])
                throw .noPermission
            case .storage(let failure):
                logger.error("imap: storage failed", metadata: ["user": "\(user)", "error": "\(failure)"])
                if failure.kind == .diskFull { throw .overQuota }
                throw .unavailable
            }
        } catch {
            logger.error("imap: storage failed", metadata: ["user": "\(user)", "error": "\(error)"])
            throw .unavailable
        }
    }
}
