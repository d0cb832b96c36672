// Delivery: the outbound queue's workers.
//
// Invariants:
// - The queue row (catalog `outbound_queue`) is the truth. A row is claimed ('sending') before it
//   is tried, and becomes 'delivered' only after the remote server answered 250 to the end of
//   DATA; the outcome is committed right after each transaction, before the next one starts.
// - At least once, never lost: a process that dies leaves its claimed rows 'sending'; the next
//   start puts them back to 'queued' (`recoverClaims`) and they are tried again. If it died
//   between the remote 250 and our commit, that message goes out twice — the duplicate RFC 5321
//   §6.1 accepts rather than a loss. Before the 250 nothing is delivered twice.
// - The body is read from the archive by SHA-256 at send time; nothing is stored twice. DKIM
//   fields are prepended to the bytes sent, never to the archived copy.
// - A failed row owes its sender one DSN (RFC 3464), unless the sender is the null path
//   (RFC 5321 §4.5.5): never a bounce to a bounce. The DSN is delivered through MailStore like
//   any message (local sender: straight into their INBOX; remote: queued with the null sender).
//   A crash between the DSN's delivery and marking it sent can send it twice, never lose it.
// - Nothing here blocks an event loop: the SMTP client is NIO, the store's API is async.
import Logging
import MailMessage
import MailStore
import ServerKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Drains the outbound queue: claims due rows, delivers them domain by domain, records every
/// outcome, sends the DSNs that failures owe.
public final class OutboundDelivery: Sendable {
    public let store: MailStore
    public let configuration: OutboundDeliveryConfiguration
    let signer: (any OutboundSigner)?
    /// The clock: tests move it to exercise the retry schedule without sleeping.
    let now: @Sendable () -> Date
    let logger: Logger

