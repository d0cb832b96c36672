/// Commands of the authenticated state (RFC 3501 §6.3, RFC 9051 §6.3) and the dispatch of the
/// selected state's commands.
extension IMAPSession {
    mutating func authenticatedCommand(_ tag: String, _ command: IMAPCommand) -> Action {
        switch command {
        case .enable(let names): return enable(tag, names)
        case .namespace:
            // RFC 2342 §5: one personal namespace, no others.
            return Action([
                .data(.namespace(personal: [IMAPNamespace(prefix: "")], otherUsers: nil, shared: nil)),
                ok(tag, "NAMESPACE completed"),
            ])
        case .select(let name, let condstore), .examine(let name, let condstore):
            let readOnly: Bool
            if case .examine = command { readOnly = true } else { readOnly = false }
            // RFC 7162 §3.1.8: the CONDSTORE parameter enables CONDSTORE.
            if condstore { enabled.insert("CONDSTORE") }
            // RFC 3501 §6.3.1: a SELECT, even a failing one, first closes the current mailbox.
            let wasSelected = selected != nil
            selected = nil
            cache.removeAll()
            state = .authenticated
            pending = .select(tag: tag, name, readOnly: readOnly, closed: wasSelected)
            return Action([], .perform(.select(name)))
        case .create(let name, let uses):
            // RFC 3501 §6.3.3: creating INBOX is an error.
            guard !name.isInbox else { return Action([no(tag, "INBOX always exists", code: .alreadyExists)]) }
            let specialUse: String?
            switch IMAPSpecialUse.requested(uses) {
            case .plain: specialUse = nil
            case .one(let use): specialUse = use
            case .refused(let why): return Action([no(tag, why, code: .useAttr)])
            }
            pending = .mailboxChange(tag: tag, command: "CREATE", tryCreate: false)
            return Action([], .perform(.create(name, specialUse: specialUse)))
        case .delete(let name):
            // RFC 3501 §6.3.4: deleting INBOX is an error.
            guard !name.isInbox else { return Action([no(tag, "INBOX cannot be deleted", code: .cannot)]) }
            pending = .mailboxChange(tag: tag, command: "DELETE", tryCreate: false)
            return Action([], .perform(.delete(name)))
        case .rename(let from, let to):
            guard !to.isInbox else { return Action([no(tag, "Cannot rename to INBOX", code: .alreadyExists)]) }
            pending = .mailboxChange(tag: tag, command: "RENAME", tryCreate: false)
            return Action([], .perform(.rename(from, to: to)))
        case .subscribe(let name):
            pending = .mailboxChange(tag: tag, command: "SUBSCRIBE", tryCreate: false)
            return Action([], .perform(.setSubscribed(name, true)))
        case .unsubscribe(let name):
            pending = .mailboxChange(tag: tag, command: "UNSUBSCRIBE", tryCreate: false)
            return Action([], .perform(.setSubscribed(name, false)))
        case .list(let list):
            pending = .list(tag: tag, list, lsub: false)
            return Action([], .perform(.mailboxes))
        case .lsub(let reference, let pattern):
            pending = .list(tag: tag, IMAPListCommand(reference: reference, patterns: [pattern]), lsub: true)
            return Action([], .perform(.mailboxes))
        case .status(let name, let attributes):
            if attributes.contains(.highestModSeq) { enabled.insert("CONDSTORE") }
            pending = .status(tag: tag, name, attributes)
            return Action([], .perform(.status([name])))
        case .append(let name, let messages):
            return append(tag, name, messages)
        case .idle:
            return startIdle(tag)
        case .getQuota(let root):
            pending = .quota(tag: tag, mailbox: nil, root: root)
            return Action([], .perform(.quota(root: root)))
        case .getQuotaRoot(let name):
            pending = .quota(tag: tag, mailbox: name, root: nil)
            return Action([], .perform(.quotas(name)))
        default:
            break
        }
        guard state == .selected, selected != nil else { return wrongState(tag, command) }
        return selectedCommand(tag, command)
    }

