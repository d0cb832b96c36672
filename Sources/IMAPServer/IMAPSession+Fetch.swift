import MailMessage

/// A FETCH in progress: the messages still to answer, in the order asked.
struct FetchJob: Sendable {
    var tag: String
    var uidCommand: Bool
    var attributes: [IMAPFetchAttribute]
    var uids: [UInt32]
    /// Index into `uids` of the next message to answer.
    var next = 0
    var needsContent: Bool
    /// RFC 7162 §3.1.4.1: CHANGEDSINCE adds MODSEQ to every response.
    var changedSince: UInt64?
    /// Messages whose \Seen this FETCH set: their FLAGS are reported (RFC 3501 §6.4.5).
    var seenSet: Set<UInt32> = []
    /// Asked from the backend and not returned (expunged meanwhile): not answered.
    var missing: Set<UInt32> = []
    /// Set once the \Seen step is done.
    var seenDone = false
}

/// FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8; RFC 9051 §6.4.5; RFC 3516 BINARY; RFC 7162
/// CHANGEDSINCE and MODSEQ).
///
/// Content comes from the backend in batches of `IMAPMessageCache.batchSize`, each message
/// parsed once (with CRLF line ends) and answered as soon as its batch is in.
extension IMAPSession {
    mutating func fetch(
        _ tag: String, _ set: SequenceSet, _ attributes: [IMAPFetchAttribute], changedSince: UInt64?, uid: Bool
    ) -> Action {
        guard let mailbox = selected else { return wrongState(tag, .check) }
        guard let indices = resolve(set, uid: uid, in: mailbox) else { return bad(tag, "Invalid message sequence number") }
        // RFC 7162 §3.1: MODSEQ and CHANGEDSINCE are CONDSTORE-enabling uses.
        if changedSince != nil || attributes.contains(.modSeq) { enableCondstoreByUse() }
        var uids = indices.map { mailbox.messages[$0].uid }
        if let changedSince {
            uids = indices.filter { mailbox.messages[$0].modSeq > changedSince }.map { mailbox.messages[$0].uid }
        }
        let needsContent = attributes.contains { attribute in
            switch attribute {
            case .uid, .flags, .internalDate, .rfc822Size, .modSeq: false
            default: true
            }
        }
        let job = FetchJob(tag: tag, uidCommand: uid, attributes: attributes, uids: uids, needsContent: needsContent,
                           changedSince: changedSince)
        return fetchStep(job)
    }

    mutating func fetchContinued(_ job: FetchJob, _ result: IMAPOperationResult) -> Action {
        var job = job
        switch result {
        case .stored(let outcome):
            guard var mailbox = selected else { return Action([no(job.tag, "FETCH failed")]) }
            for info in outcome.updated where mailbox.index(ofUID: info.uid) != nil {
                mailbox.update(info)
                job.seenSet.insert(info.uid)
            }
            selected = mailbox
        case .messages(let contents):
            let asked = job.uids[job.next...].prefix { !cache.contains($0) }.prefix(IMAPMessageCache.batchSize)
            for uid in asked {
                if let bytes = contents[uid] { cache.insert(uid: uid, stored: bytes) } else { job.missing.insert(uid) }
            }
        case .failed(let error):
            return Action([refusal(job.tag, error)])
        default:
            break
        }
        return fetchStep(job)
    }

