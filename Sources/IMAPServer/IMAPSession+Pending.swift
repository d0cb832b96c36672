/// The command waiting for the backend, and what to do with the answer.
enum Pending: Sendable {
    case authenticate(tag: String)
    /// AUTHENTICATE sent "+" and waits for the client's line.
    case saslResponse(tag: String)
    /// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE: OK on `.done`.
    case mailboxChange(tag: String, command: String, tryCreate: Bool)
    case list(tag: String, IMAPListCommand, lsub: Bool)
    /// LIST RETURN (STATUS): the LIST items, waiting for the statuses of `names`.
    case listStatus(tag: String, items: [IMAPListItem], names: [MailboxName], attributes: [IMAPStatusAttribute])
    case status(tag: String, MailboxName, [IMAPStatusAttribute])
    case select(tag: String, MailboxName, readOnly: Bool, closed: Bool)
    /// SELECT/EXAMINE has its snapshot and asked which messages are \Recent.
    case selectRecent(tag: String, examined: Bool, closed: Bool)
    /// Asked the backend what changed; then `responses` and `next`.
    case poll(responses: [IMAPResponse], next: IMAPSession.Next, allowExpunge: Bool)
    /// New messages arrived during a poll; asked which are \Recent before sending `updates`.
    case pollRecent(updates: [IMAPResponse], responses: [IMAPResponse], next: IMAPSession.Next)
    case fetch(FetchJob)
    case search(SearchJob)
    case store(tag: String, uid: Bool, silent: Bool, requested: Set<UInt32>)
    case copy(tag: String, uid: Bool, move: Bool)
    case expunge(tag: String, silent: Bool, command: String)
    case append(tag: String, MailboxName, remaining: [IMAPAppendMessage], uids: [UInt32], uidValidity: UInt32)
    /// MULTIAPPEND of several messages at once (RFC 3502).
    case appendAll(tag: String)
    /// GETQUOTAROOT of `mailbox`, or GETQUOTA of `root`.
    case quota(tag: String, mailbox: MailboxName?, root: String?)
}

extension IMAPSession {
    /// The backend's answer to `.perform`.
    public mutating func finished(_ result: IMAPOperationResult) -> Action {
        guard let current = pending else { return fail(.untaggedStatus(.bad, text: "No operation in progress")) }
        pending = nil
        if case .failed(.mailboxGone) = result, selected != nil {
            // RFC 3501 §2.3.1.1: the mailbox's UIDs are no longer valid; the session cannot go on.
            state = .logout
            return Action([.untaggedStatus(.bye, text: "Selected mailbox was removed or renumbered")], .close)
        }
        switch current {
        case .authenticate, .saslResponse:
            return fail(.untaggedStatus(.bad, text: "Unexpected backend answer"))
        case .mailboxChange(let tag, let command, let tryCreate):
            if case .failed(let error) = result { return Action([refusal(tag, error, tryCreate: tryCreate)]) }
            return complete(tag, text: "\(command) completed", allowExpunge: true)
        case .list(let tag, let command, let lsub):
            return listed(tag, command, lsub: lsub, result)
        case .listStatus(let tag, let items, let names, let attributes):
            return listedStatuses(tag, items: items, names: names, attributes: attributes, result)
        case .status(let tag, let name, let attributes):
            return statusFinished(tag, name, attributes, result)
        case .select(let tag, let name, let readOnly, let closed):
            return selectFinished(tag, name, readOnly: readOnly, closed: closed, result)
        case .selectRecent(let tag, let examined, let closed):
            if case .recent(let uids) = result { selected?.recent = uids }
            return selectResponses(tag, examined: examined, closed: closed)
        case .poll(let responses, let next, let allowExpunge):
            guard case .changes(let changes) = result, var mailbox = selected else {
                return Action(responses, next)
            }
            if changes.uidValidity != mailbox.uidValidity {
                state = .logout
                return Action([.untaggedStatus(.bye, text: "UIDVALIDITY changed")], .close)
            }
            let updates = mailbox.apply(changes, allowExpunge: allowExpunge, condstore: condstore, showRecent: !rev2)
            let arrivals = mailbox.unclaimedArrivals
            mailbox.unclaimedArrivals = []
            selected = mailbox
            guard arrivals.isEmpty else {
                // RFC 3501 §2.3.2: this session may be the first told of these messages.
                pending = .pollRecent(updates: updates, responses: responses, next: next)
                return Action([], .perform(.claimRecent(arrivals, mailbox.name, uidValidity: mailbox.uidValidity,
                                                        consume: !mailbox.readOnly)))
            }
            return pollFinished(updates, responses, next)
        case .pollRecent(var updates, let responses, let next):
            if case .recent(let uids) = result, !uids.isEmpty, var mailbox = selected {
                mailbox.recent.formUnion(uids)
                selected = mailbox
                // RFC 3501 §7.3.2: RECENT follows EXISTS when the number of recent messages changes.
                if !rev2 {
                    let position = (updates.lastIndex { if case .data(.exists) = $0 { true } else { false } } ?? -1) + 1
                    updates.insert(.data(.recent(UInt32(mailbox.recent.count))), at: position)
                }
            }
            return pollFinished(updates, responses, next)
        case .fetch(let job):
            return fetchContinued(job, result)
        case .search(let job):
            return searchContinued(job, result)
        case .store(let tag, let uid, let silent, let requested):
            return stored(tag, uid: uid, silent: silent, requested: requested, result)
        case .copy(let tag, let uid, let move):
            return copied(tag, uid: uid, move: move, result)
        case .expunge(let tag, let silent, let command):
            return expungeFinished(tag, silent: silent, command: command, result)
        case .append(let tag, let name, let remaining, let uids, let uidValidity):
            return appended(tag, name, remaining: remaining, uids: uids, uidValidity: uidValidity, result)
        case .appendAll(let tag):
            return appendedAll(tag, result)
        case .quota(let tag, let mailbox, let root):
            return quotaFinished(tag, mailbox: mailbox, root: root, result)
        }
    }

