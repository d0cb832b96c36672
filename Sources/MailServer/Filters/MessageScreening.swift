import Logging
import MailStore
import SMTPServer

/// The content filters at the end of DATA, before anything is journaled: clamd first (malware
/// is refused whatever rspamd would say, and rspamd is not asked about it), then rspamd. Each is
/// asked within its time limit on the injected clock; a filter that gives no verdict leaves the
/// message to its fail mode (`ScreeningPolicy`). Every verdict that changes a message's fate,
/// and every filter failure, is one log line with the transaction id.
struct MessageScreening: Sendable {
    var policy: ScreeningPolicy
    /// This server's host name, for rspamd's `MTA-Name`.
    var hostname: String
    var clock: any Clock<Duration>
    var logger: Logger

    init(spam: TresorConfiguration.SpamSettings, antivirus: TresorConfiguration.AntivirusSettings, hostname: String,
         clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        policy = ScreeningPolicy(spam: spam, antivirus: antivirus)
        self.hostname = hostname
        self.clock = clock
        self.logger = logger
    }

    /// Whether any filter is configured.
    var isActive: Bool { policy.spam.rspamd != nil || policy.antivirus.clamd != nil }

    func screen(_ message: [UInt8], envelope: SMTPEnvelope, session: SMTPSessionInfo) async -> ScreeningDecision {
        if let clamd = policy.antivirus.clamd {
            let verdict = await scanForMalware(message, at: clamd)
            log(verdict, id: envelope.id)
            if let decision = policy.afterVirusScan(verdict) { return decision }
        }
        // Spam filtering is for mail from elsewhere; mail of authenticated users only when asked.
        guard case .tcp(let host, let port)? = policy.spam.rspamd,
            session.listener == .mx || policy.spam.submission
        else { return .deliver(addedFields: [], placement: nil) }
        let fields = RspamdRequest.headerFields(
            mailFrom: envelope.mailFrom, recipients: envelope.recipients, clientAddress: session.clientAddress,
            helo: session.helo, authenticatedUser: session.authenticatedUser, queueID: envelope.id, hostname: hostname)
        let verdict = await checkForSpam(message, fields: fields, host: host, port: port)
        log(verdict, id: envelope.id)
        return policy.afterSpamCheck(verdict)
    }

    private func scanForMalware(_ message: [UInt8], at endpoint: FilterEndpoint) async -> VirusVerdict {
        let timeout = policy.antivirus.timeout
        let client = ClamdClient(endpoint: endpoint, connectTimeout: timeout)
        do {
            switch try await withFilterTimeout(timeout, clock: clock, { try await client.scan(message) }) {
            case .clean: return .clean
            case .infected(let signature): return .infected(signature: signature)
            case .error(let text): return .unavailable("clamd at \(endpoint) answered \"\(text)\"")
            }
        } catch {
            return .unavailable("\(error)")
        }
    }

    private func checkForSpam(_ message: [UInt8], fields: [(String, String)], host: String, port: Int) async -> SpamVerdict {
        let timeout = policy.spam.timeout
        let client = RspamdClient(host: host, port: port, timeout: timeout)
        do {
            return .result(try await withFilterTimeout(timeout, clock: clock, { try await client.check(message, fields: fields) }))
        } catch {
            return .unavailable("\(error)")
        }
    }

    private func log(_ verdict: VirusVerdict, id: String) {
        switch verdict {
        case .clean:
            logger.debug("antivirus: clean", metadata: ["id": "\(id)"])
        case .infected(let signature):
            logger.notice("antivirus: malware found", metadata: [
                "id": "\(id)", "signature": "\(signature)", "action": "\(policy.antivirus.infected.rawValue)",
            ])
        case .unavailable(let problem):
            logger.warning("antivirus: no verdict", metadata: [
                "id": "\(id)", "problem": "\(problem)",
                "fail": "\(policy.antivirus.fail == .accept ? "accepted unscanned" : "deferred")",
            ])
        }
    }

    private func log(_ verdict: SpamVerdict, id: String) {
        switch verdict {
        case .result(let result):
            let metadata: Logger.Metadata = [
                "id": "\(id)", "action": "\(result.action.text)", "score": "\(SpamHeaderFields.decimal(result.score))",
                "symbols": "\(result.symbols.joined(separator: ","))",
            ]
            if result.action == .noAction {
                logger.debug("spam filter: verdict", metadata: metadata)
            } else {
                logger.info("spam filter: verdict", metadata: metadata)
            }
        case .unavailable(let problem):
            logger.warning("spam filter: no verdict", metadata: [
                "id": "\(id)", "problem": "\(problem)",
                "fail": "\(policy.spam.fail == .accept ? "accepted unfiltered" : "deferred")",
            ])
        }
    }
}
