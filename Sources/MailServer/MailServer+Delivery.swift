import Delivery
import MailStore
import ServiceLifecycle
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MailServer {
    /// The outbound queue workers, configured from `[delivery]`: routes, smarthost (with its
    /// password read now, at start-up), MX through our DNS client, DKIM keys from `DATA/dkim`.
    func makeDeliveryServices(store: MailStore) throws -> [any Service] {
        let settings = configuration.delivery
        var credentials: SMTPCredentials?
        if let user = settings.authUser, let file = settings.authPasswordFile {
            let text: String
            do { text = try String(contentsOf: file, encoding: .utf8) } catch {
                throw ConfigurationError(file: configuration.file ?? TresorConfiguration.defaultFileName, line: nil,
                                         key: "delivery.auth_password_file",
                                         problem: "cannot read \(file.path): \(error.localizedDescription)")
            }
            let password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            credentials = SMTPCredentials(user: user, password: password.trimmingCharacters(in: .init(charactersIn: "\r")))
        }
        let servers = settings.dnsResolver.map { [$0] } ?? DNSResolver.systemServers()
        let router = OutboundRouter(routes: settings.routes, smarthost: settings.smarthost,
                                    smarthostCredentials: credentials, requireTLS: settings.requireTLS,
                                    mxPort: settings.smtpPort,
                                    resolver: servers.isEmpty ? nil : DNSResolver(servers: servers))
        let delivery = OutboundDelivery(
            store: store,
            configuration: OutboundDeliveryConfiguration(hostname: configuration.hostname, router: router,
                                                         schedule: settings.retrySchedule, workers: settings.workers),
            signer: DKIMKeyStore(directory: DKIMKeyStore.directory(in: dataDirectory)),
            now: clock.now, logger: logger)
        return [OutboundQueueService(delivery: delivery, logger: logger, onReport: { [metrics] in metrics.outbound($0) })]
    }
}
