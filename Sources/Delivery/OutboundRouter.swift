/// A configured next hop: "host:port".
public struct RelayAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// "host:port", "[v6]:port", or "host" with `defaultPort`; nil when malformed.
    public init?(parsing text: String, defaultPort: Int) {
        var host = Substring(text)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            guard let value = Int(host[host.index(after: colon)...]) else { return nil }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port), !host.contains(" ") else { return nil }
        self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One entry of `[delivery.routes]`: where mail for a domain goes, and whether TLS is required.
public struct OutboundRoute: Sendable, Hashable {
    public var relay: RelayAddress
    public var requireTLS: Bool
    public init(relay: RelayAddress, requireTLS: Bool = false) {
        self.relay = relay
        self.requireTLS = requireTLS
    }
}

/// Where a recipient domain's mail goes, in order of precedence: the domain's route, the
/// smarthost, the domain's mail exchangers (RFC 5321 §5.1).
public struct OutboundRouter: Sendable {
    /// By lower-case domain.
    public var routes: [String: OutboundRoute]
    public var smarthost: RelayAddress?
    public var smarthostCredentials: SMTPCredentials?
    /// TLS required for every connection (the smarthost's and MX hosts').
    public var requireTLS: Bool
    /// The port of MX hosts (25; tests point it at a loopback listener).
    public var mxPort: Int
    public var resolver: (any MailExchangerResolver)?

    public init(routes: [String: OutboundRoute] = [:], smarthost: RelayAddress? = nil,
                smarthostCredentials: SMTPCredentials? = nil, requireTLS: Bool = false, mxPort: Int = 25,
                resolver: (any MailExchangerResolver)?) {
        self.routes = routes
        self.smarthost = smarthost
        self.smarthostCredentials = smarthostCredentials
        self.requireTLS = requireTLS
        self.mxPort = mxPort
        self.resolver = resolver
    }

    public enum Decision: Sendable, Hashable {
        /// Try these hosts in order.
        case hosts([OutboundHost])
        /// Nothing to try now (DNS timeout, SERVFAIL): defer with this status and reason.
        case temporaryFailure(status: String, reason: String)
        /// The domain cannot receive mail: fail with this status and reason.
        case permanentFailure(status: String, reason: String)
    }

    /// The hosts for `domain`.
    public func route(_ domain: String) async -> Decision {
        let domain = domain.lowercased()
        if let route = routes[domain] {
            return .hosts([OutboundHost(name: route.relay.host, port: route.relay.port,
                                        tls: route.requireTLS || requireTLS ? .required : .opportunistic)])
        }
        if let smarthost {
            return .hosts([OutboundHost(name: smarthost.host, port: smarthost.port,
                                        tls: requireTLS ? .required : .opportunistic,
                                        credentials: smarthostCredentials)])
        }
        guard let resolver else {
            return .temporaryFailure(status: "4.4.3", reason: "no DNS resolver configured")
        }
        do {
            switch try await resolver.mailExchangers(for: domain) {
            case .hosts(let exchangers) where !exchangers.isEmpty:
                return .hosts(exchangers.map {
                    OutboundHost(name: $0.name, addresses: $0.addresses, port: mxPort,
                                 tls: requireTLS ? .required : .opportunistic)
                })
            case .hosts:
                return .permanentFailure(status: "5.1.2", reason: "\(domain) has no mail exchanger")
            case .nullMX:
                // RFC 7505 §4.1: 556 5.1.10 for a domain that publishes a null MX.
                return .permanentFailure(status: "5.1.10", reason: "\(domain) accepts no mail (null MX, RFC 7505)")
            case .noSuchDomain:
                return .permanentFailure(status: "5.1.2", reason: "\(domain) does not exist in the DNS")
            }
        } catch {
            // RFC 3463 §3.5: 4.4.3 directory server failure.
            return .temporaryFailure(status: "4.4.3", reason: "\(error)")
        }
    }
}
