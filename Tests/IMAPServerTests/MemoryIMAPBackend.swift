import IMAPServer
import MailMessage
import Synchronization

/// An in-memory `IMAPBackend` that keeps the protocol's promises: ascending UIDs never reused,
/// a mod-sequence per mailbox that grows with every change, expunges remembered with their
/// mod-sequence (for `changes`), notifications to every watcher of a mailbox. One user, alice
/// (password "secret").
final class MemoryIMAPBackend: IMAPBackend {
    struct StoredMessage {
        var uid: UInt32
        var flags: [IMAPFlag]
        var modSeq: UInt64
        var internalDate: IMAPDateTime
        var raw: [UInt8]

        var info: IMAPMessageInfo {
            IMAPMessageInfo(uid: uid, flags: flags, modSeq: modSeq, internalDate: internalDate,
                            size: IMAPMessageEncoding.transmittedSize(of: raw))
        }
    }

    struct Box {
        var uidValidity: UInt32
        var uidNext: UInt32 = 1
        var highestModSeq: UInt64 = 1
        var messages: [StoredMessage] = []
        var expunged: [(uid: UInt32, modSeq: UInt64)] = []
        var subscribed = false
        var specialUse: [String] = []
        /// The backend lets nothing change here: its snapshots say `readOnly`.
        var readOnly = false
    }

    struct State {
        var boxes: [String: Box] = [:]
        var nextValidity: UInt32 = 100
        var watchers: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
        var nextWatcher = 0
        var candidateQueries: [[String]] = []
        /// RFC 9208 STORAGE limit in octets over every mailbox (root ""), nil for none.
        var storageLimit: UInt64?
    }

    let state = Mutex(State())
    /// Which messages sessions have seen as \Recent (RFC 3501 §2.3.2).
    let recentMessages = IMAPRecentMessages()
    static let date = IMAPDateTime(date: IMAPDate(year: 2024, month: 3, day: 5)!, hour: 10, minute: 0, second: 0,
                                   zoneMinutes: 60)!

    init(mailboxes: [String] = ["INBOX", "Sent", "Trash", "Archive/2023"]) {
        state.withLock { state in
            for name in mailboxes {
                state.boxes[name] = Box(uidValidity: state.nextValidity)
                state.nextValidity += 1
            }
            state.boxes["Sent"]?.specialUse = ["\\Sent"]
            state.boxes["Trash"]?.specialUse = ["\\Trash"]
            state.boxes["INBOX"]?.subscribed = true
        }
    }

    /// Adds a message as a delivery would. Unless `recent`, it is claimed at once, as if an
    /// earlier session had seen it, so that tests about other things read no \Recent.
    @discardableResult
    func deliver(_ text: String, to mailbox: String = "INBOX", flags: [IMAPFlag] = [],
                 date: IMAPDateTime = MemoryIMAPBackend.date, recent: Bool = false) -> UInt32 {
        let (uid, validity) = state.withLock { state in
            (Self.add(Array(text.utf8), flags: flags, date: date, to: mailbox, in: &state),
             state.boxes[mailbox]!.uidValidity)
        }
        if !recent, let name = try? MailboxName(mailbox) {
            _ = recentMessages.claim([uid], in: name, uidValidity: validity, user: "alice", consume: true)
        }
        notify(mailbox)
        return uid
    }

    var candidateQueries: [[String]] { state.withLock { $0.candidateQueries } }

    func flags(of uid: UInt32, in mailbox: String = "INBOX") -> [IMAPFlag]? {
        state.withLock { $0.boxes[mailbox]?.messages.first { $0.uid == uid }?.flags }
    }

    func uids(in mailbox: String) -> [UInt32] {
        state.withLock { $0.boxes[mailbox]?.messages.map(\.uid) ?? [] }
    }

    private static func add(_ raw: [UInt8], flags: [IMAPFlag], date: IMAPDateTime, to mailbox: String,
                            in state: inout State) -> UInt32 {
        var box = state.boxes[mailbox]!
        box.highestModSeq += 1
        let uid = box.uidNext
        box.uidNext += 1
        box.messages.append(StoredMessage(uid: uid, flags: flags, modSeq: box.highestModSeq, internalDate: date, raw: raw))
        state.boxes[mailbox] = box
        return uid
    }