    /// Answers what can be answered, and asks the backend for what is missing.
    private mutating func fetchStep(_ job: FetchJob) -> Action {
        var job = job
        guard let mailbox = selected else { return Action([no(job.tag, "No mailbox selected")]) }
        if !job.seenDone {
            job.seenDone = true
            // RFC 3501 §6.4.5: BODY[…] (not PEEK), RFC822 and RFC822.TEXT set \Seen.
            if !mailbox.readOnly, job.attributes.contains(where: \.setsSeen) {
                let unseen = job.uids.filter { uid in
                    mailbox.index(ofUID: uid).map { !mailbox.messages[$0].flags.contains(.seen) } ?? false
                }
                if !unseen.isEmpty {
                    pending = .fetch(job)
                    return Action([], .perform(.store(IMAPFlagChange(.add, [.seen]), uids: unseen, unchangedSince: nil,
                                                      mailbox.name)))
                }
            }
        }
        var responses: [IMAPResponse] = []
        while job.next < job.uids.count {
            let uid = job.uids[job.next]
            if job.needsContent, !cache.contains(uid), !job.missing.contains(uid) {
                let batch = Array(job.uids[job.next...].prefix { !cache.contains($0) }.prefix(IMAPMessageCache.batchSize))
                pending = .fetch(job)
                return Action(responses, .perform(.messages(batch, mailbox.name)))
            }
            job.next += 1
            guard let index = mailbox.index(ofUID: uid), !job.missing.contains(uid) else { continue }
            let message = job.needsContent ? cache[uid] : nil
            if job.needsContent, message == nil { continue }
            responses.append(.data(.fetch(UInt32(index + 1), fetchItems(job, mailbox.messages[index], message))))
        }
        // RFC 3501 §7.4.1: no EXPUNGE during FETCH; UID FETCH may have them.
        return complete(job.tag, text: "\(job.uidCommand ? "UID " : "")FETCH completed", responses: responses,
                        allowExpunge: job.uidCommand)
    }

    /// The items of one FETCH response, in the order asked.
    private func fetchItems(_ job: FetchJob, _ info: IMAPMessageInfo, _ message: Message?) -> [IMAPFetchItem] {
        var items: [IMAPFetchItem] = []
        let flags = selected?.flags(of: info, showRecent: !rev2) ?? info.flags
        for attribute in job.attributes {
            switch attribute {
            case .uid: items.append(.uid(info.uid))
            case .flags: items.append(.flags(flags))
            case .internalDate: items.append(.internalDate(info.internalDate))
            case .rfc822Size: items.append(.rfc822Size(message?.raw.count ?? info.size))
            case .modSeq: items.append(.modSeq(info.modSeq))
            case .envelope:
                guard let message else { continue }
                items.append(.envelope(IMAPEnvelope.encode(message, utf8Enabled: utf8Enabled)))
            case .body, .bodyStructure:
                guard let message else { continue }
                let extensible = attribute == .bodyStructure
                items.append(.bodyStructure(IMAPBodyStructure.encode(message, extensible: extensible, utf8Enabled: utf8Enabled),
                                            extensible: extensible))
            case .bodySection(let section, let partial, _):
                guard let message else { continue }
                let data = IMAPBodySection.extract(section, from: message).map { IMAPBodySection.apply(partial, to: $0) }
                items.append(.bodySection(section, origin: partial?.offset, data: data))
            case .binary(let part, let partial, _):
                guard let message else { continue }
                let data = IMAPBodySection.binary(part: part, from: message).map { IMAPBodySection.apply(partial, to: $0) }
                items.append(.binary(part: part, origin: partial?.offset, data: data))
            case .binarySize(let part):
                guard let message else { continue }
                items.append(.binarySize(part: part, size: IMAPBodySection.binary(part: part, from: message)?.count ?? 0))
            case .rfc822:
                guard let message else { continue }
                items.append(.rfc822(message.raw))
            case .rfc822Header:
                guard let message else { continue }
                items.append(.rfc822Header(IMAPBodySection.extract(IMAPSection(kind: .header), from: message) ?? []))
            case .rfc822Text:
                guard let message else { continue }
                items.append(.rfc822Text(IMAPBodySection.extract(IMAPSection(kind: .text), from: message) ?? []))
            }
        }
        let has = { (probe: (IMAPFetchItem) -> Bool) in items.contains(where: probe) }
        // RFC 3501 §6.4.8: UID FETCH always reports the UID.
        if job.uidCommand, !has({ if case .uid = $0 { true } else { false } }) { items.insert(.uid(info.uid), at: 0) }
        let flagsChanged = job.seenSet.contains(info.uid)
        if flagsChanged, !has({ if case .flags = $0 { true } else { false } }) { items.append(.flags(flags)) }
        if condstore, job.changedSince != nil || flagsChanged, !has({ if case .modSeq = $0 { true } else { false } }) {
            items.append(.modSeq(info.modSeq))
        }
        return items
    }
}
