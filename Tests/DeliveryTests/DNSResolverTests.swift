import Delivery
import Testing

/// The resolver against `TestDNSServer` on loopback: RFC 5321 §5.1 MX selection, RFC 7505 null
/// MX, NXDOMAIN, truncation → TCP (RFC 7766), failover and timeouts.
@Suite struct DNSResolverTests {
    static func withServer(_ records: TestDNSServer.Records, timeout: Duration = .seconds(2),
                           _ body: (DNSResolver, TestDNSServer) async throws -> Void) async throws {
        let server = try await TestDNSServer.start(records: records)
        do {
            let resolver = DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: server.port)], timeout: timeout)
            try await body(resolver, server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test func mailExchangersComeByAscendingPreferenceWithTheirAddresses() async throws {
        let records = TestDNSServer.Records(
            mx: ["example.test": [.init(preference: 20, exchange: "mx2.example.test"),
                                  .init(preference: 5, exchange: "MX1.example.test."),
                                  .init(preference: 30, exchange: "mx3.example.test")]],
            a: ["mx1.example.test": ["127.0.0.11"], "mx2.example.test": ["127.0.0.12", "127.0.0.13"],
                "mx3.example.test": ["127.0.0.14"]],
            aaaa: ["mx1.example.test": ["::1"]])
        try await Self.withServer(records) { resolver, _ throws in
            let answer = try await resolver.mailExchangers(for: "Example.Test")
            #expect(answer == .hosts([
                MailExchanger(name: "mx1.example.test", preference: 5, addresses: ["127.0.0.11", "::1"]),
                MailExchanger(name: "mx2.example.test", preference: 20, addresses: ["127.0.0.12", "127.0.0.13"]),
                MailExchanger(name: "mx3.example.test", preference: 30, addresses: ["127.0.0.14"]),
            ]))
        }
    }

    @Test func equalPreferencesAreShuffledButStayBetweenTheirNeighbours() async throws {
        let names = (1...6).map { "mx\($0).example.test" }
        let records = TestDNSServer.Records(
            mx: ["example.test": [.init(preference: 1, exchange: "first.example.test")]
                + names.map { .init(preference: 10, exchange: $0) }
                + [.init(preference: 99, exchange: "last.example.test")]],
            a: Dictionary(uniqueKeysWithValues: (names + ["first.example.test", "last.example.test"]).map { ($0, ["127.0.0.1"]) }))
        try await Self.withServer(records) { resolver, _ throws in
            var orders: Set<[String]> = []
            for _ in 0..<12 {
                guard case .hosts(let hosts) = try await resolver.mailExchangers(for: "example.test") else {
                    Issue.record("no hosts")
                    return
                }
                #expect(hosts.first?.name == "first.example.test")
                #expect(hosts.last?.name == "last.example.test")
                #expect(Set(hosts.dropFirst().dropLast().map(\.name)) == Set(names))
                orders.insert(hosts.map(\.name))
            }
            // 720 orders of six: twelve draws that all agree would mean no shuffling.
            #expect(orders.count > 1)
        }
    }

    @Test func aDomainWithoutMXIsItsOwnImplicitMX() async throws {
        let records = TestDNSServer.Records(a: ["plain.test": ["127.0.0.7"]], aaaa: ["plain.test": ["2001:db8::7"]])
        try await Self.withServer(records) { resolver, _ throws in
            #expect(try await resolver.mailExchangers(for: "plain.test")
                == .hosts([MailExchanger(name: "plain.test", preference: 0, addresses: ["127.0.0.7", "2001:db8::7"])]))
        }
    }

    @Test func nullMXMeansNoMailAtAll() async throws {
        let records = TestDNSServer.Records(mx: ["nomail.test": [.init(preference: 0, exchange: ".")]],
                                            a: ["nomail.test": ["127.0.0.8"]])
        try await Self.withServer(records) { resolver, _ throws in
            #expect(try await resolver.mailExchangers(for: "nomail.test") == .nullMX)
        }
    }

    @Test func nxdomainAndNameWithoutMXOrAddressesAreNoSuchDomain() async throws {
        let records = TestDNSServer.Records(txt: ["textonly.test": ["hello"]], nxdomain: ["gone.test"])
        try await Self.withServer(records) { resolver, _ throws in
            #expect(try await resolver.mailExchangers(for: "gone.test") == .noSuchDomain)
            #expect(try await resolver.mailExchangers(for: "unknown.test") == .noSuchDomain)
            #expect(try await resolver.mailExchangers(for: "textonly.test") == .noSuchDomain)
            #expect(try await resolver.mailExchangers(for: "bad..name") == .noSuchDomain)
        }
    }

    @Test func truncatedUDPAnswerIsAskedAgainOverTCP() async throws {
        let records = TestDNSServer.Records(
            mx: ["big.test": [.init(preference: 10, exchange: "mx.big.test")]],
            a: ["mx.big.test": ["127.0.0.20"]],
            truncateUDP: ["big.test"])
        try await Self.withServer(records) { resolver, server throws in
            #expect(try await resolver.mailExchangers(for: "big.test")
                == .hosts([MailExchanger(name: "mx.big.test", preference: 10, addresses: ["127.0.0.20"])]))
            let asked = server.queries.filter { $0.name == "big.test" }
            #expect(asked.map(\.transport) == [.udp, .tcp])
        }
    }

    @Test func cnamesAreFollowedForExchangesAndForTheDomain() async throws {
        let records = TestDNSServer.Records(
            mx: ["canonical.test": [.init(preference: 10, exchange: "mx.alias.test")]],
            a: ["real-mx.test": ["127.0.0.30"]],
            cname: ["alias.test": "canonical.test", "mx.alias.test": "middle.test", "middle.test": "real-mx.test"])
        try await Self.withServer(records) { resolver, _ throws in
            #expect(try await resolver.mailExchangers(for: "alias.test")
                == .hosts([MailExchanger(name: "mx.alias.test", preference: 10, addresses: ["127.0.0.30"])]))
            #expect(try await resolver.addresses(of: "mx.alias.test") == ["127.0.0.30"])
        }
    }

    @Test func aCNAMEAnsweredAloneIsFollowedWithANewQuestion() async throws {
        let records = TestDNSServer.Records(a: ["target.other.test": ["127.0.0.31"]],
                                            cname: ["www.alias.test": "target.other.test"],
                                            cnameOnly: ["www.alias.test"])
        try await Self.withServer(records) { resolver, server throws in
            #expect(try await resolver.addresses(of: "www.alias.test") == ["127.0.0.31"])
            #expect(server.queries.contains { $0.name == "target.other.test" && $0.type == .a })
        }
    }

    @Test func aCNAMEChainLongerThanEightLinksIsATemporaryFailure() async throws {
        // c0 → c1 → … → c8 → host: nine links; from c1 it is eight, which is allowed.
        var cnames = Dictionary(uniqueKeysWithValues: (0..<8).map { ("c\($0).test", "c\($0 + 1).test") })
        cnames["c8.test"] = "host.test"
        let records = TestDNSServer.Records(a: ["host.test": ["127.0.0.32"]], cname: cnames)
        try await Self.withServer(records) { resolver, _ throws in
            await #expect(throws: DNSResolutionError.self) { try await resolver.addresses(of: "c0.test") }
            #expect(try await resolver.addresses(of: "c1.test") == ["127.0.0.32"])
        }
    }

    @Test func aCNAMELoopIsATemporaryFailure() async throws {
        let records = TestDNSServer.Records(cname: ["a.loop.test": "b.loop.test", "b.loop.test": "a.loop.test"])
        try await Self.withServer(records) { resolver, _ throws in
            await #expect(throws: DNSResolutionError.self) { try await resolver.addresses(of: "a.loop.test") }
        }
    }

    @Test func addressesOfALiteralNeedNoQuery() async throws {
        try await Self.withServer(.init()) { resolver, server throws in
            #expect(try await resolver.addresses(of: "192.0.2.9") == ["192.0.2.9"])
            #expect(try await resolver.addresses(of: "2001:db8::9") == ["2001:db8::9"])
            #expect(try await resolver.mailExchangers(for: "[192.0.2.9]")
                == .hosts([MailExchanger(name: "[192.0.2.9]", preference: 0, addresses: ["192.0.2.9"])]))
            #expect(server.queries.isEmpty)
        }
    }

    @Test func serverFailureIsTemporary() async throws {
        try await Self.withServer(.init(serverFailure: ["broken.test"])) { resolver, _ throws in
            await #expect(throws: DNSResolutionError.self) { try await resolver.mailExchangers(for: "broken.test") }
        }
    }

    @Test func aSilentServerTimesOutAsATemporaryFailure() async throws {
        try await Self.withServer(.init(silent: ["slow.test"]), timeout: .milliseconds(300)) { resolver, _ throws in
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: DNSResolutionError.self) { try await resolver.mailExchangers(for: "slow.test") }
            // It waited for the answer before giving up. (No upper bound: how soon the failure is
            // seen depends on how busy the machine's threads are, and tests are not timed.)
            #expect(clock.now - start >= .milliseconds(250))
        }
    }

    @Test func aDeadOrSilentFirstServerIsSkippedForTheNext() async throws {
        let records = TestDNSServer.Records(mx: ["example.test": [.init(preference: 10, exchange: "mx.example.test")]],
                                            a: ["mx.example.test": ["127.0.0.40"]])
        let silent = try await TestDNSServer.start(records: .init(silent: ["example.test", "mx.example.test"]))
        let live = try await TestDNSServer.start(records: records)
        // A port with nothing behind it: the silent server's, once stopped, answers ICMP unreachable.
        let dead = try await TestDNSServer.start(records: .init())
        let deadPort = dead.port
        await dead.stop()
        let expected = MailExchangerAnswer.hosts([MailExchanger(name: "mx.example.test", preference: 10, addresses: ["127.0.0.40"])])
        do {
            let viaDead = DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: deadPort),
                                                ResolverAddress(host: "127.0.0.1", port: live.port)], timeout: .milliseconds(500))
            #expect(try await viaDead.mailExchangers(for: "example.test") == expected)
            let viaSilent = DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: silent.port),
                                                  ResolverAddress(host: "127.0.0.1", port: live.port)], timeout: .milliseconds(300))
            #expect(try await viaSilent.mailExchangers(for: "example.test") == expected)
            #expect(silent.queries.contains { $0.name == "example.test" })
        }
        await silent.stop()
        await live.stop()
    }

    @Test func noServersIsATemporaryFailure() async throws {
        await #expect(throws: DNSResolutionError.self) {
            try await DNSResolver(servers: []).mailExchangers(for: "example.test")
        }
    }
}
