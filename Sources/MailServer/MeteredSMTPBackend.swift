import SMTPServer

/// An `SMTPBackend` that counts what another one decides — logins, messages accepted with 250 and
/// permanent (5xx) refusals by stage — into the server's metrics, and changes nothing of it.
/// Temporary (4xx) answers are not refusals: the client keeps the message and retries.
struct MeteredSMTPBackend<Base: SMTPBackend>: SMTPBackend {
    let base: Base
    let metrics: ServerMetrics

    func authenticate(username: String, password: String, session: SMTPSessionInfo) async -> String? {
        let user = await base.authenticate(username: username, password: password, session: session)
        metrics.login(protocol: "smtp", succeeded: user != nil)
        return user
    }

    func checkSender(_ reversePath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        count(await base.checkSender(reversePath, session: session), stage: .sender, session: session)
    }

    func checkRecipient(_ forwardPath: String, session: SMTPSessionInfo) async -> SMTPVerdict {
        count(await base.checkRecipient(forwardPath, session: session), stage: .recipient, session: session)
    }

    func deliver(envelope: SMTPEnvelope, message: [UInt8], session: SMTPSessionInfo) async -> SMTPReply {
        let reply = await base.deliver(envelope: envelope, message: message, session: session)
        if reply.code / 100 == 2 {
            metrics.messageReceived(listener: Self.listenerName(session.listener))
        } else if reply.code / 100 == 5 {
            metrics.messageRefused(listener: Self.listenerName(session.listener), stage: .data)
        }
        return reply
    }

    private func count(_ verdict: SMTPVerdict, stage: ServerMetrics.RefusalStage, session: SMTPSessionInfo) -> SMTPVerdict {
        if case .reject(let reply) = verdict, reply.code / 100 == 5 {
            metrics.messageRefused(listener: Self.listenerName(session.listener), stage: stage)
        }
        return verdict
    }

    /// The listener's name in `tresor.toml` (`smtp`, `submission`, `submissions`).
    static func listenerName(_ kind: SMTPListenerKind) -> String {
        switch kind {
        case .mx: "smtp"
        case .submission: "submission"
        case .submissionTLS: "submissions"
        }
    }
}