    private func notify(_ mailbox: String) {
        let watchers = state.withLock { Array(($0.watchers[mailbox] ?? [:]).values) }
        for watcher in watchers { watcher.yield() }
    }

    private func box(_ name: MailboxName) throws(IMAPBackendError) -> Box {
        guard let box = state.withLock({ $0.boxes[name.name] }) else { throw .nonExistent }
        return box
    }

    // MARK: - IMAPBackend

    func authenticate(username: String, password: String, session: IMAPSessionInfo) async -> String? {
        username == "alice" && password == "secret" ? "alice" : nil
    }

    func mailboxes(of user: String) async throws(IMAPBackendError) -> [IMAPMailboxInfo] {
        state.withLock { state in
            state.boxes.map { name, box in
                IMAPMailboxInfo(name: try! MailboxName(name), specialUse: box.specialUse, subscribed: box.subscribed)
            }
        }
    }

    func create(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        let created: Bool = state.withLock { state in
            guard state.boxes[mailbox.name] == nil else { return false }
            var name: MailboxName? = mailbox
            while let current = name {
                if state.boxes[current.name] == nil {
                    state.boxes[current.name] = Box(uidValidity: state.nextValidity)
                    state.nextValidity += 1
                }
                name = current.parent
            }
            return true
        }
        if !created { throw .alreadyExists }
    }

    /// RFC 6154 §3, with one `\\Drafts` mailbox at most (as the real store keeps it).
    func create(_ mailbox: MailboxName, specialUse: String, user: String) async throws(IMAPBackendError) {
        let taken = state.withLock { state in
            specialUse == "\\Drafts" && state.boxes.values.contains { $0.specialUse.contains("\\Drafts") }
        }
        if taken { throw .specialUseRefused("There is a \\Drafts mailbox already") }
        try await create(mailbox, user: user)
        state.withLock { $0.boxes[mailbox.name]?.specialUse = [specialUse] }
    }

    func delete(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) {
        let removed = state.withLock { $0.boxes.removeValue(forKey: mailbox.name) != nil }
        if !removed { throw .nonExistent }
    }

    func rename(_ mailbox: MailboxName, to newName: MailboxName, user: String) async throws(IMAPBackendError) {
        let outcome: IMAPBackendError? = state.withLock { state in
            guard let box = state.boxes[mailbox.name] else { return .nonExistent }
            guard state.boxes[newName.name] == nil else { return .alreadyExists }
            state.boxes[mailbox.name] = nil
            var moved = box
            moved.uidValidity = state.nextValidity
            state.nextValidity += 1
            state.boxes[newName.name] = moved
            for (name, child) in state.boxes where name.hasPrefix(mailbox.name + "/") {
                state.boxes[name] = nil
                state.boxes[newName.name + name.dropFirst(mailbox.name.count)] = child
            }
            if mailbox.isInbox { state.boxes["INBOX"] = Box(uidValidity: state.nextValidity, subscribed: true) }
            return nil
        }
        if let outcome { throw outcome }
    }

    func setSubscribed(_ mailbox: MailboxName, _ subscribed: Bool, user: String) async throws(IMAPBackendError) {
        let found = state.withLock { state in
            guard state.boxes[mailbox.name] != nil else { return false }
            state.boxes[mailbox.name]!.subscribed = subscribed
            return true
        }
        if !found { throw .nonExistent }
    }