    // MARK: - ENABLE (RFC 5161)

    private mutating func enable(_ tag: String, _ names: [String]) -> Action {
        // RFC 5161 §3.1: only in the authenticated state.
        guard state == .authenticated else { return bad(tag, "ENABLE is only allowed before SELECT") }
        var newlyEnabled: [String] = []
        for name in names where ["CONDSTORE", "UTF8=ACCEPT", "IMAP4REV2"].contains(name) && !enabled.contains(name) {
            enabled.insert(name)
            newlyEnabled.append(name == "IMAP4REV2" ? "IMAP4rev2" : name)
        }
        return Action([.data(.enabled(newlyEnabled)), ok(tag, "ENABLE completed")])
    }

    // MARK: - SELECT / EXAMINE (RFC 3501 §6.3.1, §6.3.2)

    mutating func selectFinished(
        _ tag: String, _ name: MailboxName, readOnly: Bool, closed: Bool, _ result: IMAPOperationResult
    ) -> Action {
        guard case .snapshot(let snapshot) = result else {
            // RFC 9051 §6.3.2 / RFC 7162 §3.2.11: the previous mailbox is closed.
            let closing: [IMAPResponse] =
                closed ? [.untaggedStatus(.ok, code: .closed, text: "Previous mailbox closed")] : []
            if case .failed(let error) = result { return Action(closing + [refusal(tag, error)]) }
            return Action(closing + [no(tag, "Cannot select mailbox")])
        }
        // RFC 3501 §6.3.1: a mailbox the backend keeps read-only is selected read-only, whatever
        // the command; the tagged OK then says [READ-ONLY] and nothing sets \Seen.
        let examined = readOnly
        let readOnly = readOnly || snapshot.readOnly
        let mailbox = IMAPSelectedMailbox(name: name, readOnly: readOnly, snapshot: snapshot)
        selected = mailbox
        state = .selected
        guard mailbox.messages.isEmpty else {
            // RFC 3501 §2.3.2: which messages are recent here; a read-write SELECT claims them,
            // EXAMINE "MUST NOT cause messages to lose the \Recent flag" (§6.3.2).
            pending = .selectRecent(tag: tag, examined: examined, closed: closed)
            return Action([], .perform(.claimRecent(mailbox.messages.map(\.uid), name, uidValidity: mailbox.uidValidity,
                                                    consume: !readOnly)))
        }
        return selectResponses(tag, examined: examined, closed: closed)
    }

    /// The untagged data of SELECT/EXAMINE and its completion (RFC 3501 §6.3.1, §6.3.2).
    mutating func selectResponses(_ tag: String, examined: Bool, closed: Bool) -> Action {
        guard let mailbox = selected else { return Action([no(tag, "Cannot select mailbox")]) }
        let readOnly = mailbox.readOnly
        var responses: [IMAPResponse] = []
        // RFC 9051 §6.3.2 / RFC 7162 §3.2.11: the previous mailbox is closed.
        if closed { responses.append(.untaggedStatus(.ok, code: .closed, text: "Previous mailbox closed")) }
        let flags = mailbox.flagsInUse
        responses.append(.data(.flags(flags)))
        responses.append(.data(.exists(mailbox.count)))
        if !rev2 {
            // RFC 3501 §6.3.1: RECENT is required (RFC 9051 dropped it with \Recent).
            responses.append(.data(.recent(UInt32(mailbox.recent.count))))
            if let first = mailbox.messages.firstIndex(where: { !$0.flags.contains(.seen) }) {
                responses.append(.untaggedStatus(.ok, code: .unseen(UInt32(first + 1)), text: "First unseen"))
            }
        }
        responses.append(.untaggedStatus(.ok, code: .uidValidity(mailbox.uidValidity), text: "UIDs valid"))
        responses.append(.untaggedStatus(.ok, code: .uidNext(mailbox.uidNext), text: "Predicted next UID"))
        responses.append(
            .untaggedStatus(
                .ok, code: .permanentFlags(mailbox.permanentFlags),
                text: readOnly ? "No permanent flags permitted" : "Flags permitted"))
        responses.append(.untaggedStatus(.ok, code: .highestModSeq(mailbox.highestModSeq), text: "Highest"))
        responses.append(
            ok(tag, examined ? "EXAMINE completed" : "SELECT completed", code: readOnly ? .readOnly : .readWrite))
        return Action(responses)
    }