    /// The untagged updates of a poll, then what the command still had to send.
    private mutating func pollFinished(_ updates: [IMAPResponse], _ responses: [IMAPResponse], _ next: Next) -> Action {
        var updates = updates
        if highestModSeqOwed, let mailbox = selected {
            highestModSeqOwed = false
            updates.append(.untaggedStatus(.ok, code: .highestModSeq(mailbox.highestModSeq), text: "Highest"))
        }
        return Action(updates + responses, next)
    }

    /// Ends a command with OK. In the selected state, first asks the backend what changed so that
    /// the client learns of it before the completion (RFC 3501 §5.2, §7).
    mutating func complete(
        _ tag: String, text: String, code: IMAPResponseCode? = nil, responses: [IMAPResponse] = [],
        allowExpunge: Bool
    ) -> Action {
        poll(before: [ok(tag, text, code: code)], sending: responses, allowExpunge: allowExpunge, then: .read)
    }

    /// Sends `responses` now; asks for changes, then sends `after` and goes on with `next`.
    mutating func poll(
        before after: [IMAPResponse], sending responses: [IMAPResponse] = [], allowExpunge: Bool, then next: Next
    ) -> Action {
        guard let mailbox = selected else { return Action(responses + after, next) }
        pending = .poll(responses: after, next: next, allowExpunge: allowExpunge)
        return Action(responses, .perform(.changes(mailbox.name, since: mailbox.highestModSeq)))
    }

    // MARK: - IDLE (RFC 2177)

    mutating func startIdle(_ tag: String) -> Action {
        idleTag = tag
        return poll(before: [.continuation("idling")], allowExpunge: true, then: .idle)
    }

    /// The backend says the selected mailbox changed while the client idles.
    public mutating func mailboxChanged() -> Action {
        guard idleTag != nil, pending == nil else { return Action([], idleTag == nil ? .read : .idle) }
        return poll(before: [], allowExpunge: true, then: .idle)
    }

    /// RFC 2177 §3: DONE ends IDLE.
    mutating func idleDone() -> Action {
        guard let tag = idleTag else { return fail(.untaggedStatus(.bad, text: "Not idling")) }
        idleTag = nil
        return Action([ok(tag, "IDLE terminated")])
    }

    /// Whether the client is in IDLE (the connection watches the mailbox meanwhile).
    public var isIdling: Bool { idleTag != nil }
}