    public init(store: MailStore, configuration: OutboundDeliveryConfiguration, signer: (any OutboundSigner)? = nil,
                now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "tresor.delivery")) {
        self.store = store
        self.configuration = configuration
        self.signer = signer
        self.now = now
        self.logger = logger
    }

    /// At start-up: rows a dead process left 'sending' are queued again.
    public func recoverClaims() async throws {
        let released = try await store.queue.releaseClaims()
        if released > 0 { logger.notice("outbound rows queued again after a restart", metadata: ["rows": "\(released)"]) }
    }

    /// Everything due now, delivered (at most `workers` domains at once), then the DSNs owed.
    /// Returns when all of it is done. The service runs `claim` and `deliver` itself to keep
    /// claiming while batches run; this is the one-shot form (tests, a CLI flush).
    @discardableResult
    public func deliverDue() async throws -> OutboundRunReport {
        let batches = try await claim(excluding: [], maximumDomains: .max)
        var report = OutboundRunReport()
        var remaining = batches[...]
        await withTaskGroup(of: OutboundRunReport.self) { group in
            var running = 0
            while let batch = remaining.popFirst() {
                if running == configuration.workers, let done = await group.next() {
                    report.add(done)
                    running -= 1
                }
                group.addTask { await self.deliver(batch) }
                running += 1
            }
            for await done in group { report.add(done) }
        }
        report.bounces += try await sendBounces()
        return report
    }

    /// Claims the due rows of up to `maximumDomains` domains not in `busy`, grouped into batches.
    public func claim(excluding busy: Set<String>, maximumDomains: Int) async throws -> [OutboundBatch] {
        guard maximumDomains > 0 else { return [] }
        let time = now()
        let due = try await store.queue.due(at: time, limit: 5000)
        var chosen: [String: Int] = [:]
        var ids: [Int64] = []
        for row in due {
            let domain = row.recipientDomain
            guard !busy.contains(domain) else { continue }
            if chosen[domain] == nil {
                guard chosen.count < maximumDomains else { continue }
                chosen[domain] = 0
            }
            guard chosen[domain]! < configuration.batchLimit else { continue }
            chosen[domain]! += 1
            ids.append(row.id)
        }
        let claimed = try await store.queue.claim(ids: ids, at: time)
        return OutboundBatch.group(claimed)
    }

    /// Delivers one domain's batch: route, connect (next host on connection failures), one
    /// transaction per job on one connection, each outcome committed as soon as it is known.
    /// If the task is cancelled (shutdown), jobs not started are released unchanged.
    public func deliver(_ batch: OutboundBatch) async -> OutboundRunReport {
        var report = OutboundRunReport()
        var pending = batch.jobs[...]
        let decision = await configuration.router.route(batch.domain)
        var lastProblem: (status: String, reason: String, remote: String?) = ("4.4.1", "no host tried", nil)
        switch decision {
        case .permanentFailure(let status, let reason):
            await record(pending.flatMap(\.rows).map { ($0, Outcome.failed(status: status, reason: reason, remote: nil)) },
                         into: &report)
            return report
        case .temporaryFailure(let status, let reason):
            lastProblem = (status, reason, nil)
        case .hosts(let hosts):
            for host in hosts where !pending.isEmpty && !Task.isCancelled {
                do {
                    try await SMTPClientSession.withFallback(host: host, localName: configuration.hostname,
                                                             timeouts: configuration.timeouts) { session in
                        while let job = pending.first, !Task.isCancelled {
                            let outcomes = try await self.send(job, over: &session)
                            pending.removeFirst()
                            await self.record(outcomes, into: &report)
                        }
                    }
                } catch {
                    lastProblem = Self.problem(error, host: host)
                    logger.info("outbound: host failed", metadata: [
                        "domain": "\(batch.domain)", "host": "\(host.name):\(host.port)", "error": "\(error)",
                    ])
                }
            }
        }
        let rest = pending.flatMap(\.rows)
        if Task.isCancelled {
            _ = try? await store.queue.releaseClaims(ids: rest.map(\.id))
        } else {
            await record(rest.map { ($0, Outcome.deferred(status: lastProblem.status, reason: lastProblem.reason,
                                                         remote: lastProblem.remote)) }, into: &report)
        }
        return report
    }

    /// What became of one row in one attempt.
    enum Outcome {
        case delivered(reply: String, remote: String)
        case deferred(status: String, reason: String, remote: String?)
        case failed(status: String, reason: String, remote: String?)
    }

    /// One job over an open session: the body from the archive, DKIM, the transaction.
    private func send(_ job: OutboundJob, over session: inout SMTPClientSession) async throws
        -> [(QueuedMessage, Outcome)] {
        guard let body = try await store.reader.content(sha256: job.sha256) else {
            return job.rows.map { ($0, .failed(status: "5.3.0", reason: "the message is no longer in the archive",
                                               remote: nil)) }
        }
        let unsigned = Self.withoutReturnPath(MessageWireEncoding.canonicalLines(body))
        // Parsing and signing (RSA) are CPU work: off the cooperative pool.
        let content = await BlockingWork.cpu.perform { self.signed(unsigned) }
        let outcome = try await session.send(OutboundTransaction(mailFrom: job.mailFrom, recipients: job.recipients,
                                                                 content: content))
        let remote = session.host.name
        return zip(job.rows, outcome.replies).map { row, reply in
            if reply.code == 250 || reply.code == 251 { return (row, .delivered(reply: "\(reply)", remote: remote)) }
            if reply.isPermanent { return (row, .failed(status: reply.status, reason: "\(reply)", remote: remote)) }
            return (row, .deferred(status: reply.status, reason: "\(reply)", remote: remote))
        }
    }

    /// Commits outcomes in one transaction: deferrals become the next attempt of the schedule,
    /// or a failure (4.4.7) once the row is older than the maximum age.
    private func record(_ outcomes: [(QueuedMessage, Outcome)], into report: inout OutboundRunReport) async {
        guard !outcomes.isEmpty else { return }
        let time = now()
        var results: [(id: Int64, result: OutboundAttemptResult)] = []
        for (row, outcome) in outcomes {
            switch outcome {
            case .delivered(let reply, let remote):
                results.append((row.id, .delivered(remoteMTA: remote, reply: reply)))
                report.delivered += 1
            case .failed(let status, let reason, let remote):
                results.append((row.id, .failed(remoteMTA: remote, statusCode: status, reply: reason)))
                report.failed += 1
            case .deferred(let status, let reason, let remote):
                if let next = configuration.schedule.nextAttempt(afterFailedAttempts: row.attempts + 1, now: time,
                                                                 created: row.created) {
                    results.append((row.id, .deferred(nextAttempt: next, remoteMTA: remote, statusCode: status,
                                                      reply: reason)))
                    report.deferred += 1
                } else {
                    // RFC 3463 §3.5: 4.4.7, the message stayed in the queue too long.
                    results.append((row.id, .failed(remoteMTA: remote, statusCode: "4.4.7",
                                                    reply: "delivery time expired; last error: \(reason)")))
                    report.failed += 1
                }
            }
        }
        for (row, result) in zip(outcomes.map(\.0), results.map(\.result)) { logAttempt(row, result) }
        do {
            try await store.queue.record(results, at: time)
        } catch {
            // The rows stay 'sending' and are queued again at the next start: at-least-once.
            logger.error("outbound: outcome not recorded", metadata: ["error": "\(error)"])
        }
    }

    /// One line per recipient and attempt: the relay that answered, what became of the row, the
    /// reply, and whether a DSN is owed (a failure, unless the sender is the null path).
    private func logAttempt(_ row: QueuedMessage, _ result: OutboundAttemptResult) {
        var metadata: Logger.Metadata = [
            "queue_id": "\(row.id)", "from": "\(row.mailFrom)", "to": "\(row.recipient)",
            "attempt": "\(row.attempts + 1)",
        ]
        switch result {
        case .delivered(let remote, let reply):
            metadata["status"] = "delivered"
            metadata["relay"] = "\(remote ?? "none")"
            metadata["reply"] = "\(reply)"
            logger.info("outbound attempt", metadata: metadata)
        case .deferred(let next, let remote, let code, let reply):
            metadata["status"] = "deferred"
            metadata["relay"] = "\(remote ?? "none")"
            metadata["code"] = "\(code)"
            metadata["reply"] = "\(reply)"
            metadata["next_attempt"] = "\(LogLine.timestamp(next))"
            logger.notice("outbound attempt", metadata: metadata)
        case .failed(let remote, let code, let reply):
            metadata["status"] = "failed"
            metadata["relay"] = "\(remote ?? "none")"
            metadata["code"] = "\(code)"
            metadata["reply"] = "\(reply)"
            metadata["dsn"] = row.mailFrom.isEmpty ? "none" : "owed"
            logger.notice("outbound attempt", metadata: metadata)
        }
    }

    /// The status and reason to record when a host could not be used.
    static func problem(_ error: any Error, host: OutboundHost) -> (status: String, reason: String, remote: String?) {
        guard let error = error as? SMTPClientError else { return ("4.4.0", "\(error)", host.name) }
        switch error {
        case .connectionFailed: return ("4.4.1", "\(error)", host.name)  // RFC 3463: no answer from host
        case .connectionLost, .timeout, .malformedReply: return ("4.4.2", "\(error)", host.name)  // bad connection
        case .refused(let reply):
            let status = reply.status
            return ("4" + status.dropFirst(), "\(reply)", host.name)
        case .tlsRequired, .tlsHandshakeFailed: return ("4.7.5", "\(error)", host.name)  // cryptographic failure
        case .authenticationUnavailable: return ("4.7.0", "\(error)", host.name)
        }
    }

    /// The DKIM fields for the From domain prepended (RFC 6376 §5), when the signer has a key.
    private func signed(_ content: [UInt8]) -> [UInt8] {
        guard let signer, let from = Message(parsing: content).from.first?.mailbox,
              let at = from.lastIndex(of: "@") else { return content }
        let domain = from[from.index(after: at)...].lowercased()
        do {
            guard let fields = try signer.signatureFields(for: content, domain: domain) else { return content }
            return fields + content
        } catch {
            logger.error("outbound: DKIM signing failed; sending unsigned", metadata: [
                "domain": "\(domain)", "error": "\(error)",
            ])
            return content
        }
    }

    /// The message without the Return-Path fields at its top: our server added them when the
    /// message was received, and a relayed message must not carry one (RFC 5321 §4.4: only the
    /// final delivery adds it).
    static func withoutReturnPath(_ content: [UInt8]) -> [UInt8] {
        var start = 0
        let prefix = Array("return-path:".utf8)
        while content.count - start >= prefix.count,
              zip(content[start..<(start + prefix.count)], prefix).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) {
            // Skip the field with its continuation lines.
            var end = start
            repeat {
                guard let lf = content[end...].firstIndex(of: 0x0A) else { return content }
                end = lf + 1
            } while end < content.count && (content[end] == 0x20 || content[end] == 0x09)
            start = end
        }
        return Array(content[start...])
    }
}
