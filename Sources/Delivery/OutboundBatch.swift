import MailStore

/// The claimed rows of one recipient domain, as transactions: one per message (all its
/// recipients at the domain in one MAIL transaction), oldest first. One connection carries them all.
public struct OutboundBatch: Sendable, Hashable {
    public var domain: String
    public var jobs: [OutboundJob]

    public var rows: [QueuedMessage] { jobs.flatMap(\.rows) }

    /// Groups rows (of any domains) into batches by domain and, inside, jobs by delivery, keeping
    /// the order in which each domain and each delivery first appears.
    public static func group(_ rows: [QueuedMessage]) -> [OutboundBatch] {
        var batches: [OutboundBatch] = []
        var batchIndex: [String: Int] = [:]
        var jobIndex: [String: [String: Int]] = [:]
        for row in rows {
            let domain = row.recipientDomain
            let b = batchIndex[domain] ?? {
                batches.append(OutboundBatch(domain: domain, jobs: []))
                batchIndex[domain] = batches.count - 1
                return batches.count - 1
            }()
            // One message: same envelope (hence the same body and reverse-path).
            if let j = jobIndex[domain]?[row.envelopeLocation] {
                batches[b].jobs[j].rows.append(row)
            } else {
                batches[b].jobs.append(OutboundJob(rows: [row]))
                jobIndex[domain, default: [:]][row.envelopeLocation] = batches[b].jobs.count - 1
            }
        }
        return batches
    }
}

/// One message to some recipients at one domain: one MAIL transaction.
public struct OutboundJob: Sendable, Hashable {
    public var rows: [QueuedMessage]
    public var sha256: String { rows[0].sha256 }
    public var mailFrom: String { rows[0].mailFrom }
    public var recipients: [String] { rows.map(\.recipient) }
}
