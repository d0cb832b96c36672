/// Commands of the selected state (RFC 3501 §6.4, RFC 9051 §6.4) but FETCH and SEARCH.
extension IMAPSession {
    mutating func selectedCommand(_ tag: String, _ command: IMAPCommand) -> Action {
        guard let mailbox = selected else { return wrongState(tag, command) }
        switch command {
        case .close:
            // RFC 3501 §6.4.2: expunge silently (not in a read-only mailbox), then leave.
            guard !mailbox.readOnly else { return unselect(tag, "CLOSE completed") }
            pending = .expunge(tag: tag, silent: true, command: "CLOSE")
            return Action([], .perform(.expunge(nil, mailbox.name)))
        case .unselect:
            // RFC 3691 §2.
            return unselect(tag, "UNSELECT completed")
        case .expunge, .uidExpunge:
            guard !mailbox.readOnly else { return Action([no(tag, "Mailbox is read-only", code: .readOnly)]) }
            var uids: [UInt32]? = nil
            if case .uidExpunge(let set) = command {
                // RFC 4315 §2.1: only the messages in the set.
                guard let indices = resolve(set, uid: true, in: mailbox) else { return bad(tag, "Invalid UID set") }
                uids = indices.map { mailbox.messages[$0].uid }
            }
            pending = .expunge(tag: tag, silent: false, command: command.name)
            return Action([], .perform(.expunge(uids, mailbox.name)))
        case .fetch(let set, let attributes, let changedSince, let uid):
            return fetch(tag, set, attributes, changedSince: changedSince, uid: uid)
        case .search(let command, let uid):
            return search(tag, command, uid: uid)
        case .store(let set, let action, let unchangedSince, let uid):
            return store(tag, set, action, unchangedSince: unchangedSince, uid: uid)
        case .copy(let set, let destination, let uid), .move(let set, let destination, let uid):
            var move = false
            if case .move = command { move = true }
            if move, mailbox.readOnly { return Action([no(tag, "Mailbox is read-only", code: .readOnly)]) }
            guard let indices = resolve(set, uid: uid, in: mailbox) else {
                return bad(tag, "Invalid message sequence number")
            }
            let uids = indices.map { mailbox.messages[$0].uid }
            guard !uids.isEmpty else { return complete(tag, text: "\(command.name) completed (no messages)", allowExpunge: uid) }
            pending = .copy(tag: tag, uid: uid, move: move)
            return Action([], .perform(.copy(uids, from: mailbox.name, to: destination, move: move)))
        default:
            return bad(tag, "Command not expected now")
        }
    }

    /// Indices of a sequence set, nil when a message number does not exist. "$" (RFC 5182 §2.1)
    /// is the saved search result, the same messages in UID and sequence-number commands, less
    /// those expunged since; an empty one is no error (§2.1: the command then acts on nothing).
    func resolve(_ set: SequenceSet, uid: Bool, in mailbox: IMAPSelectedMailbox) -> [Int]? {
        guard set != .savedResult else { return mailbox.savedSearch.compactMap { mailbox.index(ofUID: $0) } }
        return try? mailbox.indices(of: set, uid: uid)
    }

    private mutating func unselect(_ tag: String, _ text: String) -> Action {
        selected = nil
        cache.removeAll()
        state = .authenticated
        return Action([ok(tag, text)])
    }

    // MARK: - EXPUNGE, UID EXPUNGE, CLOSE

    mutating func expungeFinished(_ tag: String, silent: Bool, command: String, _ result: IMAPOperationResult) -> Action {
        if silent {
            // CLOSE: no EXPUNGE responses (RFC 3501 §6.4.2), whatever happened.
            return unselect(tag, "\(command) completed")
        }
        guard case .expunged(let uids) = result, var mailbox = selected else {
            if case .failed(let error) = result { return Action([refusal(tag, error)]) }
            return Action([no(tag, "\(command) failed")])
        }
        let responses = mailbox.expunged(uids)
        selected = mailbox
        return complete(tag, text: "\(command) completed", responses: responses, allowExpunge: true)
    }

    // MARK: - STORE (RFC 3501 §6.4.6, RFC 7162 §3.1.3)

