import Foundation

/// What `tresor-bench imap` measured on one server.
struct IMAPBenchResult: Sendable {
    /// A FETCH step: the time of each run and the size of the (last) answer.
    struct Transfer: Sendable {
        var seconds: [Double] = []
        var messages = 0
        var wireBytes = 0
        var literalBytes = 0
    }

    struct Search: Sendable {
        var word: String
        var hits = 0
        var seconds: [Double] = []
    }

    /// Memory of the server processes around the IDLE sessions.
    struct Memory: Sendable {
        var before: ServerMemorySample
        var after: ServerMemorySample
        var sessions: Int

        var rssPerSession: Double? {
            sessions > 0 ? Double(after.rssKiB - before.rssKiB) / Double(sessions) : nil
        }
        var pssPerSession: Double? {
            guard sessions > 0, let before = before.pssKiB, let after = after.pssKiB else { return nil }
            return Double(after - before) / Double(sessions)
        }
    }

    var exists = 0
    var loginSelect: [Double] = []
    var fetchEnvelope = Transfer()
    var fetchBody = Transfer()
    var searches: [Search] = []
    /// Each round's total: every word searched once.
    var searchRounds: [Double] = []
    var idleSessions = 0
    var memory: Memory?
    var failure: String?

    /// `server / peer` for each measurement both runs have: above 1 the server is slower (or
    /// uses more memory per session) than the peer.
    static func printRatios(_ server: IMAPBenchResult, _ peer: IMAPBenchResult) {
        print("== ratios server / peer (best times; below 1.00 the server is faster)")
        if server.exists != peer.exists {
            Report.line("WARNING", "the mailboxes differ: \(server.exists) vs \(peer.exists) messages")
        }
        let rows: [(String, Double?, Double?, String)] = [
            ("connect+LOGIN+SELECT", server.loginSelect.min(), peer.loginSelect.min(), "ms"),
            ("FETCH (FLAGS ENVELOPE)", server.fetchEnvelope.seconds.min(), peer.fetchEnvelope.seconds.min(), "ms"),
            ("FETCH BODY.PEEK[]", server.fetchBody.seconds.min(), peer.fetchBody.seconds.min(), "ms"),
            ("UID SEARCH round", server.searchRounds.min(), peer.searchRounds.min(), "ms"),
            ("UID SEARCH median", server.searches.flatMap(\.seconds).nonEmptyMedian,
             peer.searches.flatMap(\.seconds).nonEmptyMedian, "ms"),
            ("RSS per IDLE session", server.memory?.rssPerSession, peer.memory?.rssPerSession, "KiB"),
            ("PSS per IDLE session", server.memory?.pssPerSession, peer.memory?.pssPerSession, "KiB"),
        ]
        for (label, mine, theirs, unit) in rows {
            guard let mine, let theirs else { continue }
            let scale = unit == "ms" ? 1000.0 : 1.0
            let ratio = theirs > 0 ? String(format: "%.2f", mine / theirs) : "-"
            let values = String(format: "%.1f", mine * scale) + " \(unit) vs " + String(format: "%.1f", theirs * scale) + " \(unit)"
            Report.line(label, "\(ratio)  (\(values))")
        }
        let differing = zip(server.searches, peer.searches).filter { $0.hits != $1.hits }
        for (mine, theirs) in differing {
            Report.line("  hits differ", "TEXT \(mine.word): \(mine.hits) vs \(theirs.hits)")
        }
    }
}

extension Array where Element == Double {
    /// The middle value (the mean of the two middle ones for an even count); 0 when empty.
    var median: Double { nonEmptyMedian ?? 0 }

    var nonEmptyMedian: Double? {
        guard !isEmpty else { return nil }
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// "best 12.3 ms  median 14.0 ms  (3 runs)" or in seconds.
    func summary(milliseconds: Bool) -> String {
        let scale = milliseconds ? 1000.0 : 1.0
        let unit = milliseconds ? "ms" : "s"
        let format = milliseconds ? "%.2f" : "%.3f"
        return "best " + String(format: format, (self.min() ?? 0) * scale) + " \(unit)  median "
            + String(format: format, median * scale) + " \(unit)  (\(count) runs)"
    }
}
