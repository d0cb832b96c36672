import Catalog
import Foundation
import MailStore
import Testing
import TestSupport

/// RCPT TO resolution (RFC 5321 §4.1.1.3) through users, aliases and subaddresses (RFC 5233).
@Suite struct ResolutionTests {
    /// example.org with anna and bob; aliases for a team (both), a forward (remote), a mixed list.
    static func withAccounts(_ body: (MailStore) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.addDomain("example.org")
            try await store.addDomain("example.net")
            try await store.addUser("anna@example.org", password: "pw")
            try await store.addUser("bob@example.org", password: "pw")
            try await store.addAlias("team@example.org", targets: ["anna@example.org", "bob+team@example.org"])
            try await store.addAlias("forward@example.org", targets: ["Carl@Remote.test"])
            try await store.addAlias("all@example.net", targets: ["team@example.org", "anna@example.org", "x@remote.test"])
            try await store.addAlias("postmaster@example.org", targets: ["anna@example.org"])
            try await body(store)
        }
    }

    @Test func localUsersResolveToThemselvesFolded() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.resolveRecipient("anna@example.org") == .local(["anna@example.org"]))
            #expect(try await store.resolveRecipient("<Anna@EXAMPLE.org>") == .local(["anna@example.org"]))
        }
    }

    @Test func subaddressesReachTheUser() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.resolveRecipient("anna+invoices@example.org") == .local(["anna@example.org"]))
            #expect(try await store.resolveRecipient("anna+a+b@example.org") == .local(["anna@example.org"]))
            #expect(try await store.resolveRecipient("team+x@example.org") == .local(["anna@example.org", "bob@example.org"]))
            #expect(try await store.resolveRecipient("+anna@example.org") == .unknownLocal)
        }
    }

    @Test func aliasesExpandToSeveralUsersAndRemoteTargets() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.resolveRecipient("team@example.org") == .local(["anna@example.org", "bob@example.org"]))
            #expect(try await store.resolveRecipient("forward@example.org") == .local(["Carl@Remote.test"]))
            // Nested, deduplicated, local users first.
            #expect(try await store.resolveRecipient("all@example.net")
                    == .local(["anna@example.org", "bob@example.org", "x@remote.test"]))
        }
    }

    @Test func unknownLocalAndRemoteAddresses() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.resolveRecipient("nobody@example.org") == .unknownLocal)
            #expect(try await store.resolveRecipient("nobody+tag@example.net") == .unknownLocal)
            #expect(try await store.resolveRecipient("Someone@Elsewhere.test") == .remote("Someone@Elsewhere.test"))
            #expect(try await store.resolveRecipient("<x@sub.example.org>") == .remote("x@sub.example.org"))
        }
    }

    /// A loop written behind the façade's back (e.g. by an older version) resolves to nobody
    /// instead of hanging; a loop beside a real target still reaches the real target.
    @Test func loopsContributeNothing() async throws {
        try await Self.withAccounts { store throws in
            try await store.catalog.accounts.addAlias("ping@example.org", domain: "example.org", targets: ["pong@example.org"])
            try await store.catalog.accounts.addAlias("pong@example.org", domain: "example.org",
                                             targets: ["ping@example.org", "pong+again@example.org"])
            #expect(try await store.resolveRecipient("ping@example.org") == .unknownLocal)
            try await store.catalog.accounts.addAlias("half@example.org", domain: "example.org",
                                             targets: ["ping@example.org", "bob@example.org"])
            #expect(try await store.resolveRecipient("half@example.org") == .local(["bob@example.org"]))
        }
    }

    @Test func aUserMaySendAsItselfAndAsAliasesThatReachOnlyIt() async throws {
        try await Self.withAccounts { store throws in
            #expect(try await store.sendableAddresses(of: "anna@example.org") == ["anna@example.org", "postmaster@example.org"])
            #expect(try await store.sendableAddresses(of: "bob@example.org") == ["bob@example.org"])
            try await store.addAlias("billing@example.org", targets: ["bob@example.org"])
            try await store.addAlias("money@example.net", targets: ["billing@example.org"])
            #expect(try await store.sendableAddresses(of: "BOB@example.org")
                    == ["bob@example.org", "billing@example.org", "money@example.net"])
            #expect(try await store.sendableAddresses(of: "ghost@example.org") == [])
        }
    }
}
