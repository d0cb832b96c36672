import Delivery
import Logging
import MailStore
import Prometheus
import ServerKit

/// The server's Prometheus metrics (swift-prometheus): counters the listeners, backends and
/// outbound workers move, and gauges read from the store when `/metrics` is scraped.
///
/// Labels have bounded values only (STYLE.md 14: never an address or a user): a listener's
/// configured name, a protocol, a fixed stage or result.
///
/// | metric | labels | moves when |
/// | --- | --- | --- |
/// | `tresor_connections_total` | listener, admitted (`yes`, `no`) | a connection is accepted |
/// | `tresor_logins_total` | protocol, result (`ok`, `failed`) | a password is checked |
/// | `tresor_messages_received_total` | listener | a message got 250 |
/// | `tresor_messages_refused_total` | listener, stage (`sender`, `recipient`, `data`) | a 5xx refusal |
/// | `tresor_outbound_total` | result (`delivered`, `deferred`, `failed`) | an outbound attempt ends |
/// | `tresor_outbound_queue` (gauge) | state (`queued`, `sending`, `delivered`, `failed`) | scraped |
/// | `tresor_open_connections` (gauge) | — | scraped |
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    init() {}

    func connectionAccepted(listener: String, admitted: Bool) {
        counter("connections", help: "Connections accepted, per listener and whether the limits admitted them.",
                labels: [("listener", listener), ("admitted", admitted ? "yes" : "no")]).increment()
    }

    func login(protocol name: String, succeeded: Bool) {
        counter("logins", help: "Password checks, per protocol and result.",
                labels: [("protocol", name), ("result", succeeded ? "ok" : "failed")]).increment()
    }

    func messageReceived(listener: String) {
        counter("messages_received", help: "Messages accepted over SMTP with 250 (durable in the archive).",
                labels: [("listener", listener)]).increment()
    }

    enum RefusalStage: String { case sender, recipient, data }

    func messageRefused(listener: String, stage: RefusalStage) {
        counter("messages_refused", help: "Permanent (5xx) SMTP refusals, per listener and stage.",
                labels: [("listener", listener), ("stage", stage.rawValue)]).increment()
    }

    func outbound(_ report: OutboundRunReport) {
        for (result, count) in [("delivered", report.delivered), ("deferred", report.deferred), ("failed", report.failed)]
        where count > 0 {
            counter("outbound", help: "Outbound delivery attempts to remote servers, per result.",
                    labels: [("result", result)]).increment(by: Int64(count))
        }
    }

    /// `tresor_NAME_total`, made on first use (the registry returns the same counter afterwards).
    private func counter(_ name: String, help: String, labels: [(String, String)]) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "tresor", metricName: name, unitName: "total", helpText: help),
            labels: labels)
    }

    /// `tresor_NAME`.
    private func gauge(_ name: String, help: String, labels: [(String, String)]) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "tresor", metricName: name, unitName: "", helpText: help),
            labels: labels)
    }

    /// The text exposition format (version 0.0.4), after reading the gauges from `store` and
    /// `limiter`.
    func render(store: MailStore, limiter: ConnectionLimiter, logger: Logger) async -> [UInt8] {
        do {
            let counts = try await store.queue.countsByStatus()
            for state in ["queued", "sending", "delivered", "failed"] {
                gauge("outbound_queue", help: "Outbound queue rows per state.", labels: [("state", state)])
                    .set(Double(counts[state] ?? 0))
            }
        } catch {
            logger.warning("metrics: cannot read the outbound queue", metadata: ["error": "\(error)"])
        }
        gauge("open_connections", help: "Connections open on every listener together.", labels: [])
            .set(Double(limiter.openConnections))
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
