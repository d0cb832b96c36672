import Catalog
import StoreModel

/// The messages of a mailbox for an IMAP session: SELECT's snapshot, what changed since a MODSEQ,
/// STORE, COPY, MOVE, EXPUNGE and SEARCH's full-text candidates. Names and users as in
/// `MailStore+IMAPMailboxes`; UID sets are closed ranges (`*` resolved by the session, or
/// `UInt32.max`), UIDs not in the mailbox are ignored. Each write is one catalog transaction, and
/// its change is published on `mailboxChanges` after the commit.
extension MailboxService {
    /// SELECT / EXAMINE (RFC 3501 §6.3.1): every message in UID order with UID, flags, MODSEQ,
    /// INTERNALDATE, size, SHA-256 and where its bytes are; one query however large the mailbox.
    /// As the owner sees it: without the messages a restriction of processing covers, unless
    /// `hidingRestricted` is false (exports of a user's folders).
    public func snapshot(_ name: String, of user: String, hidingRestricted: Bool = true) async throws(MailboxError)
        -> MailboxSnapshot
    {
        try await catching {
            try await catalog.mailboxes.snapshot(of: try IMAPMailboxName.validate(name), of: AccountAddress.fold(user),
                                                 hidingRestricted: hidingRestricted)
        }
    }

    /// Messages placed or re-flagged, and UIDs expunged, after `modSeq` (RFC 7162 §3.1.4, §3.2.5.2):
    /// what a session reports after IDLE or NOOP, or a client resynchronises with.
    public func changes(_ name: String, of user: String, since modSeq: UInt64) async throws(MailboxError) -> MailboxChanges {
        try await catching {
            try await catalog.mailboxes.changes(in: try IMAPMailboxName.validate(name), of: AccountAddress.fold(user),
                                                since: modSeq, hidingRestricted: true)
        }
    }

    /// One message by UID, or nil (also for a message a restriction hides).
    public func message(uid: UInt32, in name: String, of user: String) async throws(MailboxError) -> MailboxEntry? {
        try await catching {
            try await catalog.mailboxes.message(uid: uid, in: try IMAPMailboxName.validate(name),
                                                of: AccountAddress.fold(user), hidingRestricted: true)
        }
    }

    /// The placed messages among `uids`, in UID order, in one catalog read (FETCH and SEARCH batches);
    /// messages a restriction hides are left out.
    public func messages(uids: [UInt32], in name: String, of user: String) async throws(MailboxError) -> [MailboxEntry] {
        try await catching {
            try await catalog.mailboxes.messages(uids: uids, in: try IMAPMailboxName.validate(name),
                                                 of: AccountAddress.fold(user), hidingRestricted: true)
        }
    }

