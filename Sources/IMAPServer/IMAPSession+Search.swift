/// A SEARCH in progress.
struct SearchJob: Sendable {
    var tag: String
    var uidCommand: Bool
    var command: IMAPSearchCommand
    /// Decided so far (UIDs).
    var matches: Set<UInt32> = []
    /// Messages whose content is needed to decide, in UID order; `next` indexes it.
    var toLoad: [UInt32] = []
    var next = 0
    var candidatesAsked = false
}

/// SEARCH and UID SEARCH (RFC 3501 §6.4.4, §6.4.8; RFC 4731 ESEARCH; RFC 7162 §3.1.5 MODSEQ).
///
/// Every key is evaluated here over the selected view and the message bytes; the backend only
/// narrows text keys (`searchCandidates`). Messages that flags, dates, sizes or numbers already
/// decide are never loaded.
extension IMAPSession {
    mutating func search(_ tag: String, _ command: IMAPSearchCommand, uid: Bool) -> Action {
        // RFC 3501 §6.4.4: an unsupported charset is NO [BADCHARSET] with the supported ones.
        var command = command
        let saving = command.returnOptions?.contains(.save) == true
        let previous = selected?.savedSearch ?? []
        // RFC 5182 §2.1: a SEARCH with SAVE that fails (NO or BAD) leaves "$" empty; one that
        // succeeds sets it when it completes.
        if saving { selected?.savedSearch = [] }
        if let charset = command.charset, charset != "UTF-8", charset != "US-ASCII" {
            return Action([no(tag, "Unsupported charset", code: .badCharset(["UTF-8", "US-ASCII"]))])
        }
        guard IMAPSearchEvaluator.stringsAreUTF8(command.key) else { return bad(tag, "Search strings must be UTF-8") }
        guard let mailbox = selected else { return wrongState(tag, .check) }
        if IMAPSearchEvaluator.usesSavedResult(command.key) {
            // "$" is the result saved before this command, even one that saves anew (§2.1).
            command.key = IMAPSearchEvaluator.replacingSavedResult(command.key, with: previous)
        }
        if IMAPSearchEvaluator.usesModSeq(command.key) { enableCondstoreByUse() }
        var job = SearchJob(tag: tag, uidCommand: uid, command: command)
        let terms = IMAPSearchEvaluator.requiredTerms(command.key)
        if !terms.isEmpty, !mailbox.messages.isEmpty {
            job.candidatesAsked = true
            pending = .search(job)
            return Action([], .perform(.searchCandidates(terms, mailbox.name)))
        }
        return searchPlan(job, candidates: nil)
    }

    mutating func searchContinued(_ job: SearchJob, _ result: IMAPOperationResult) -> Action {
        var job = job
        switch result {
        case .candidates(let candidates):
            return searchPlan(job, candidates: candidates)
        case .messages(let contents):
            let batch = job.toLoad[job.next...].prefix(IMAPMessageCache.batchSize)
            guard let mailbox = selected else { return Action([no(job.tag, "No mailbox selected")]) }
            for uid in batch {
                job.next += 1
                guard let bytes = contents[uid], let index = mailbox.index(ofUID: uid) else { continue }
                let message = cache[uid] ?? cache.insert(uid: uid, stored: bytes)
                let evaluator = IMAPSearchEvaluator(
                    info: mailbox.messages[index], sequenceNumber: UInt32(index + 1), messageCount: mailbox.count,
                    largestUID: mailbox.largestUID, message: message, recent: !rev2 && mailbox.recent.contains(uid))
                if evaluator.evaluate(job.command.key) == true { job.matches.insert(uid) }
            }
            return searchStep(job)
        case .failed(let error):
            // RFC 5182 §2.1: cleared already when the search began; stays empty.
            return Action([refusal(job.tag, error)])
        default:
            return searchStep(job)
        }
    }

