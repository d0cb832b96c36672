/// The selected state's view of its mailbox (RFC 3501 §3.3): the messages the client has been
/// told about, numbered 1…n in UID order, and the changes it has not been told about yet.
///
/// Invariants:
/// - `messages` is in ascending UID order; message sequence number n is `messages[n - 1]`.
/// - A message expunged by another session stays in `messages` (listed in `pendingExpunges`)
///   until an EXPUNGE response may be sent (RFC 3501 §7.4.1: not during FETCH, STORE or SEARCH),
///   so that sequence numbers never change while a command is running.
/// - `highestModSeq` only moves forward with what the backend reported as `changes`, never
///   with this session's own STORE, so no other session's change is skipped.
struct IMAPSelectedMailbox: Sendable {
    let name: MailboxName
    let readOnly: Bool
    let uidValidity: UInt32
    var uidNext: UInt32
    var highestModSeq: UInt64
    var messages: [IMAPMessageInfo]
    var pendingExpunges: Set<UInt32> = []
    /// The keywords the last FLAGS response named, by their lower-cased form (keywords are
    /// case-insensitive, RFC 3501 §2.3.2), each spelled as first seen.
    private(set) var announcedKeywords: [String: IMAPFlag] = [:]
    /// The messages that are \Recent in this session (RFC 3501 §2.3.2), as the backend's
    /// `claimRecent` answered for the snapshot and for each arrival since.
    var recent: Set<UInt32> = []
    /// Messages added by `apply` whose recency the session has not asked about yet.
    var unclaimedArrivals: [UInt32] = []
    /// RFC 5182 §2.1: the search result variable "$", as UIDs in ascending order; empty when a
    /// mailbox is selected, replaced by each SEARCH RETURN (SAVE), emptied by one that fails.
    /// Expunged messages drop out when "$" is resolved against `messages`.
    var savedSearch: [UInt32] = []

    init(name: MailboxName, readOnly: Bool, snapshot: IMAPMailboxSnapshot) {
        self.name = name
        self.readOnly = readOnly
        self.uidValidity = snapshot.uidValidity
        self.uidNext = snapshot.uidNext
        self.highestModSeq = snapshot.highestModSeq
        self.messages = snapshot.messages.sorted { $0.uid < $1.uid }
        _ = announceNewKeywords(in: messages.map(\.flags))
    }

    var count: UInt32 { UInt32(messages.count) }
    var largestUID: UInt32 { messages.last?.uid ?? 0 }

    /// The index of a UID in `messages` (binary search).
    func index(ofUID uid: UInt32) -> Int? {
        var low = 0
        var high = messages.count
        while low < high {
            let middle = (low + high) / 2
            if messages[middle].uid < uid { low = middle + 1 } else { high = middle }
        }
        return low < messages.count && messages[low].uid == uid ? low : nil
    }

    /// Indices into `messages` of a sequence set: message numbers (which must exist, RFC 9051
    /// §6.4.6) or UIDs (which need not, RFC 3501 §6.4.8).
    func indices(of set: SequenceSet, uid: Bool) throws(SequenceSet.ResolutionError) -> [Int] {
        if uid {
            let ranges = set.uidRanges(largestUID: largestUID)
            guard !ranges.isEmpty else { return [] }
            var result: [Int] = []
            var r = 0
            for (i, message) in messages.enumerated() {
                while r < ranges.count, ranges[r].upperBound < message.uid { r += 1 }
                if r == ranges.count { break }
                if ranges[r].contains(message.uid) { result.append(i) }
            }
            return result
        }
        var result: [Int] = []
        for range in try set.messageNumbers(count: count) {
            result.append(contentsOf: (Int(range.lowerBound) - 1)..<Int(range.upperBound))
        }
        return result
    }

    /// The FLAGS response's list (RFC 3501 §7.2.6): the system flags and every keyword announced
    /// since SELECT.
    var flagsInUse: [IMAPFlag] {
        IMAPFlag.system + announcedKeywords.keys.sorted().compactMap { announcedKeywords[$0] }
    }

    /// The PERMANENTFLAGS list (RFC 3501 §7.1): the flags in use and `\*` (new keywords may be
    /// made), none in a read-only mailbox.
    var permanentFlags: [IMAPFlag] { readOnly ? [] : flagsInUse + [.wildcard] }

