// Where mail for a domain goes (RFC 5321 §5.1, RFC 7505).

extension DNSResolver {
    /// RFC 5321 §5.1: the MX records by ascending preference, equal preferences in random order,
    /// each exchange with its A/AAAA addresses (CNAMEs followed); without MX records the domain's
    /// own addresses as an implicit MX of preference 0; `.nullMX` for RFC 7505's single "0 .";
    /// `.noSuchDomain` for NXDOMAIN or a domain with neither MX nor addresses.
    ///
    /// An address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]", RFC 5321 §4.1.3) needs no DNS.
    /// An exchange whose address lookup failed temporarily is listed with no addresses; when no
    /// exchange has any address and one failed temporarily, the whole answer is `.temporary`.
    public func mailExchangers(for domain: String) async throws -> MailExchangerAnswer {
        if let literal = Self.addressLiteral(domain) {
            return .hosts([MailExchanger(name: domain, preference: 0, addresses: [literal])])
        }
        guard let name = try? DNSName(domain), !name.isRoot else { return .noSuchDomain }
        let exchanges: [(preference: UInt16, exchange: DNSName)]
        switch try await lookup(name, type: .mx) {
        case .noSuchName:
            return .noSuchDomain
        case .records(let records, _):
            exchanges = records.compactMap { data in
                if case .mx(let preference, let exchange) = data { return (preference, exchange) }
                return nil
            }
        }
        // RFC 7505 §3: a null MX is the only MX of its domain. A zone that lists it beside real
        // exchanges is broken; the real ones are used.
        let real = exchanges.filter { !$0.exchange.isRoot }
        if real.isEmpty, !exchanges.isEmpty { return .nullMX }
        if real.isEmpty {
            // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX of preference 0.
            let addresses = try await addresses(of: name)
            if addresses.isEmpty { return .noSuchDomain }
            return .hosts([MailExchanger(name: Self.text(of: name), preference: 0, addresses: addresses)])
        }
        return .hosts(try await resolveExchanges(Self.ordered(real)))
    }

    /// Ascending preference; within one preference a random order (RFC 5321 §5.1, "to spread
    /// the load"); an exchange listed twice is kept at its best preference.
    static func ordered(_ exchanges: [(preference: UInt16, exchange: DNSName)],
                        using generator: inout some RandomNumberGenerator) -> [(preference: UInt16, exchange: DNSName)] {
        var best: [DNSName: UInt16] = [:]
        for entry in exchanges { best[entry.exchange] = min(best[entry.exchange] ?? .max, entry.preference) }
        var seen: Set<DNSName> = []
        let unique = exchanges.filter { best[$0.exchange] == $0.preference && seen.insert($0.exchange).inserted }
        let byPreference = Dictionary(grouping: unique, by: \.preference)
        return byPreference.keys.sorted().flatMap { byPreference[$0]!.shuffled(using: &generator) }
    }

    static func ordered(_ exchanges: [(preference: UInt16, exchange: DNSName)]) -> [(preference: UInt16, exchange: DNSName)] {
        var generator = SystemRandomNumberGenerator()
        return ordered(exchanges, using: &generator)
    }

    /// The addresses of every exchange, looked up concurrently, in the given order.
    private func resolveExchanges(_ exchanges: [(preference: UInt16, exchange: DNSName)]) async throws(DNSResolutionError) -> [MailExchanger] {
        let results = await withTaskGroup(of: (Int, Result<[String], DNSResolutionError>).self) { group in
            for (index, entry) in exchanges.enumerated() {
                group.addTask {
                    // Awaited before the tuple is built (see `AnchorStamper.stamp`: Swift 6.3's release
                    // build clobbered an index built into a tuple across a typed-throws await).
                    let result = await Result(catching: { () async throws(DNSResolutionError) in
                        try await self.addresses(of: entry.exchange)
                    })
                    return (index, result)
                }
            }
            var results = [Result<[String], DNSResolutionError>](repeating: .success([]), count: exchanges.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        var hosts: [MailExchanger] = []
        var failure: DNSResolutionError?
        for (entry, result) in zip(exchanges, results) {
            var addresses: [String] = []
            switch result {
            case .success(let found): addresses = found
            case .failure(let error): failure = error
            }
            hosts.append(MailExchanger(name: Self.text(of: entry.exchange), preference: Int(entry.preference), addresses: addresses))
        }
        if let failure, hosts.allSatisfy({ $0.addresses.isEmpty }) { throw failure }
        return hosts
    }

    /// "mx.example.com", lower case: names are case-insensitive and the queue compares them.
    static func text(of name: DNSName) -> String {
        DNSName(validatedLabels: name.canonicalLabels).description
    }

    /// The IP inside an RFC 5321 §4.1.3 address literal, or nil.
    static func addressLiteral(_ domain: String) -> String? {
        guard domain.hasPrefix("["), domain.hasSuffix("]") else { return nil }
        var inner = String(domain.dropFirst().dropLast())
        if inner.lowercased().hasPrefix("ipv6:") { inner = String(inner.dropFirst(5)) }
        return IPAddressText.isLiteral(inner) ? inner : nil
    }
}