    private mutating func store(
        _ tag: String, _ set: SequenceSet, _ action: IMAPStoreAction, unchangedSince: UInt64?, uid: Bool
    ) -> Action {
        guard let mailbox = selected else { return wrongState(tag, .check) }
        guard !mailbox.readOnly else { return Action([no(tag, "Mailbox is read-only", code: .readOnly)]) }
        guard let indices = resolve(set, uid: uid, in: mailbox) else { return bad(tag, "Invalid message sequence number") }
        // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE-enabling use.
        if unchangedSince != nil { enableCondstoreByUse() }
        let uids = indices.map { mailbox.messages[$0].uid }.filter { !mailbox.pendingExpunges.contains($0) }
        guard !uids.isEmpty else { return complete(tag, text: "STORE completed", allowExpunge: uid) }
        let flags = action.flags.filter { $0 != .recent && $0 != .wildcard }
        pending = .store(tag: tag, uid: uid, silent: action.silent, requested: Set(uids))
        return Action([], .perform(.store(IMAPFlagChange(action.operation, flags), uids: uids,
                                          unchangedSince: unchangedSince, mailbox.name)))
    }

    mutating func stored(_ tag: String, uid: Bool, silent: Bool, requested: Set<UInt32>, _ result: IMAPOperationResult)
        -> Action
    {
        guard case .stored(let outcome) = result, var mailbox = selected else {
            if case .failed(let error) = result { return Action([refusal(tag, error)]) }
            return Action([no(tag, "STORE failed")])
        }
        // RFC 3501 §7.2.6: a keyword new to the mailbox is announced before the FETCH that shows it.
        var responses = mailbox.announceNewKeywords(
            in: outcome.updated.filter { mailbox.index(ofUID: $0.uid) != nil }.map(\.flags))
        for info in outcome.updated.sorted(by: { $0.uid < $1.uid }) {
            guard let index = mailbox.index(ofUID: info.uid) else { continue }
            mailbox.update(info)
            guard !silent, requested.contains(info.uid) else { continue }
            var items: [IMAPFetchItem] = [.flags(mailbox.flags(of: info, showRecent: !rev2))]
            if uid { items.insert(.uid(info.uid), at: 0) }
            if condstore { items.append(.modSeq(info.modSeq)) }
            responses.append(.data(.fetch(UInt32(index + 1), items)))
        }
        selected = mailbox
        var code: IMAPResponseCode? = nil
        if !outcome.modified.isEmpty {
            // RFC 7162 §3.1.3: the messages that failed the UNCHANGEDSINCE test.
            let numbers = uid ? outcome.modified : outcome.modified.compactMap { mailbox.index(ofUID: $0).map { UInt32($0 + 1) } }
            code = .modified(SequenceSet(numbers))
        }
        return complete(tag, text: code == nil ? "STORE completed" : "Conditional STORE failed for some messages",
                        code: code, responses: responses, allowExpunge: uid)
    }

    // MARK: - COPY, MOVE (RFC 3501 §6.4.7, RFC 6851, RFC 4315 COPYUID)

    mutating func copied(_ tag: String, uid: Bool, move: Bool, _ result: IMAPOperationResult) -> Action {
        let name = (uid ? "UID " : "") + (move ? "MOVE" : "COPY")
        guard case .copied(let receipt) = result, var mailbox = selected else {
            // RFC 3501 §6.4.7: [TRYCREATE] when the destination does not exist.
            if case .failed(let error) = result { return Action([refusal(tag, error, tryCreate: true)]) }
            return Action([no(tag, "\(name) failed")])
        }
        let code = IMAPResponseCode.copyUID(
            uidValidity: receipt.uidValidity, source: SequenceSet(orderedValues: receipt.sourceUIDs),
            destination: SequenceSet(orderedValues: receipt.destinationUIDs))
        guard move else { return complete(tag, text: "\(name) completed", code: code, allowExpunge: uid) }
        // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs.
        var responses: [IMAPResponse] = [.untaggedStatus(.ok, code: code, text: "Moved")]
        responses += mailbox.expunged(receipt.sourceUIDs)
        selected = mailbox
        return complete(tag, text: "\(name) completed", responses: responses, allowExpunge: true)
    }
}
