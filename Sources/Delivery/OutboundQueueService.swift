import Logging
import ServiceLifecycle

/// The outbound workers as a ServiceLifecycle service. It starts after the store (so the store
/// closes after it) and before the listeners. Loop: claim the due rows of up to `workers` domains
/// that are not being delivered to, deliver each domain's batch in its own task, send owed DSNs,
/// and look again after `pollInterval` or when a batch ends — polling the catalog also notices
/// rows another process changed (`tresor queue retry`).
///
/// Graceful shutdown claims nothing new; a running batch finishes its current transaction and
/// releases the rows it had not started (they stay queued for the next start).
public struct OutboundQueueService: Service {
    let delivery: OutboundDelivery
    let logger: Logger
    /// Told what each batch did (the server's metrics count deliveries with it).
    let onReport: @Sendable (OutboundRunReport) -> Void

    public init(delivery: OutboundDelivery, logger: Logger, onReport: @escaping @Sendable (OutboundRunReport) -> Void = { _ in }) {
        self.delivery = delivery
        self.logger = logger
        self.onReport = onReport
    }

    private enum Event: Sendable {
        case finished(domain: String, report: OutboundRunReport)
        case tick
    }

    public func run() async throws {
        try await delivery.recoverClaims()
        let workers = delivery.configuration.workers
        let poll = delivery.configuration.pollInterval
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Event.self) { group in
                var busy: Set<String> = []
                var ticking = false
                var bouncesDue = true
                while !Task.isCancelled {
                    if busy.count < workers {
                        do {
                            for batch in try await delivery.claim(excluding: busy,
                                                                  maximumDomains: workers - busy.count) {
                                busy.insert(batch.domain)
                                group.addTask { .finished(domain: batch.domain, report: await delivery.deliver(batch)) }
                            }
                        } catch {
                            logger.error("outbound: cannot read the queue", metadata: ["error": "\(error)"])
                        }
                    }
                    if bouncesDue {
                        bouncesDue = false
                        do { try await delivery.sendBounces() } catch {
                            logger.error("outbound: DSNs not sent", metadata: ["error": "\(error)"])
                        }
                    }
                    if !ticking {
                        ticking = true
                        group.addTask {
                            try? await Task.sleep(for: poll)
                            return .tick
                        }
                    }
                    switch await group.next() {
                    case .finished(let domain, let report)?:
                        busy.remove(domain)
                        onReport(report)
                        bouncesDue = report.failed > 0
                    case .tick?:
                        ticking = false
                        bouncesDue = true
                    case nil:
                        break
                    }
                }
            }
        }
    }
}
