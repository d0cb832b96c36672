import Logging
import MailStore
import ServerKit
import ServiceLifecycle
import UnixSignals

/// What one reload did, part by part: each part either took its new state or kept its old one.
public struct ReloadReport: Sendable {
    public enum Part: Sendable {
        /// Reloaded; a short account of what is in force now.
        case reloaded(String)
        /// Not reloaded, the old state kept; why.
        case failed(String)

        public var failed: Bool {
            if case .failed = self { return true }
            return false
        }
    }

    public var certificate: Part
    public var policies: Part
    public var sieve: Part
}

extension MailServer {
    /// SIGHUP: reads the TLS certificate and key again (new handshakes get them, open connections
    /// keep theirs), the retention policy folder (checked against the locked policies first), and
    /// drops the compiled Sieve scripts. One log line per part says what it reloaded, or why it
    /// kept its old state. `tresor.toml` itself is not read again. Nil before the server runs.
    @discardableResult
    public func reload() async -> ReloadReport? {
        guard let parts = currentReloadable() else { return nil }
        let certificate: ReloadReport.Part
        do {
            let fresh = try TLSMaterial.reload(configuration.tls, dataDirectory: dataDirectory)
            parts.tls.replaceContext(with: fresh.tls)
            certificate = .reloaded(fresh.path)
            logger.notice("reload: TLS certificate", metadata: ["result": "reloaded", "path": "\(fresh.path)"])
        } catch {
            certificate = .failed("\(error)")
            logger.error("reload: TLS certificate", metadata: ["result": "kept the old one", "error": "\(error)"])
        }
        let policies: ReloadReport.Part
        do {
            let set = try await reloadPolicies(of: parts.retention)
            let names = set.policies.map(\.name).joined(separator: ",")
            policies = .reloaded(names)
            logger.notice("reload: retention policies", metadata: [
                "result": "reloaded", "policies": "\(names)", "files": "\(set.files.joined(separator: ","))",
            ])
        } catch {
            policies = .failed("\(error)")
            logger.error("reload: retention policies", metadata: ["result": "kept the old ones", "error": "\(error)"])
        }
        let sieve: ReloadReport.Part
        do {
            let found = try await parts.store.reloadSieveScripts()
            sieve = .reloaded("generation \(found.generation)")
            logger.notice("reload: sieve scripts", metadata: [
                "result": "reloaded", "generation": "\(found.generation)", "global_script": "\(found.globalScript)",
            ])
        } catch {
            sieve = .failed("\(error)")
            logger.error("reload: sieve scripts", metadata: ["result": "kept the old ones", "error": "\(error)"])
        }
        return ReloadReport(certificate: certificate, policies: policies, sieve: sieve)
    }
}

/// Reloads the server on each SIGHUP of `signals` (trapped since start-up, so one that came early
/// waits here), one reload at a time, until graceful shutdown.
struct ReloadSignalService: Service {
    let server: MailServer
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.notice("SIGHUP: reloading")
            await server.reload()
        }
    }
}