    /// STORE / UID STORE (RFC 3501 §6.4.6): `flags` as the client names them (`MailboxError.invalidFlag`
    /// for one that is neither a system flag nor an atom; `\Recent` is ignored). With
    /// `unchangedSince` (RFC 7162 §3.1.3) messages changed after it are left alone and returned in
    /// `failed`. One transaction for the whole set, one new MODSEQ for the messages that change.
    public func storeFlags(
        _ flags: [String], mode: FlagStoreMode, uids: [ClosedRange<UInt32>], unchangedSince: UInt64? = nil,
        in name: String, of user: String
    ) async throws(MailboxError) -> FlagStoreResult {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
            let parsed = try MessageFlags(parsing: flags)
            let result = try await catalog.mailboxes.storeFlags(parsed, mode: mode, uids: uids, unchangedSince: unchangedSince,
                                                      in: mailbox, of: address)
            if result.messages.contains(where: \.changed) {
                await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .flagsChanged))
            }
            return result
        }
    }

    /// COPY / UID COPY (RFC 3501 §6.4.7) with COPYUID data (RFC 4315 §3). A missing destination is
    /// `MailboxError.nonexistent` (answer TRYCREATE).
    public func copyMessages(uids: [ClosedRange<UInt32>], from source: String, to destination: String,
                             of user: String, by actor: AuditActor) async throws(MailboxError) -> CopyResult {
        try await catching {
            try await transfer(uids: uids, from: source, to: destination, of: user, move: false, by: actor)
        }
    }

    /// MOVE / UID MOVE (RFC 6851): each message is copied and expunged in one transaction (in
    /// batches, see `CatalogMailboxes.copyMessages`), so no other session ever sees it in both
    /// mailboxes or in neither. Returns COPYUID data; audited, also the part of a MOVE that failed
    /// after its first batch.
    public func moveMessages(uids: [ClosedRange<UInt32>], from source: String, to destination: String,
                             of user: String, by actor: AuditActor) async throws(MailboxError) -> CopyResult {
        try await catching {
            try await transfer(uids: uids, from: source, to: destination, of: user, move: true, by: actor)
        }
    }

    /// EXPUNGE (RFC 3501 §6.4.3): every `\Deleted` message; with `uids`, only those of them in the set
    /// (UID EXPUNGE, RFC 4315 §2.1). The archive and search keep the messages.
    public func expunge(uids: [ClosedRange<UInt32>]? = nil, in name: String, of user: String, by actor: AuditActor)
        async throws(MailboxError) -> ExpungeResult
    {
        try await catching {
            let mailbox = try IMAPMailboxName.validate(name), address = AccountAddress.fold(user)
            let result = try await catalog.mailboxes.expunge(uids: uids, in: mailbox, of: address)
            if !result.expunged.isEmpty {
                try await audit("imap expunge", "user=\(address) mailbox=\(mailbox) uids=\(Self.uidList(result.expunged))",
                                count: result.expunged.count, by: actor)
                await mailboxChanges.publish(MailboxChange(user: address, mailbox: mailbox, kind: .messagesExpunged))
            }
            return result
        }
    }

    /// SEARCH text keys (RFC 3501 §6.4.4 TEXT, BODY, SUBJECT, FROM, TO, CC, BCC): a superset of the UIDs
    /// whose indexed text holds every term's value as a substring, or nil when the index cannot narrow
    /// (see `Catalog.searchCandidates` for the exact guarantee); the session checks each candidate.
    public func searchCandidates(_ terms: [SearchTextTerm], in name: String, of user: String) async throws(MailboxError)
        -> [UInt32]?
    {
        try await catching {
            try await catalog.mailboxes.searchCandidates(terms, in: try IMAPMailboxName.validate(name), of: AccountAddress.fold(user))
        }
    }

    /// UIDs for the audit trail, ranges folded: "1:4,7".
    static func uidList(_ uids: [UInt32]) -> String {
        var parts: [String] = []
        var start: UInt32?, previous: UInt32 = 0
        for uid in uids.sorted() {
            if let first = start, uid == previous + 1 {
                previous = uid
                _ = first
                continue
            }
            if let first = start { parts.append(first == previous ? "\(first)" : "\(first):\(previous)") }
            start = uid
            previous = uid
        }
        if let first = start { parts.append(first == previous ? "\(first)" : "\(first):\(previous)") }
        return parts.joined(separator: ",")
    }

    /// COPY and MOVE. Drafts leaving the drafts folder for another are journaled first (see
    /// `MailboxService+Drafts`), and their copies name the new archive records.
    private func transfer(uids: [ClosedRange<UInt32>], from source: String, to destination: String, of user: String,
                          move: Bool, by actor: AuditActor) async throws -> CopyResult {
        let from = try IMAPMailboxName.validate(source), to = try IMAPMailboxName.validate(destination)
        let address = AccountAddress.fold(user)
        var journaled: [UInt32: IndexItem] = [:]
        if try await isDraftsFolder(from, of: address), !(try await isDraftsFolder(to, of: address)) {
            let entries = try await catalog.mailboxes.snapshot(of: from, of: address).messages
                .filter { entry in uids.contains { $0.contains(entry.uid) } }
            journaled = try await journalDrafts(entries, into: to, of: address, by: actor)
        }
        let result: CopyResult
        do {
            result = try await catalog.mailboxes.copyMessages(uids: uids, from: from, to: to, of: address, move: move,
                                                              journaled: journaled)
        } catch let partial as CatalogMailboxes.PartialMove {
            try await moved(partial.moved, from: from, to: to, of: address, by: actor)
            throw partial.cause
        } catch {
            // The destination vanished meanwhile: the journaled records are listed all the same.
            try await catalog.messages.indexUnplaced(Array(journaled.values))
            throw error
        }
        if move {
            try await moved(result, from: from, to: to, of: address, by: actor)
        } else if !result.sourceUIDs.isEmpty {
            await mailboxChanges.publish([MailboxChange(user: address, mailbox: to, kind: .messagesAdded)])
        }
        return result
    }

    /// Tells the sessions of both mailboxes and audits the messages a MOVE moved.
    private func moved(_ result: CopyResult, from source: String, to destination: String, of address: String,
                       by actor: AuditActor) async throws {
        guard !result.sourceUIDs.isEmpty else { return }
        await mailboxChanges.publish([MailboxChange(user: address, mailbox: destination, kind: .messagesAdded),
                                      MailboxChange(user: address, mailbox: source, kind: .messagesExpunged)])
        try await audit("imap move", "user=\(address) mailbox=\(source) to=\(destination) "
                            + "uids=\(Self.uidList(result.sourceUIDs)) new=\(Self.uidList(result.destinationUIDs))",
                        count: result.sourceUIDs.count, by: actor)
    }
}
