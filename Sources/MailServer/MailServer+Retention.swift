import Logging
import MailStore
import Retention
import ServiceLifecycle
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MailServer {
    /// The retention planner, checked before anything listens: the policy files are read (an invalid
    /// one stops `tresor serve`, naming file, line and problem — a `PolicyLoadError`), a locked
    /// policy loosened against the catalog's strictest version stops it too, and the protection
    /// settings are decided. So `ready` is never followed by a retention refusal.
    func makeRetentionService(store: MailStore) async throws -> RetentionService {
        let policies = try readPolicies()
        let service = RetentionService(
            current: RetentionRunnerSlot(RetentionRunner(store: store, policies: policies, logger: logger)),
            settings: configuration.retention, protection: configuration.protection, logger: logger)
        try await service.checkAtStart()
        return service
    }

    /// SIGHUP: the policy folder read again and checked against the locked policies; only when both
    /// pass does the planner use the new set (a refusal throws and the old set stays).
    func reloadPolicies(of service: RetentionService) async throws -> PolicySet {
        let policies = try readPolicies()
        let runner = RetentionRunner(store: service.current.runner.store, policies: policies, logger: logger)
        try await PolicyLocks.enforce(policies, store: runner.store, remember: true, by: RetentionService.signer)
        service.current.replace(runner)
        return policies
    }

    private func readPolicies() throws -> PolicySet {
        let policies = try configuration.retention.loadPolicies { [logger] message in
            logger.notice("retention: \(message)")
        }
        logger.info("retention policies loaded", metadata: [
            "policies": "\(policies.policies.map(\.name).joined(separator: ","))",
            "files": "\(policies.files.joined(separator: ","))",
        ])
        return policies
    }
}

/// The planner's runner of now: a reload puts in one with the policies read again.
final class RetentionRunnerSlot: Sendable {
    private let slot: Mutex<RetentionRunner>

    init(_ runner: RetentionRunner) {
        slot = Mutex(runner)
    }

    var runner: RetentionRunner { slot.withLock { $0 } }

    func replace(_ runner: RetentionRunner) {
        slot.withLock { $0 = runner }
    }
}

/// Plans once at start (report only) and then daily at `plan_time` (UTC): logs what is due, and
/// executes only with `retention.auto_purge = true`, through a plan when `require_approval` is set,
/// so a person still approves it. By default nothing is deleted without a person running `apply`.
struct RetentionService: Service {
    /// The runner with the policies in force (SIGHUP may change them between runs).
    let current: RetentionRunnerSlot
    let settings: TresorConfiguration.RetentionSettings
    /// What the configuration asks of the protection settings (retention's and `[access]`'s).
    let protection: ProtectionSettings
    let logger: Logger

    /// The server's own runs: signed with the archive's seal key, which may record locks and plans,
    /// and purge only where the protection settings let the server purge alone.
    static let signer = GovernanceSigner.system("retention planner")

    /// What must pass before the server says `ready`: the locked policies are not loosened (new
    /// locked versions are remembered), and the protection settings the configuration asks for are
    /// adopted.
    func checkAtStart() async throws {
        let runner = current.runner
        try await PolicyLocks.enforce(runner.policies, store: runner.store, remember: true, by: Self.signer)
        let decided = try await runner.mode(dryRun: true, configured: protection, signer: Self.signer)
        logger.info("retention protection", metadata: [
            "require_approval": "\(decided.protection.requireApproval)", "auto_purge": "\(decided.protection.autoPurge)",
            "require_operator": "\(decided.protection.requireOperator)",
        ])
        if let note = decided.note { logger.notice("retention: \(note)") }
    }

    func run() async throws {
        await planOnce(mode: .dryRun)
        while true {
            let delay = Self.secondsUntilNext(minuteOfDay: settings.planMinuteOfDay, after: current.runner.store.clock.now())
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) }
            } catch {
                return  // graceful shutdown or cancellation
            }
            await planOnce(mode: nil)
        }
    }

    /// One evaluation now; logs a line with what is due and what was done. Never throws: a failed run
    /// is logged and tried again the next day. Without a `mode`, the data directory's protection
    /// settings (after adopting the configuration's) decide: nothing without `auto_purge`, a plan
    /// under `require_approval`, else a purge.
    func planOnce(mode requested: RetentionApplyMode?) async {
        let runner = current.runner
        do {
            var mode = requested ?? .dryRun
            if requested == nil {
                let decided = try await runner.mode(dryRun: false, configured: protection, signer: Self.signer)
                if let note = decided.note { logger.notice("retention: \(note)") }
                if decided.protection.autoPurge { mode = decided.mode }
            }
            let outcome = try await runner.apply(asOf: runner.store.clock.now(), mode: mode, signer: Self.signer)
            let evaluation = outcome.evaluation
            var metadata: Logger.Metadata = [
                "due": "\(evaluation.due.count)", "held": "\(evaluation.held.count)", "mode": "\(mode.rawValue)",
                "by_policy": "\(evaluation.summaries.filter { $0.due > 0 }.map { "\($0.name)=\($0.due)" }.joined(separator: ","))",
            ]
            if let next = evaluation.summaries.compactMap(\.nextExpiry).min() {
                metadata["next_expiry"] = "\(RetentionRunner.timestamp(next))"
            }
            if let report = outcome.execution?.report {
                metadata["purged"] = "\(report.messages)"
                metadata["bytes_reclaimed"] = "\(report.bytesReclaimed)"
            }
            if let plan = outcome.plan { metadata["plan"] = "\(plan.id)" }
            logger.notice("retention: \(evaluation.due.count) message(s) due", metadata: metadata)
        } catch {
            logger.error("retention run failed", metadata: ["error": "\(error)"])
        }
    }

    /// Seconds from `now` to the next `minuteOfDay` (UTC), at least one second.
    static func secondsUntilNext(minuteOfDay: Int, after now: Date) -> Double {
        let day = 86_400.0
        let seconds = now.timeIntervalSince1970
        let today = (seconds / day).rounded(.down) * day
        var next = today + Double(minuteOfDay * 60)
        if next <= seconds { next += day }
        return max(1, next - seconds)
    }
}
