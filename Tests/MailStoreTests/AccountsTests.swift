import ArchiveStore
import Catalog
import Foundation
import MailStore
import Testing
import TestSupport

/// Domains, users, passwords and aliases through the MailStore façade, on a real catalog.
@Suite struct AccountsTests {
    @Test func domainsAreFoldedListedAndRemovedOnlyWhenEmpty() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.addDomain("Example.ORG")
            try await store.addDomain("bücher.example")
            #expect(try await store.domains() == ["bücher.example", "example.org"])
            #expect(try await store.isLocalDomain("EXAMPLE.org"))
            #expect(try await !store.isLocalDomain("example.com"))
            await #expect(throws: AccountError.domainExists("example.org")) { try await store.addDomain("example.org") }
            await #expect(throws: AccountError.invalidDomain("-bad.example")) { try await store.addDomain("-bad.example") }
            await #expect(throws: AccountError.invalidDomain("a..b")) { try await store.addDomain("a..b") }

            try await store.addUser("anna@example.org", password: "pw")
            await #expect(throws: AccountError.domainInUse("example.org", users: 1, aliases: 0)) {
                try await store.removeDomain("example.org")
            }
            try await store.removeUser("anna@example.org")
            try await store.removeDomain("example.org")
            #expect(try await store.domains() == ["bücher.example"])
            await #expect(throws: AccountError.unknownDomain("example.org")) { try await store.removeDomain("example.org") }
        }
    }

    @Test func aNewUserGetsTheSixFoldersWithSpecialUse() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.addDomain("example.org")
            try await store.addUser("Anna@Example.org", password: "secret")
            #expect(try await store.users() == ["anna@example.org"])
            let boxes = try await store.mailboxes(of: "anna@example.org")
            #expect(boxes.map(\.name) == ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"])
            let special = Dictionary(uniqueKeysWithValues: boxes.map { ($0.name, $0.specialUse) })
            #expect(special == ["INBOX": nil, "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash",
                                "Junk": "\\Junk", "Archive": "\\Archive"])
            #expect(boxes.allSatisfy { $0.uidNext == 1 && $0.messages == 0 && $0.subscribed })
            // Every mailbox gets its own UIDVALIDITY, never reused (RFC 3501 §2.3.1.1).
            #expect(Set(boxes.map(\.uidValidity)).count == boxes.count)
            try await store.removeUser("anna@example.org")
            try await store.addUser("anna@example.org", password: "secret")
            let again = try await store.mailboxes(of: "anna@example.org")
            #expect(Set(again.map(\.uidValidity)).isDisjoint(with: Set(boxes.map(\.uidValidity))))
        }
    }

    @Test func addingAUserOutsideTheLocalDomainsNamesTheDomain() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.addDomain("example.org")
            let error = await #expect(throws: AccountError.self) { try await store.addUser("bob@elsewhere.test", password: "x") }
            #expect(error == .notLocalDomain(address: "bob@elsewhere.test", domain: "elsewhere.test"))
            #expect(String(describing: error!).contains("elsewhere.test"))
            await #expect(throws: AccountError.invalidAddress("no-at-sign")) { try await store.addUser("no-at-sign", password: "x") }
            try await store.addUser("bob@example.org", password: "x")
            await #expect(throws: AccountError.userExists("bob@example.org")) { try await store.addUser("BOB@example.org", password: "y") }
        }
    }

    @Test func passwordsVerifyOnlyWhenRightAndAreStoredAsSaltedScrypt() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.addDomain("example.org")
            try await store.addUser("anna@example.org", password: "correct horse")
            try await store.addUser("bob@example.org", password: "correct horse")
            #expect(try await store.authenticate("anna@example.org", password: "correct horse") == "anna@example.org")
            #expect(try await store.authenticate("ANNA@example.org", password: "correct horse") == "anna@example.org")
            #expect(try await store.authenticate("anna@example.org", password: "correct horsE") == nil)
            #expect(try await store.authenticate("anna@example.org", password: "") == nil)
            #expect(try await store.authenticate("nobody@example.org", password: "correct horse") == nil)

            let anna = try #require(try await store.catalog.passwordHash(of: "anna@example.org"))
            let bob = try #require(try await store.catalog.passwordHash(of: "bob@example.org"))
            #expect(anna.hasPrefix("$scrypt$ln=15,r=8,p=3$"))
            #expect(!anna.contains("correct horse") && !anna.contains("correct"))
            #expect(anna != bob, "same password, different salts, different hashes")
            #expect(anna.split(separator: "$")[2] != bob.split(separator: "$")[2])

            try await store.setPassword("anna@example.org", password: "new one")
            #expect(try await store.authenticate("anna@example.org", password: "correct horse") == nil)
            #expect(try await store.authenticate("anna@example.org", password: "new one") == "anna@example.org")
            await #expect(throws: AccountError.unknownUser("carl@example.org")) {
                try await store.setPassword("carl@example.org", password: "x")
            }
        }
    }

    /// An unknown user costs a full derivation too, so timing does not reveal which users exist.
    @Test func anUnknownUserTakesAsLongAsAWrongPassword() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ImportSessionTests.makeStore(dir)
            defer { store.close() }
            try await store.addDomain("example.org")
            try await store.addUser("anna@example.org", password: "pw")
            _ = try await store.authenticate("ghost@example.org", password: "warm-up")
            let clock = ContinuousClock()
            var known: [Duration] = [], unknown: [Duration] = []
            for _ in 0..<3 {
                known.append(try await clock.measure { _ = try await store.authenticate("anna@example.org", password: "nope") })
                unknown.append(try await clock.measure { _ = try await store.authenticate("ghost@example.org", password: "nope") })
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
            try await store.addDomain("example.org")
            try await store.addUser("anna@example.org", password: "pw")
            try await store.addAlias("team@example.org", targets: ["anna@example.org", "Partner@Remote.test"])
            try await store.addAlias("a@example.org", targets: ["b@example.org"])
            await #expect(throws: AccountError.aliasLoop("b@example.org")) {
                try await store.addAlias("b@example.org", targets: ["a@example.org"])
            }
            await #expect(throws: AccountError.aliasLoop("self@example.org")) {
                try await store.addAlias("self@example.org", targets: ["self+x@example.org"])
            }
            await #expect(throws: AccountError.addressTaken("anna@example.org")) {
                try await store.addAlias("anna@example.org", targets: ["x@remote.test"])
            }
            await #expect(throws: AccountError.notLocalDomain(address: "x@remote.test", domain: "remote.test")) {
                try await store.addAlias("x@remote.test", targets: ["anna@example.org"])
            }
            let aliases = try await store.aliases()
            #expect(aliases.map(\.0) == ["a@example.org", "team@example.org"])
            #expect(aliases.last?.1 == ["anna@example.org", "Partner@Remote.test"])
            try await store.removeAlias("A@example.org")
            #expect(try await store.aliases().map(\.0) == ["team@example.org"])
            await #expect(throws: AccountError.unknownAlias("a@example.org")) { try await store.removeAlias("a@example.org") }
        }
    }
}