    /// RFC 3501 §7.2.6: FLAGS names the flags the mailbox uses, and "the update from the FLAGS
    /// response MUST be recorded by the client" — so when a keyword no FLAGS response named yet
    /// shows up on a message (this session's STORE or another session's change), a new FLAGS
    /// response and the matching PERMANENTFLAGS (§7.1) go out before the FETCH that carries it.
    /// Empty when every keyword was already announced.
    mutating func announceNewKeywords(in flagLists: some Sequence<[IMAPFlag]>) -> [IMAPResponse] {
        var added = false
        for flags in flagLists {
            for flag in flags {
                guard case .keyword(let word) = flag, announcedKeywords[word.lowercased()] == nil else { continue }
                announcedKeywords[word.lowercased()] = flag
                added = true
            }
        }
        guard added else { return [] }
        return [
            .data(.flags(flagsInUse)),
            .untaggedStatus(.ok, code: .permanentFlags(permanentFlags),
                            text: readOnly ? "No permanent flags permitted" : "Flags permitted"),
        ]
    }

    /// The flags a FETCH shows: the stored ones, and \Recent for an IMAP4rev1 session when the
    /// message is recent in it (RFC 3501 §2.3.2; RFC 9051 has no \Recent).
    func flags(of info: IMAPMessageInfo, showRecent: Bool) -> [IMAPFlag] {
        showRecent && recent.contains(info.uid) ? info.flags + [.recent] : info.flags
    }

    /// Replaces a message's flags and mod-sequence after this session's STORE.
    mutating func update(_ info: IMAPMessageInfo) {
        guard let i = index(ofUID: info.uid) else { return }
        messages[i].flags = info.flags
        messages[i].modSeq = info.modSeq
    }

    /// Takes in what the backend reported and returns the untagged responses that tell the
    /// client: EXPUNGE (only when `allowExpunge`), EXISTS for new messages, FETCH FLAGS for
    /// changed ones (with MODSEQ once CONDSTORE is enabled, RFC 7162 §3.2.4.1; with UID, which
    /// RFC 9051 §7.5.2 asks for in unsolicited FETCH once IMAP4rev2 is enabled).
    mutating func apply(_ changes: IMAPMailboxChanges, allowExpunge: Bool, condstore: Bool, showRecent: Bool)
        -> [IMAPResponse]
    {
        var responses: [IMAPResponse] = []
        for uid in changes.expunged where index(ofUID: uid) != nil { pendingExpunges.insert(uid) }
        if allowExpunge { responses += flushExpunges() }
        var added = false
        var fetches: [IMAPResponse] = []
        for info in changes.messages.sorted(by: { $0.uid < $1.uid }) {
            if let i = index(ofUID: info.uid) {
                guard !pendingExpunges.contains(info.uid) else { continue }
                let old = messages[i]
                guard Set(old.flags) != Set(info.flags) || (condstore && old.modSeq < info.modSeq) else {
                    messages[i].modSeq = max(old.modSeq, info.modSeq)
                    continue
                }
                messages[i].flags = info.flags
                messages[i].modSeq = info.modSeq
                var items: [IMAPFetchItem] = [.uid(info.uid), .flags(flags(of: info, showRecent: showRecent))]
                if condstore { items.append(.modSeq(info.modSeq)) }
                fetches.append(.data(.fetch(UInt32(i + 1), items)))
            } else if info.uid > largestUID {
                messages.append(info)
                unclaimedArrivals.append(info.uid)
                added = true
            }
        }
        responses += announceNewKeywords(in: changes.messages.filter { !pendingExpunges.contains($0.uid) }.map(\.flags))
        if added { responses.append(.data(.exists(count))) }
        responses += fetches
        uidNext = max(uidNext, changes.uidNext)
        highestModSeq = max(highestModSeq, changes.highestModSeq)
        return responses
    }

    /// Messages this session expunged itself (EXPUNGE, MOVE): removed now, with the responses.
    mutating func expunged(_ uids: [UInt32]) -> [IMAPResponse] {
        for uid in uids where index(ofUID: uid) != nil { pendingExpunges.insert(uid) }
        return flushExpunges()
    }

    /// EXPUNGE responses for every pending expunge, highest number first so that each number
    /// is still valid when the client reads it (RFC 3501 §7.4.1: each EXPUNGE renumbers the
    /// messages after it).
    private mutating func flushExpunges() -> [IMAPResponse] {
        var responses: [IMAPResponse] = []
        for uid in pendingExpunges.sorted(by: >) {
            guard let i = index(ofUID: uid) else { continue }
            messages.remove(at: i)
            recent.remove(uid)
            responses.append(.data(.expunge(UInt32(i + 1))))
        }
        pendingExpunges = []
        return responses
    }
}