    func status(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxStatus {
        let box = try box(mailbox)
        return IMAPMailboxStatus(
            messages: UInt32(box.messages.count), unseen: UInt32(box.messages.count { !$0.flags.contains(.seen) }),
            deleted: UInt32(box.messages.count { $0.flags.contains(.deleted) }),
            size: UInt64(box.messages.reduce(0) { $0 + $1.info.size }), uidNext: box.uidNext,
            uidValidity: box.uidValidity, highestModSeq: box.highestModSeq,
            recent: UInt32(recentMessages.unclaimedCount(of: box.messages.map(\.uid), in: mailbox,
                                                         uidValidity: box.uidValidity, user: user)))
    }

    func select(_ mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> IMAPMailboxSnapshot {
        let box = try box(mailbox)
        return IMAPMailboxSnapshot(uidValidity: box.uidValidity, uidNext: box.uidNext, highestModSeq: box.highestModSeq,
                                   messages: box.messages.map(\.info), readOnly: box.readOnly)
    }

    func changes(in mailbox: MailboxName, since modSeq: UInt64, user: String) async throws(IMAPBackendError)
        -> IMAPMailboxChanges
    {
        let box = try box(mailbox)
        return IMAPMailboxChanges(
            uidValidity: box.uidValidity, uidNext: box.uidNext, highestModSeq: box.highestModSeq,
            messages: box.messages.filter { $0.modSeq > modSeq }.map(\.info),
            expunged: box.expunged.filter { $0.modSeq > modSeq }.map(\.uid))
    }

    func changeNotifications(for mailbox: MailboxName, user: String) async -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[mailbox.name, default: [:]][id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers[mailbox.name]?.removeValue(forKey: id) }
        }
        return stream
    }