    // MARK: - LIST / LSUB (RFC 3501 §6.3.8, §6.3.9; RFC 5258; RFC 6154; RFC 5819)

    mutating func listed(_ tag: String, _ command: IMAPListCommand, lsub: Bool, _ result: IMAPOperationResult) -> Action {
        let name = lsub ? "LSUB" : "LIST"
        guard case .mailboxes(let mailboxes) = result else {
            if case .failed(let error) = result { return Action([refusal(tag, error)]) }
            return Action([no(tag, "\(name) failed")])
        }
        // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
        if command.patterns == [""] {
            let root = IMAPListItem(attributes: ["\\Noselect"], name: .hierarchyRoot)
            return complete(tag, text: "\(name) completed", responses: [.data(lsub ? .lsub(root) : .list(root))],
                            allowExpunge: true)
        }
        let items = IMAPMailboxListing(mailboxes: mailboxes).items(for: command, lsub: lsub)
        var statusAttributes: [IMAPStatusAttribute] = []
        for option in command.returnOptions { if case .status(let attributes) = option { statusAttributes = attributes } }
        if !lsub, !statusAttributes.isEmpty {
            let names = items.filter { !$0.attributes.contains("\\Noselect") && !$0.attributes.contains("\\NonExistent") }
                .map(\.name)
            if !names.isEmpty {
                pending = .listStatus(tag: tag, items: items, names: names, attributes: statusAttributes)
                return Action([], .perform(.status(names)))
            }
        }
        return complete(tag, text: "\(name) completed",
                        responses: items.map { .data(lsub ? .lsub($0) : .list($0)) }, allowExpunge: true)
    }

    mutating func listedStatuses(
        _ tag: String, items: [IMAPListItem], names: [MailboxName], attributes: [IMAPStatusAttribute],
        _ result: IMAPOperationResult
    ) -> Action {
        var statuses: [MailboxName: IMAPMailboxStatus] = [:]
        if case .statuses(let list) = result {
            for (name, status) in zip(names, list) { statuses[name] = status }
        }
        var responses: [IMAPResponse] = []
        for item in items {
            responses.append(.data(.list(item)))
            // RFC 5819 §2: the STATUS response follows its LIST response.
            if let status = statuses[item.name] {
                responses.append(.data(.status(item.name, Self.statusValues(status, attributes))))
            }
        }
        return complete(tag, text: "LIST completed", responses: responses, allowExpunge: true)
    }

    // MARK: - STATUS (RFC 3501 §6.3.10)

    mutating func statusFinished(
        _ tag: String, _ name: MailboxName, _ attributes: [IMAPStatusAttribute], _ result: IMAPOperationResult
    ) -> Action {
        guard case .statuses(let list) = result, let status = list.first ?? nil else {
            if case .failed(let error) = result { return Action([refusal(tag, error)]) }
            return Action([no(tag, "STATUS failed", code: .nonExistent)])
        }
        return complete(tag, text: "STATUS completed",
                        responses: [.data(.status(name, Self.statusValues(status, attributes)))], allowExpunge: true)
    }

