import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// RCPT TO resolution (RFC 5321 §4.1.1.3) through users, aliases and subaddresses (RFC 5233).
@Suite struct ResolutionTests {
    /// example.org with anna and bob; aliases for a team (both), a forward (remote), a mixed list.
    static func withAccounts(_ body: (MailStore) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addDomain("example.net", by: .system("test"))
            try await store.accounts.addUser("anna@example.org", password: "pw", by: .system("test"))
            try await store.accounts.addUser("bob@example.org", password: "pw", by: .system("test"))
            try await store.accounts.addAlias("team@example.org", targets: ["anna@example.org", "bob+team@example.org"], by: .system("test"))
            try await store.accounts.addAlias("forward@example.org", targets: ["Carl@Remote.test"], by: .system("test"))
            try await store.accounts.addAlias("all@example.net", targets: ["team@example.org", "anna@example.org", "x@remote.test"], by: .system("test"))
            try await store.accounts.addAlias("postmaster@example.org", targets: ["anna@example.org"], by: .system("test"))
            try await body(store)
        }
    }

    @Test func localUsersResolveToThemselvesFolded() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.accounts.resolveRecipient("anna@example.org") == .local(["anna@example.org"]))
            #expect(try await store.accounts.resolveRecipient("<Anna@EXAMPLE.org>") == .local(["anna@example.org"]))
        }
    }

    @Test func subaddressesReachTheUser() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.accounts.resolveRecipient("anna+invoices@example.org") == .local(["anna@example.org"]))
            #expect(try await store.accounts.resolveRecipient("anna+a+b@example.org") == .local(["anna@example.org"]))
            #expect(try await store.accounts.resolveRecipient("team+x@example.org") == .local(["anna@example.org", "bob@example.org"]))
            #expect(try await store.accounts.resolveRecipient("+anna@example.org") == .unknownLocal)
        }
    }

    @Test func aliasesExpandToSeveralUsersAndRemoteTargets() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.accounts.resolveRecipient("team@example.org") == .local(["anna@example.org", "bob@example.org"]))
            #expect(try await store.accounts.resolveRecipient("forward@example.org") == .local(["Carl@Remote.test"]))
            // Nested, deduplicated, local users first.
            #expect(try await store.accounts.resolveRecipient("all@example.net")
                    == .local(["anna@example.org", "bob@example.org", "x@remote.test"]))
        }
    }

    @Test func unknownLocalAndRemoteAddresses() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.accounts.resolveRecipient("nobody@example.org") == .unknownLocal)
            #expect(try await store.accounts.resolveRecipient("nobody+tag@example.net") == .unknownLocal)
            #expect(try await store.accounts.resolveRecipient("Someone@Elsewhere.test") == .remote("Someone@Elsewhere.test"))
            #expect(try await store.accounts.resolveRecipient("<x@sub.example.org>") == .remote("x@sub.example.org"))
        }
    }

    /// A loop written behind the façade's back (e.g. by an older version) resolves to nobody
    /// instead of hanging; a loop beside a real target still reaches the real target.
    @Test func loopsContributeNothing() async throws {
        try await Self.withAccounts { store throws in
            try await store.catalog.accounts.addAlias("ping@example.org", domain: "example.org", targets: ["pong@example.org"], at: Date())
            try await store.catalog.accounts.addAlias("pong@example.org", domain: "example.org",
                                             targets: ["ping@example.org", "pong+again@example.org"], at: Date())
            #expect(try await store.accounts.resolveRecipient("ping@example.org") == .unknownLocal)
            try await store.catalog.accounts.addAlias("half@example.org", domain: "example.org",
                                             targets: ["ping@example.org", "bob@example.org"], at: Date())
            #expect(try await store.accounts.resolveRecipient("half@example.org") == .local(["bob@example.org"]))
        }
    }

    @Test func aUserMaySendAsItselfAndAsAliasesThatReachOnlyIt() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.accounts.sendableAddresses(of: "anna@example.org") == ["anna@example.org", "postmaster@example.org"])
            #expect(try await store.accounts.sendableAddresses(of: "bob@example.org") == ["bob@example.org"])
            try await store.accounts.addAlias("billing@example.org", targets: ["bob@example.org"], by: .system("test"))
            try await store.accounts.addAlias("money@example.net", targets: ["billing@example.org"], by: .system("test"))
            #expect(try await store.accounts.sendableAddresses(of: "BOB@example.org")
                    == ["bob@example.org", "billing@example.org", "money@example.net"])
            #expect(try await store.accounts.sendableAddresses(of: "ghost@example.org") == [])
        }
    }
}