    func messages(_ uids: [UInt32], in mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [UInt32: [UInt8]]
    {
        let box = try box(mailbox)
        var result: [UInt32: [UInt8]] = [:]
        for message in box.messages where uids.contains(message.uid) { result[message.uid] = message.raw }
        return result
    }

    func store(_ change: IMAPFlagChange, uids: [UInt32], unchangedSince: UInt64?, in mailbox: MailboxName, user: String)
        async throws(IMAPBackendError) -> IMAPStoreResult
    {
        _ = try box(mailbox)
        let result = state.withLock { state in
            var box = state.boxes[mailbox.name]!
            var updated: [IMAPMessageInfo] = []
            var modified: [UInt32] = []
            for i in box.messages.indices where uids.contains(box.messages[i].uid) {
                if let unchangedSince, box.messages[i].modSeq > unchangedSince {
                    modified.append(box.messages[i].uid)
                    continue
                }
                var flags = box.messages[i].flags
                switch change.operation {
                case .replace: flags = change.flags
                case .add: for flag in change.flags where !flags.contains(flag) { flags.append(flag) }
                case .remove: flags.removeAll { change.flags.contains($0) }
                }
                if Set(flags) != Set(box.messages[i].flags) {
                    box.highestModSeq += 1
                    box.messages[i].flags = flags
                    box.messages[i].modSeq = box.highestModSeq
                }
                updated.append(box.messages[i].info)
            }
            state.boxes[mailbox.name] = box
            return IMAPStoreResult(updated: updated, modified: modified)
        }
        notify(mailbox.name)
        return result
    }

    func copy(_ uids: [UInt32], from mailbox: MailboxName, to destination: MailboxName, move: Bool, user: String)
        async throws(IMAPBackendError) -> IMAPCopyResult
    {
        _ = try box(mailbox)
        _ = try box(destination)
        let result = state.withLock { state in
            let sources = state.boxes[mailbox.name]!.messages.filter { uids.contains($0.uid) }
            var created: [UInt32] = []
            for message in sources {
                created.append(Self.add(message.raw, flags: message.flags, date: message.internalDate,
                                        to: destination.name, in: &state))
            }
            if move { Self.remove(Set(sources.map(\.uid)), from: mailbox.name, in: &state) }
            return IMAPCopyResult(uidValidity: state.boxes[destination.name]!.uidValidity, sourceUIDs: sources.map(\.uid),
                                  destinationUIDs: created)
        }
        notify(destination.name)
        if move { notify(mailbox.name) }
        return result
    }

    private static func remove(_ uids: Set<UInt32>, from mailbox: String, in state: inout State) {
        var box = state.boxes[mailbox]!
        for uid in uids.sorted() {
            box.highestModSeq += 1
            box.expunged.append((uid, box.highestModSeq))
        }
        box.messages.removeAll { uids.contains($0.uid) }
        state.boxes[mailbox] = box
    }

    func expunge(_ uids: [UInt32]?, in mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [UInt32] {
        _ = try box(mailbox)
        let removed = state.withLock { state in
            let doomed = state.boxes[mailbox.name]!.messages.filter {
                $0.flags.contains(.deleted) && (uids?.contains($0.uid) ?? true)
            }.map(\.uid)
            Self.remove(Set(doomed), from: mailbox.name, in: &state)
            return doomed
        }
        notify(mailbox.name)
        return removed
    }

    func append(_ message: [UInt8], flags: [IMAPFlag], internalDate: IMAPDateTime?, to mailbox: MailboxName,
                user: String) async throws(IMAPBackendError) -> IMAPAppendResult {
        _ = try box(mailbox)
        if let quota = try await quota(root: "", user: user),
            quota.exceeded(adding: UInt64(IMAPMessageEncoding.transmittedSize(of: message))) { throw .overQuota }
        let result = state.withLock { state in
            let uid = Self.add(message, flags: flags, date: internalDate ?? Self.date, to: mailbox.name, in: &state)
            return IMAPAppendResult(uidValidity: state.boxes[mailbox.name]!.uidValidity, uid: uid)
        }
        notify(mailbox.name)
        return result
    }

    /// Narrows by case-insensitive substring over the decoded header values and text.
    func claimRecent(_ uids: [UInt32], in mailbox: MailboxName, uidValidity: UInt32, consume: Bool, user: String) async
        -> Set<UInt32>
    {
        recentMessages.claim(uids, in: mailbox, uidValidity: uidValidity, user: user, consume: consume)
    }

    /// RFC 3502: all or none. A message whose text contains "FAIL-APPEND" fails its batch (as a
    /// storage failure would), after the messages before it were looked at.
    func appendAll(_ messages: [IMAPAppendItem], to mailbox: MailboxName, user: String) async throws(IMAPBackendError)
        -> [IMAPAppendResult]
    {
        _ = try box(mailbox)
        let octets = messages.reduce(UInt64(0)) { $0 + UInt64(IMAPMessageEncoding.transmittedSize(of: $1.message)) }
        if let quota = try await quota(root: "", user: user), quota.exceeded(adding: octets) { throw .overQuota }
        let marker = Array("FAIL-APPEND".utf8)
        if messages.contains(where: { $0.message.firstRange(of: marker) != nil }) { throw .unavailable }
        let results = state.withLock { state in
            messages.map { message in
                let uid = Self.add(message.message, flags: message.flags, date: message.internalDate ?? Self.date,
                                   to: mailbox.name, in: &state)
                return IMAPAppendResult(uidValidity: state.boxes[mailbox.name]!.uidValidity, uid: uid)
            }
        }
        notify(mailbox.name)
        return results
    }

    /// RFC 9208: one root, "", over every mailbox, when `storageLimit` is set.
    func quota(root: String, user: String) async throws(IMAPBackendError) -> IMAPQuota? {
        guard root == "" else { return nil }
        return state.withLock { state in
            state.storageLimit.map { limit in
                let used = state.boxes.values.flatMap(\.messages).reduce(UInt64(0)) { $0 + UInt64($1.info.size) }
                return IMAPQuota(root: "", usedOctets: used, limitOctets: limit)
            }
        }
    }

    func quotas(of mailbox: MailboxName, user: String) async throws(IMAPBackendError) -> [IMAPQuota] {
        _ = try box(mailbox)
        return try await quota(root: "", user: user).map { [$0] } ?? []
    }

    func searchCandidates(containing terms: [String], in mailbox: MailboxName, user: String) async -> Set<UInt32>? {
        state.withLock { $0.candidateQueries.append(terms) }
        guard let box = try? box(mailbox) else { return nil }
        var result: Set<UInt32> = []
        for message in box.messages {
            let parsed = Message(parsing: message.raw)
            let header = parsed.header.fields.map { EncodedWords.decode($0.unfoldedValue(in: parsed.raw)) }
            let haystack = (header + [parsed.plainText()]).joined(separator: "\n").lowercased()
            if terms.allSatisfy({ haystack.contains($0.lowercased()) }) { result.insert(message.uid) }
        }
        return result
    }
}
