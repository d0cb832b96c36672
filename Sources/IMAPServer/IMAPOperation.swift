/// A storage operation the session asks the connection to run against the backend
/// (`IMAPBackend`) for the logged-in user, once the command was checked. The answer comes back
/// through `IMAPSession.finished(_:)`.
public enum IMAPOperation: Hashable, Sendable {
    /// LIST, LSUB (RFC 3501 §6.3.8, §6.3.9).
    case mailboxes
    /// CREATE, with a special-use attribute (RFC 6154 §3) or nil.
    case create(MailboxName, specialUse: String? = nil)
    case delete(MailboxName)
    case rename(MailboxName, to: MailboxName)
    case setSubscribed(MailboxName, Bool)
    /// STATUS, and LIST RETURN (STATUS) (RFC 5819) for several mailboxes at once.
    case status([MailboxName])
    case select(MailboxName)
    case changes(MailboxName, since: UInt64)
    case messages([UInt32], MailboxName)
    case store(IMAPFlagChange, uids: [UInt32], unchangedSince: UInt64?, MailboxName)
    case copy([UInt32], from: MailboxName, to: MailboxName, move: Bool)
    case expunge([UInt32]?, MailboxName)
    case append(IMAPAppendMessage, to: MailboxName)
    /// MULTIAPPEND (RFC 3502): all or none.
    case appendAll([IMAPAppendMessage], to: MailboxName)
    case searchCandidates([String], MailboxName)
    /// RFC 3501 §2.3.2: which of these messages are \Recent for this session (claimed if `consume`).
    case claimRecent([UInt32], MailboxName, uidValidity: UInt32, consume: Bool)
    /// GETQUOTAROOT (RFC 9208 §4.3).
    case quotas(MailboxName)
    /// GETQUOTA (RFC 9208 §4.2).
    case quota(root: String)
}

/// What the backend answered to an `IMAPOperation`.
public enum IMAPOperationResult: Hashable, Sendable {
    case done
    case mailboxes([IMAPMailboxInfo])
    /// One per requested mailbox, in order; nil where the mailbox could not be read.
    case statuses([IMAPMailboxStatus?])
    case snapshot(IMAPMailboxSnapshot)
    case changes(IMAPMailboxChanges)
    case messages([UInt32: [UInt8]])
    case stored(IMAPStoreResult)
    case copied(IMAPCopyResult)
    case expunged([UInt32])
    case appended(IMAPAppendResult)
    case appendedAll([IMAPAppendResult])
    case candidates(Set<UInt32>?)
    case recent(Set<UInt32>)
    case quotas([IMAPQuota])
    case failed(IMAPBackendError)
}

extension IMAPBackend {
    /// Runs one operation for `user` (the one place the connection calls the mailbox methods).
    public func run(_ operation: IMAPOperation, user: String) async -> IMAPOperationResult {
        do throws(IMAPBackendError) {
            switch operation {
            case .mailboxes: return .mailboxes(try await mailboxes(of: user))
            case .create(let name, let specialUse):
                if let specialUse {
                    try await create(name, specialUse: specialUse, user: user)
                } else {
                    try await create(name, user: user)
                }
            case .delete(let name): try await delete(name, user: user)
            case .rename(let name, let newName): try await rename(name, to: newName, user: user)
            case .setSubscribed(let name, let on): try await setSubscribed(name, on, user: user)
            case .status(let names):
                // A single STATUS reports why it failed; LIST RETURN (STATUS) leaves such mailboxes out.
                if names.count == 1 { return .statuses([try await status(of: names[0], user: user)]) }
                var statuses: [IMAPMailboxStatus?] = []
                for name in names { statuses.append(try? await status(of: name, user: user)) }
                return .statuses(statuses)
            case .select(let name): return .snapshot(try await select(name, user: user))
            case .changes(let name, let modSeq): return .changes(try await changes(in: name, since: modSeq, user: user))
            case .messages(let uids, let name): return .messages(try await messages(uids, in: name, user: user))
            case .store(let change, let uids, let unchangedSince, let name):
                return .stored(try await store(change, uids: uids, unchangedSince: unchangedSince, in: name, user: user))
            case .copy(let uids, let source, let destination, let move):
                return .copied(try await copy(uids, from: source, to: destination, move: move, user: user))
            case .expunge(let uids, let name): return .expunged(try await expunge(uids, in: name, user: user))
            case .append(let message, let name):
                let data: [UInt8]
                do {
                    data = try await message.octets.bytes()
                } catch {
                    throw IMAPBackendError.cannot("the message could not be read back from the spool: \(error)")
                }
                return .appended(
                    try await append(data, flags: message.flags, internalDate: message.internalDate, to: name, user: user))
            case .appendAll(let messages, let name):
                var items: [IMAPAppendItem] = []
                for message in messages {
                    do {
                        items.append(IMAPAppendItem(message: try await message.octets.bytes(), flags: message.flags,
                                                    internalDate: message.internalDate))
                    } catch {
                        throw IMAPBackendError.cannot("the message could not be read back from the spool: \(error)")
                    }
                }
                return .appendedAll(try await appendAll(items, to: name, user: user))
            case .searchCandidates(let terms, let name):
                return .candidates(await searchCandidates(containing: terms, in: name, user: user))
            case .claimRecent(let uids, let name, let uidValidity, let consume):
                return .recent(await claimRecent(uids, in: name, uidValidity: uidValidity, consume: consume, user: user))
            case .quotas(let name): return .quotas(try await quotas(of: name, user: user))
            case .quota(let root): return .quotas(try await quota(root: root, user: user).map { [$0] } ?? [])
            }
            return .done
        } catch {
            return .failed(error)
        }
    }
}
