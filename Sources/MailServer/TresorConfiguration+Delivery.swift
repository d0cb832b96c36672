import Delivery
import TOMLKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// `[delivery]` and `[delivery.routes]`: where outbound mail goes and how hard we try.
    ///
    /// ```toml
    /// [delivery]
    /// smarthost = "relay.example.net:587"      # optional; with auth_user / auth_password_file
    /// auth_user = "tresor"
    /// auth_password_file = "relay.password"    # first line is the password
    /// require_tls = false                      # true: no STARTTLS with a valid certificate, no delivery
    /// dns_resolver = "127.0.0.1:5353"          # default: the nameservers of /etc/resolv.conf
    /// retry_schedule = ["1m", "5m", "30m", "2h", "6h"]   # waits after each failure; the last repeats
    /// max_queue_age = "5d"
    /// smtp_port = 25                           # the port of MX hosts
    /// workers = 4                              # domains delivered to at once
    ///
    /// [delivery.routes]                        # beats smarthost and MX
    /// "partner.test" = "127.0.0.1:2626"
    /// "secure.test" = { relay = "mx.secure.test:25", require_tls = true }
    /// ```
    public struct DeliverySettings: Sendable, Equatable {
        public var smarthost: RelayAddress?
        public var authUser: String?
        public var authPasswordFile: URL?
        public var requireTLS = false
        public var dnsResolver: ResolverAddress?
        public var retrySchedule = RetrySchedule.standard
        public var smtpPort = 25
        public var workers = 4
        /// By lower-case domain.
        public var routes: [String: OutboundRoute] = [:]

        public init() {}
    }

    mutating func readDeliverySettings(_ reader: inout TOMLTableReader,
                                       resolve: (String) -> URL) throws(ConfigurationError) {
        guard var table = try reader.table("delivery") else { return }
        var settings = DeliverySettings()
        if let text = try table.string("smarthost", nonEmpty: true) {
            guard let relay = RelayAddress(parsing: text, defaultPort: 25) else {
                throw table.error("smarthost", "must be \"host:port\", not \"\(text)\"")
            }
            settings.smarthost = relay
        }
        settings.authUser = try table.string("auth_user", nonEmpty: true)
        if let path = try table.string("auth_password_file", nonEmpty: true) {
            settings.authPasswordFile = resolve(path)
        }
        if settings.authUser != nil && settings.authPasswordFile == nil {
            throw table.error("auth_user", "needs delivery.auth_password_file too")
        }
        if settings.authUser == nil && settings.authPasswordFile != nil {
            throw table.error("auth_password_file", "needs delivery.auth_user too")
        }
        if settings.authUser != nil && settings.smarthost == nil {
            throw table.error("auth_user", "is only used with delivery.smarthost")
        }
        if let require = try table.bool("require_tls") { settings.requireTLS = require }
        if let text = try table.string("dns_resolver", nonEmpty: true) {
            guard let address = ResolverAddress(parsing: text), IPAddressText.isValid(address.host) else {
                throw table.error("dns_resolver", "must be an IP address with an optional port, not \"\(text)\"")
            }
            settings.dnsResolver = address
        }
        var steps = settings.retrySchedule.steps
        if let texts = try table.strings("retry_schedule") {
            guard !texts.isEmpty else { throw table.error("retry_schedule", "must name at least one wait") }
            steps = []
            for text in texts {
                guard let step = RetrySchedule.parseDuration(text) else {
                    throw table.error("retry_schedule", "\"\(text)\" is not a duration like \"90s\", \"5m\", \"2h\" or \"1d\"")
                }
                steps.append(step)
            }
        }
        var maximumAge = settings.retrySchedule.maximumAge
        if let text = try table.string("max_queue_age", nonEmpty: true) {
            guard let age = RetrySchedule.parseDuration(text) else {
                throw table.error("max_queue_age", "\"\(text)\" is not a duration like \"5d\" or \"12h\"")
            }
            maximumAge = age
        }
        settings.retrySchedule = RetrySchedule(steps: steps, maximumAge: maximumAge)
        if let port = try table.int("smtp_port", in: 1...65535) { settings.smtpPort = port }
        if let workers = try table.int("workers", in: 1...256) { settings.workers = workers }
        if var routes = try table.table("routes") {
            for domain in routes.table.keys.sorted() {
                settings.routes[domain.lowercased()] = try routes.readRoute(domain)
            }
            try routes.finish()
        }
        try table.finish()
        delivery = settings
    }
}

extension TOMLTableReader {
    /// One `[delivery.routes]` entry: `"host:port"`, or `{ relay = "host:port", require_tls = true }`.
    fileprivate mutating func readRoute(_ domain: String) throws(ConfigurationError) -> OutboundRoute {
        guard DomainName.isValid(domain) else { throw error(domain, "\"\(domain)\" is not a domain name") }
        if let value = table[domain], value.table != nil {
            guard var entry = try self.table(domain) else { throw error(domain, "must be \"host:port\" or a table") }
            guard let text = try entry.string("relay", nonEmpty: true) else {
                throw entry.error("relay", "is missing: \"host:port\"")
            }
            guard let relay = RelayAddress(parsing: text, defaultPort: 25) else {
                throw entry.error("relay", "must be \"host:port\", not \"\(text)\"")
            }
            let requireTLS = try entry.bool("require_tls") ?? false
            try entry.finish()
            return OutboundRoute(relay: relay, requireTLS: requireTLS)
        }
        guard let text = try string(domain, nonEmpty: true) else { throw error(domain, "must be \"host:port\"") }
        guard let relay = RelayAddress(parsing: text, defaultPort: 25) else {
            throw error(domain, "must be \"host:port\", not \"\(text)\"")
        }
        return OutboundRoute(relay: relay)
    }
}