    static func statusValues(_ status: IMAPMailboxStatus, _ attributes: [IMAPStatusAttribute]) -> [IMAPStatusValue] {
        attributes.map { attribute in
            switch attribute {
            case .messages: IMAPStatusValue(attribute, UInt64(status.messages))
            case .recent: IMAPStatusValue(attribute, UInt64(status.recent))
            case .uidNext: IMAPStatusValue(attribute, UInt64(status.uidNext))
            case .uidValidity: IMAPStatusValue(attribute, UInt64(status.uidValidity))
            case .unseen: IMAPStatusValue(attribute, UInt64(status.unseen))
            case .deleted: IMAPStatusValue(attribute, UInt64(status.deleted))
            case .size: IMAPStatusValue(attribute, status.size)
            case .highestModSeq: IMAPStatusValue(attribute, status.highestModSeq)
            }
        }
    }

    // MARK: - APPEND (RFC 3501 §6.3.11, RFC 4315 APPENDUID, RFC 3502 several messages)

    private mutating func append(_ tag: String, _ name: MailboxName, _ messages: [IMAPAppendMessage]) -> Action {
        guard let first = messages.first else { return bad(tag, "APPEND needs a message") }
        for message in messages where message.octets.count > settings.limits.messageSize {
            return Action([no(tag, "Message too large", code: .tooBig)])
        }
        if messages.count > 1 {
            // RFC 3502 §6.3.11: all the messages or none, in one backend call.
            pending = .appendAll(tag: tag)
            let cleaned = messages.map { message in
                var message = message
                message.flags.removeAll { $0 == .recent || $0 == .wildcard }  // \Recent is the server's
                return message
            }
            return Action([], .perform(.appendAll(cleaned, to: name)))
        }
        return appendNext(tag, name, first, remaining: Array(messages.dropFirst()), uids: [], uidValidity: 0)
    }

    private mutating func appendNext(
        _ tag: String, _ name: MailboxName, _ message: IMAPAppendMessage, remaining: [IMAPAppendMessage],
        uids: [UInt32], uidValidity: UInt32
    ) -> Action {
        var message = message
        // \Recent is the server's to set (RFC 3501 §2.3.2).
        message.flags.removeAll { $0 == .recent || $0 == .wildcard }
        pending = .append(tag: tag, name, remaining: remaining, uids: uids, uidValidity: uidValidity)
        return Action([], .perform(.append(message, to: name)))
    }

    /// RFC 3502 §6.3.11 with RFC 4315 §3: the UIDs of every message, in order, in APPENDUID.
    mutating func appendedAll(_ tag: String, _ result: IMAPOperationResult) -> Action {
        guard case .appendedAll(let receipts) = result, let last = receipts.last else {
            if case .failed(let error) = result { return Action([refusal(tag, error, tryCreate: true)]) }
            return Action([no(tag, "APPEND failed")])
        }
        return complete(tag, text: "APPEND completed",
                        code: .appendUID(uidValidity: last.uidValidity, uids: SequenceSet(receipts.map(\.uid))),
                        allowExpunge: true)
    }

    mutating func appended(
        _ tag: String, _ name: MailboxName, remaining: [IMAPAppendMessage], uids: [UInt32], uidValidity: UInt32,
        _ result: IMAPOperationResult
    ) -> Action {
        guard case .appended(let receipt) = result else {
            // RFC 3501 §6.3.11: [TRYCREATE] when the mailbox does not exist.
            if case .failed(let error) = result { return Action([refusal(tag, error, tryCreate: true)]) }
            return Action([no(tag, "APPEND failed")])
        }
        let uids = uids + [receipt.uid]
        if let next = remaining.first {
            return appendNext(tag, name, next, remaining: Array(remaining.dropFirst()), uids: uids,
                              uidValidity: receipt.uidValidity)
        }
        return complete(tag, text: "APPEND completed",
                        code: .appendUID(uidValidity: receipt.uidValidity, uids: SequenceSet(orderedValues: uids)),
                        allowExpunge: true)
    }
}
