import Delivery
import Foundation
import Testing
@testable import MailServer

/// `[delivery]` and `[delivery.routes]` in tresor.toml: values, defaults, errors naming key and line.
@Suite struct OutboundConfigurationTests {
    @Test func everyKey() throws {
        let configuration = try TresorConfiguration.parse("""
            [delivery]
            smarthost = "relay.example.net:587"
            auth_user = "tresor"
            auth_password_file = "secrets/relay"
            require_tls = true
            dns_resolver = "127.0.0.1:5353"
            retry_schedule = ["30s", "10m", "1h"]
            max_queue_age = "2d"
            smtp_port = 2525
            workers = 8

            [delivery.routes]
            "Partner.test" = "127.0.0.1:2626"
            "secure.test" = { relay = "mx.secure.test", require_tls = true }
            """, relativeTo: URL(fileURLWithPath: "/etc/tresor"))
        let delivery = configuration.delivery
        #expect(delivery.smarthost == RelayAddress(host: "relay.example.net", port: 587))
        #expect(delivery.authUser == "tresor" && delivery.authPasswordFile?.path == "/etc/tresor/secrets/relay")
        #expect(delivery.requireTLS && delivery.smtpPort == 2525 && delivery.workers == 8)
        #expect(delivery.dnsResolver == ResolverAddress(host: "127.0.0.1", port: 5353))
        #expect(delivery.retrySchedule == RetrySchedule(steps: [.seconds(30), .seconds(600), .seconds(3600)],
                                                        maximumAge: .seconds(172_800)))
        #expect(delivery.routes == [
            "partner.test": OutboundRoute(relay: RelayAddress(host: "127.0.0.1", port: 2626)),
            "secure.test": OutboundRoute(relay: RelayAddress(host: "mx.secure.test", port: 25), requireTLS: true),
        ])
    }

    @Test func defaults() throws {
        let delivery = try TresorConfiguration.parse("").delivery
        #expect(delivery == TresorConfiguration.DeliverySettings())
        #expect(delivery.retrySchedule == .standard && delivery.smtpPort == 25 && delivery.smarthost == nil)
    }

    @Test func errorsNameTheKeyAndLine() {
        func problem(_ text: String) -> String {
            do {
                _ = try TresorConfiguration.parse(text)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("[delivery]\nsmarthost = \"relay:x\"") == "tresor.toml:2: delivery.smarthost: must be \"host:port\", not \"relay:x\"")
        #expect(problem("[delivery]\n\nretry_schedule = [\"1m\", \"soon\"]").hasPrefix("tresor.toml:3: delivery.retry_schedule: \"soon\""))
        #expect(problem("[delivery]\nmax_queue_age = \"forever\"").hasPrefix("tresor.toml:2: delivery.max_queue_age:"))
        #expect(problem("[delivery]\ndns_resolver = \"resolver.test\"").hasPrefix("tresor.toml:2: delivery.dns_resolver:"))
        #expect(problem("[delivery]\nsmarthost = \"r:25\"\nauth_user = \"u\"") == "tresor.toml:3: delivery.auth_user: needs delivery.auth_password_file too")
        #expect(problem("[delivery]\nauth_user = \"u\"\nauth_password_file = \"p\"") == "tresor.toml:2: delivery.auth_user: is only used with delivery.smarthost")
        #expect(problem("[delivery]\nworkers = 0").hasPrefix("tresor.toml:2: delivery.workers: must be an integer from 1"))
        #expect(problem("[delivery]\nsmtp_prot = 25") == "tresor.toml:2: delivery.smtp_prot: unknown key")
        #expect(problem("[delivery.routes]\n\"b.test\" = \"host:99999\"") == "tresor.toml:2: delivery.routes.b.test: must be \"host:port\", not \"host:99999\"")
        #expect(problem("[delivery.routes]\n\"b.test\" = { require_tls = true }").hasPrefix("tresor.toml:2: delivery.routes.b.test.relay: is missing"))
        #expect(problem("[delivery.routes]\n\"b.test\" = { relay = \"h:25\", tls = true }").hasPrefix("tresor.toml:2: delivery.routes.b.test.tls: unknown key"))
    }
}