    /// Decides what the cheap keys can decide; lists the rest for loading.
    private mutating func searchPlan(_ job: SearchJob, candidates: Set<UInt32>?) -> Action {
        var job = job
        guard let mailbox = selected else { return Action([no(job.tag, "No mailbox selected")]) }
        for (index, info) in mailbox.messages.enumerated() {
            // The candidates hold every message with all required terms: the others cannot match.
            if let candidates, !candidates.contains(info.uid) { continue }
            let evaluator = IMAPSearchEvaluator(
                info: info, sequenceNumber: UInt32(index + 1), messageCount: mailbox.count, largestUID: mailbox.largestUID,
                message: cache[info.uid], recent: !rev2 && mailbox.recent.contains(info.uid))
            switch evaluator.evaluate(job.command.key) {
            case true?: job.matches.insert(info.uid)
            case false?: break
            case nil: job.toLoad.append(info.uid)
            }
        }
        return searchStep(job)
    }

    private mutating func searchStep(_ job: SearchJob) -> Action {
        guard let mailbox = selected else { return Action([no(job.tag, "No mailbox selected")]) }
        if job.next < job.toLoad.count {
            let batch = Array(job.toLoad[job.next...].prefix(IMAPMessageCache.batchSize))
            pending = .search(job)
            return Action([], .perform(.messages(batch, mailbox.name)))
        }
        let matched = mailbox.messages.enumerated().filter { job.matches.contains($0.element.uid) }
        let numbers = matched.map { job.uidCommand ? $0.element.uid : UInt32($0.offset + 1) }
        let usesModSeq = IMAPSearchEvaluator.usesModSeq(job.command.key)
        let modSeq: UInt64? = usesModSeq ? matched.map(\.element.modSeq).max() : nil
        var responses: [IMAPResponse] = []
        if let options = job.command.returnOptions ?? (rev2 ? [] : nil) {
            let reported = options.filter { $0 != .save }
            if options.contains(.save) {
                selected?.savedSearch = Self.savedResult(matched.map(\.element.uid), reported: reported)
            }
            // RFC 5182 §2.1: SAVE alone returns no ESEARCH response.
            if options.contains(.save), reported.isEmpty {
                return complete(job.tag, text: "\(job.uidCommand ? "UID " : "")SEARCH completed", responses: [],
                                allowExpunge: job.uidCommand)
            }
            // RFC 4731 §3.1: RETURN () means ALL; empty results omit MIN, MAX and ALL.
            let wanted = reported.isEmpty ? [IMAPSearchReturnOption.all] : reported
            // RFC 4731 §3.2 and RFC 7162 §3.1.5: with only MIN and/or MAX asked for, MODSEQ is the
            // highest mod-sequence of the messages returned, not of every match; with ALL or
            // COUNT it is of every match. No match, no MODSEQ.
            var reportedModSeq = modSeq
            if usesModSeq, !wanted.contains(.all), !wanted.contains(.count) {
                var returned: [UInt64] = []
                if wanted.contains(.min), let first = matched.first { returned.append(first.element.modSeq) }
                if wanted.contains(.max), let last = matched.last { returned.append(last.element.modSeq) }
                reportedModSeq = returned.max()
            }
            var result = IMAPESearchResponse(tag: job.tag, uid: job.uidCommand, modSeq: reportedModSeq)
            if wanted.contains(.min) { result.min = numbers.min() }
            if wanted.contains(.max) { result.max = numbers.max() }
            if wanted.contains(.all), !numbers.isEmpty { result.all = SequenceSet(numbers) }
            if wanted.contains(.count) { result.count = UInt32(numbers.count) }
            responses.append(.data(.esearch(result)))
        } else {
            responses.append(.data(.search(numbers, modSeq: modSeq)))
        }
        // RFC 3501 §7.4.1: no EXPUNGE during SEARCH; UID SEARCH may have them.
        return complete(job.tag, text: "\(job.uidCommand ? "UID " : "")SEARCH completed", responses: responses,
                        allowExpunge: job.uidCommand)
    }

    /// RFC 5182 §2.1: with SAVE beside MIN and/or MAX and nothing else, "$" holds only the
    /// lowest and/or highest match; otherwise (ALL, COUNT, or SAVE alone) every match. `matches`
    /// are UIDs in ascending order.
    static func savedResult(_ matches: [UInt32], reported: [IMAPSearchReturnOption]) -> [UInt32] {
        guard !reported.isEmpty, reported.allSatisfy({ $0 == .min || $0 == .max }) else { return matches }
        var saved: [UInt32] = []
        if reported.contains(.min), let first = matches.first { saved.append(first) }
        if reported.contains(.max), let last = matches.last, last != saved.first { saved.append(last) }
        return saved
    }
}
