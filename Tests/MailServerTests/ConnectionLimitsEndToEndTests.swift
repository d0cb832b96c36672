import Foundation
import SocketTestSupport
import Testing
@testable import MailServer

/// `[limits]` connections: one count per client address over every listener of the server, and a
/// cap on all connections together; past either, each protocol's "too busy" reply and a close.
@Suite struct ConnectionLimitsEndToEndTests {
    @Test func limitsAreRead() throws {
        let configuration = try TresorConfiguration.parse("""
            [limits]
            connections_per_ip = 5
            connections = 300
            command_deadline_seconds = 45
            minimum_data_rate = 1000
            """)
        #expect(configuration.limits.connectionsPerIP == 5)
        #expect(configuration.limits.connections == 300)
        #expect(configuration.limits.commandDeadline == .seconds(45))
        #expect(configuration.limits.minimumDataRate == 1000)
        #expect(throws: ConfigurationError.self) { try TresorConfiguration.parse("[limits]\nconnections = 0\n") }
        #expect(throws: ConfigurationError.self) {
            try TresorConfiguration.parse("[limits]\ncommand_deadline_seconds = 1\n")
        }
    }

    /// Two connections per address: one SMTP and one IMAP connection use them up, so POP3 and
    /// ManageSieve refuse the same address, each in its own words.
    @Test func perAddressLimitCountsEveryListener() async throws {
        var configuration = ServerHarness.configuration()
        configuration.limits.connectionsPerIP = 2
        try await ServerHarness.with(users: [], configuration: configuration) { server in
            try await SocketTestClient.with(server.smtp) { smtp in
                let smtpGreeting = try await smtp.line()
                #expect(smtpGreeting?.hasPrefix("220 ") == true, "\(smtpGreeting ?? "closed")")
                try await SocketTestClient.with(server.imap) { imap in
                    let imapGreeting = try await imap.line()
                    #expect(imapGreeting?.hasPrefix("* OK ") == true, "\(imapGreeting ?? "closed")")
                    try await SocketTestClient.with(server.pop3) { pop3 in
                        let pop3Greeting = try await pop3.line()
                        #expect(pop3Greeting?.hasPrefix("-ERR [SYS/TEMP] ") == true, "\(pop3Greeting ?? "closed")")
                        let pop3End = try await pop3.line()
                        #expect(pop3End == nil)
                    }
                    try await SocketTestClient.with(server.manageSieve) { sieve in
                        let sieveGreeting = try await sieve.line()
                        #expect(sieveGreeting?.hasPrefix("BYE (TRYLATER) ") == true, "\(sieveGreeting ?? "closed")")
                        let sieveEnd = try await sieve.line()
                        #expect(sieveEnd == nil)
                    }
                }
            }
        }
    }

    /// One connection in all: whatever the address allows, the second gets "too busy".
    @Test func globalCapCountsEveryListener() async throws {
        var configuration = ServerHarness.configuration()
        configuration.limits.connections = 1
        try await ServerHarness.with(users: [], configuration: configuration) { server in
            try await SocketTestClient.with(server.pop3) { pop3 in
                let pop3Greeting = try await pop3.line()
                #expect(pop3Greeting?.hasPrefix("+OK ") == true, "\(pop3Greeting ?? "closed")")
                try await SocketTestClient.with(server.smtp) { smtp in
                    let smtpGreeting = try await smtp.line()
                    #expect(smtpGreeting?.hasPrefix("421 4.7.0 ") == true, "\(smtpGreeting ?? "closed")")
                    let smtpEnd = try await smtp.line()
                    #expect(smtpEnd == nil)
                }
                try await SocketTestClient.with(server.imap) { imap in
                    let imapGreeting = try await imap.line()
                    #expect(imapGreeting?.hasPrefix("* BYE [UNAVAILABLE] ") == true, "\(imapGreeting ?? "closed")")
                    let imapEnd = try await imap.line()
                    #expect(imapEnd == nil)
                }
            }
        }
    }
}
