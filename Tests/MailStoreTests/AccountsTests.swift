import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Domains, users, passwords and aliases through the MailStore façade, on a real catalog.
@Suite struct AccountsTests {
    @Test func domainsAreFoldedListedAndRemovedOnlyWhenEmpty() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("Example.ORG", by: .system("test"))
            try await store.accounts.addDomain("bücher.example", by: .system("test"))
            #expect(try await store.accounts.domains() == ["bücher.example", "example.org"])
            #expect(try await store.accounts.isLocalDomain("EXAMPLE.org"))
            #expect(try await !store.accounts.isLocalDomain("example.com"))
            await #expect(throws: AccountError.domainExists("example.org")) { try await store.accounts.addDomain("example.org", by: .system("test")) }
            await #expect(throws: AccountError.invalidDomain("-bad.example")) { try await store.accounts.addDomain("-bad.example", by: .system("test")) }
            await #expect(throws: AccountError.invalidDomain("a..b")) { try await store.accounts.addDomain("a..b", by: .system("test")) }

            try await store.accounts.addUser("anna@example.org", password: "pw", by: .system("test"))
            await #expect(throws: AccountError.domainInUse("example.org", users: 1, aliases: 0)) {
                try await store.accounts.removeDomain("example.org", by: .system("test"))
            }
            try await store.accounts.removeUser("anna@example.org", by: .system("test"))
            try await store.accounts.removeDomain("example.org", by: .system("test"))
            #expect(try await store.accounts.domains() == ["bücher.example"])
            await #expect(throws: AccountError.unknownDomain("example.org")) { try await store.accounts.removeDomain("example.org", by: .system("test")) }
        }
    }

    @Test func aNewUserGetsTheSixFoldersWithSpecialUse() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser("Anna@Example.org", password: "secret", by: .system("test"))
            #expect(try await store.accounts.users() == ["anna@example.org"])
            let boxes = try await store.mailboxes.mailboxes(of: "anna@example.org")
            #expect(boxes.map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
            let special = Dictionary(uniqueKeysWithValues: boxes.map { ($0.name, $0.specialUse) })
            #expect(special == ["INBOX": nil, "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash",
                                "Junk": "\\Junk", "Archive": "\\Archive"])
            #expect(boxes.allSatisfy { $0.uidNext == 1 && $0.messages == 0 && $0.subscribed })
            // Every mailbox gets its own UIDVALIDITY, never reused (RFC 3501 §2.3.1.1).
            #expect(Set(boxes.map(\.uidValidity)).count == boxes.count)
            try await store.accounts.removeUser("anna@example.org", by: .system("test"))
            try await store.accounts.addUser("anna@example.org", password: "secret", by: .system("test"))
            let again = try await store.mailboxes.mailboxes(of: "anna@example.org")
            #expect(Set(again.map(\.uidValidity)).isDisjoint(with: Set(boxes.map(\.uidValidity))))
        }
    }

    @Test func addingAUserOutsideTheLocalDomainsNamesTheDomain() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            let error = await #expect(throws: AccountError.self) { try await store.accounts.addUser("bob@elsewhere.test", password: "x", by: .system("test")) }
            #expect(error == .notLocalDomain(address: "bob@elsewhere.test", domain: "elsewhere.test"))
            #expect(String(describing: error!).contains("elsewhere.test"))
            await #expect(throws: AccountError.invalidAddress("no-at-sign")) { try await store.accounts.addUser("no-at-sign", password: "x", by: .system("test")) }
            try await store.accounts.addUser("bob@example.org", password: "x", by: .system("test"))
            await #expect(throws: AccountError.userExists("bob@example.org")) { try await store.accounts.addUser("BOB@example.org", password: "y", by: .system("test")) }
        }
    }

    @Test func passwordsVerifyOnlyWhenRightAndAreStoredAsSaltedScrypt() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser("anna@example.org", password: "correct horse", by: .system("test"))
            try await store.accounts.addUser("bob@example.org", password: "correct horse", by: .system("test"))
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "correct horse") == "anna@example.org")
            #expect(try await store.accounts.verifyPassword("ANNA@example.org", password: "correct horse") == "anna@example.org")
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "correct horsE") == nil)
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "") == nil)
            #expect(try await store.accounts.verifyPassword("nobody@example.org", password: "correct horse") == nil)

            let anna = try #require(try await store.catalog.accounts.passwordHash(of: "anna@example.org"))
            let bob = try #require(try await store.catalog.accounts.passwordHash(of: "bob@example.org"))
            #expect(anna.hasPrefix("$scrypt$ln=15,r=8,p=3$"))
            #expect(!anna.contains("correct horse") && !anna.contains("correct"))
            #expect(anna != bob, "same password, different salts, different hashes")
            #expect(anna.split(separator: "$")[2] != bob.split(separator: "$")[2])

            try await store.accounts.setPassword("anna@example.org", password: "new one", by: .system("test"))
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "correct horse") == nil)
            #expect(try await store.accounts.verifyPassword("anna@example.org", password: "new one") == "anna@example.org")
            await #expect(throws: AccountError.unknownUser("carl@example.org")) {
                try await store.accounts.setPassword("carl@example.org", password: "x", by: .system("test"))
            }
        }
    }

    /// An unknown user costs a full derivation too, so timing does not reveal which users exist.
    @Test func anUnknownUserTakesAsLongAsAWrongPassword() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser("anna@example.org", password: "pw", by: .system("test"))
            _ = try await store.accounts.verifyPassword("ghost@example.org", password: "warm-up")
            let clock = ContinuousClock()
            var known: [Duration] = [], unknown: [Duration] = []
            for _ in 0..<3 {
                known.append(try await clock.measure { _ = try await store.accounts.verifyPassword("anna@example.org", password: "nope") })
                unknown.append(try await clock.measure { _ = try await store.accounts.verifyPassword("ghost@example.org", password: "nope") })
            }
            let fastestKnown = known.min()!, fastestUnknown = unknown.min()!
            // A table lookup alone would take well under a millisecond; scrypt takes tens. Load can
            // only slow either side, so the bound below is a floor, and the two are compared with a
            // wide factor: a skipped scrypt differs by a hundredfold, a busy machine by far less.
            #expect(fastestUnknown > .milliseconds(5))
            #expect(fastestUnknown * 10 > fastestKnown && fastestKnown * 10 > fastestUnknown,
                    "known \(fastestKnown), unknown \(fastestUnknown)")
        }
    }

    @Test func aliasesAreListedRemovedAndRefusedWhenTheyLoop() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser("anna@example.org", password: "pw", by: .system("test"))
            try await store.accounts.addAlias("team@example.org", targets: ["anna@example.org", "Partner@Remote.test"], by: .system("test"))
            try await store.accounts.addAlias("a@example.org", targets: ["b@example.org"], by: .system("test"))
            await #expect(throws: AccountError.aliasLoop("b@example.org")) {
                try await store.accounts.addAlias("b@example.org", targets: ["a@example.org"], by: .system("test"))
            }
            await #expect(throws: AccountError.aliasLoop("self@example.org")) {
                try await store.accounts.addAlias("self@example.org", targets: ["self+x@example.org"], by: .system("test"))
            }
            await #expect(throws: AccountError.addressTaken("anna@example.org")) {
                try await store.accounts.addAlias("anna@example.org", targets: ["x@remote.test"], by: .system("test"))
            }
            await #expect(throws: AccountError.notLocalDomain(address: "x@remote.test", domain: "remote.test")) {
                try await store.accounts.addAlias("x@remote.test", targets: ["anna@example.org"], by: .system("test"))
            }
            let aliases = try await store.accounts.aliases()
            #expect(aliases.map(\.0) == ["a@example.org", "team@example.org"])
            #expect(aliases.last?.1 == ["anna@example.org", "Partner@Remote.test"])
            try await store.accounts.removeAlias("A@example.org", by: .system("test"))
            #expect(try await store.accounts.aliases().map(\.0) == ["team@example.org"])
            await #expect(throws: AccountError.unknownAlias("a@example.org")) { try await store.accounts.removeAlias("a@example.org", by: .system("test")) }
        }
    }
}
