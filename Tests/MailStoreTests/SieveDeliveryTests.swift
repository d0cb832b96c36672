import ArchiveStore
import Catalog
import Foundation
import MailMessage
import Sieve
import Testing
import TestSupport
@testable import MailStore

/// Delivery through the recipients' Sieve scripts: filings with flags, `:create`,
/// implicit keep, discard, redirect, reject, the INBOX fallbacks, the global script, script
/// changes seen by the next delivery (also from another process), and recovery.
@Suite struct SieveDeliveryTests {
    static let anna = "anna@example.org", bob = "bob@example.org"

    static func envelope(from: String = "sender@remote.test", to recipients: [String] = [anna]) -> Envelope {
        DeliveryTests.envelope(from: from, to: recipients)
    }

    static func message(_ n: Int, subject: String = "Quarterly report") -> [UInt8] {
        ImportSessionTests.message(n, subject: subject)
    }

    static func put(_ store: MailStore, _ source: String, user: String = anna, name: String = "main") async throws {
        try await store.rules.put(name, source: source, of: user, activate: true, by: .system("test"))
    }

    @Test func fileintoWithFlagsFilesIntoThatMailboxOnly() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, """
                require ["fileinto", "imap4flags"];
                if header :contains "subject" "report" { fileinto :flags ["\\\\Seen", "$Reports"] "Archive"; }
                """)
            let outcome = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope())
            #expect(outcome.placements.map(\.mailbox) == ["Archive"])
            #expect(outcome.placements.first?.flags == ["\\Seen", "$Reports"])
            let archived = try await store.mailboxes.messages(in: "Archive", of: Self.anna)
            #expect(archived.map(\.sha256) == [outcome.receipt.sha256])
            #expect(archived.first?.flags == ["\\Seen", "$Reports"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).isEmpty)
            // A message the test does not match takes the implicit keep.
            let other = try await store.delivery.deliver(message: Self.message(2, subject: "Lunch"), envelope: Self.envelope())
            #expect(other.placements.map(\.mailbox) == ["INBOX"])
        }
    }

    @Test func createMakesTheMailboxWithAFreshUIDValidity() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, """
                require ["fileinto", "mailbox"];
                fileinto :create "Lists/swift";
                """)
            let before = try await store.mailboxes.mailboxes(of: Self.anna)
            #expect(!before.contains { $0.name == "Lists/swift" })
            let outcome = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope())
            #expect(outcome.placements.map(\.mailbox) == ["Lists/swift"])
            #expect(outcome.placements.map(\.uid) == [1])
            let after = try await store.mailboxes.mailboxes(of: Self.anna)
            let created = try #require(after.first { $0.name == "Lists/swift" })
            #expect(created.messages == 1 && created.uidNext == 2)
            #expect(!before.map(\.uidValidity).contains(created.uidValidity))
            #expect(created.uidValidity > before.map(\.uidValidity).max()!)
            // The second delivery finds it and continues its UIDs.
            let again = try await store.delivery.deliver(message: Self.message(2), envelope: Self.envelope())
            #expect(again.placements.map(\.uid) == [2])
            #expect(try await store.mailboxes.mailboxes(of: Self.anna).filter { $0.name == "Lists/swift" }.count == 1)
        }
    }

    @Test func implicitKeepCarriesTheFlagsTheScriptSet() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, """
                require "imap4flags";
                addflag "\\\\Flagged";
                addflag "$Important";
                """)
            let outcome = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope())
            #expect(outcome.placements.map(\.mailbox) == ["INBOX"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).first?.flags == ["\\Flagged", "$Important"])
        }
    }

    @Test func discardPlacesNothingButTheArchiveKeepsTheMessage() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, "discard;")
            let outcome = try await store.delivery.deliver(message: Self.message(4), envelope: Self.envelope(to: [Self.anna, Self.bob]))
            #expect(outcome.placements.map(\.user) == [Self.bob])
            #expect(outcome.undeliverable.isEmpty)
            for mailbox in try await store.mailboxes.mailboxes(of: Self.anna) { #expect(mailbox.messages == 0) }
            #expect(try store.archive.readBody(sha256: outcome.receipt.sha256) == Self.message(4))
            #expect(try await store.catalog.messages.count(SearchQuery(parsing: "message-id:m4@example.com")) == 1)
        }
    }

    @Test func redirectQueuesACopyAndJournalsWhoSentItWhere() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, "redirect \"archive@elsewhere.test\";")
            let outcome = try await store.delivery.deliver(message: Self.message(5), envelope: Self.envelope(from: "x@remote.test"))
            #expect(outcome.placements.isEmpty)  // redirect cancels the implicit keep (RFC 5228 §4.2)
            #expect(outcome.queued == ["archive@elsewhere.test"])
            let queue = try await store.queue.list()
            #expect(queue.map(\.recipient) == ["archive@elsewhere.test"])
            #expect(queue.first?.mailFrom == "x@remote.test")
            #expect(queue.first?.envelopeLocation == outcome.receipt.envelope.description)
            let audit = try await store.catalog.governance.auditLog().filter { $0.action == "sieve-redirect" }
            #expect(audit.count == 1)
            #expect(audit.first?.actor == "sieve:\(Self.anna)")
            #expect(audit.first?.detail.contains(outcome.receipt.envelope.description) == true)
            #expect(audit.first?.detail.contains("archive@elsewhere.test") == true)
            // Journaled in the archive's hash chain too.
            var journaled: [AuditEntry] = []
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            try store.archive.forEachRecord { record in
                guard record.eventKind == .audit, let payload = record.eventPayload,
                    let entry = try? decoder.decode(AuditEntry.self, from: Data(payload)),
                    entry.action == "sieve-redirect"
                else { return }
                journaled.append(entry)
            }
            #expect(journaled.map(\.detail) == audit.map(\.detail))
        }
    }

    @Test func rejectSendsANoticeToALocalSenderButNeverToTheNullSender() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, """
                require "reject";
                reject "I do not take reports.";
                """)
            let outcome = try await store.delivery.deliver(message: Self.message(6),
                                                  envelope: Self.envelope(from: Self.bob, to: [Self.anna]))
            #expect(outcome.placements.isEmpty)
            let notices = try await store.mailboxes.messages(in: "INBOX", of: Self.bob)
            #expect(notices.count == 1)
            let first = try #require(notices.first)
            let raw = try #require(try store.archive.readBody(sha256: first.sha256))
            let text = String(decoding: raw, as: UTF8.self)
            let notice = Message(parsing: raw)
            #expect(notice.subject == "Rejected: Quarterly report 6")
            #expect(text.contains("I do not take reports."))
            #expect(text.contains("Disposition: automatic-action/MDN-sent-automatically; deleted"))
            #expect(text.contains("Final-Recipient: rfc822; \(Self.anna)"))
            #expect(text.contains("Message-ID: <m6@example.com>"))  // the original header, in the report
            #expect(!text.contains("Body number 6"))  // headers only
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            // The notice came from the null reverse-path.
            let delivered = try await store.catalog.messages.search(try SearchQuery(parsing: "source:sieve"))
            #expect(delivered.count == 1)

            // A message from the null reverse-path is rejected silently: no notice, nothing queued.
            _ = try await store.delivery.deliver(message: Self.message(7), envelope: Self.envelope(from: "", to: [Self.anna]))
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.bob).count == 1)
            #expect(try await store.queue.list().isEmpty)
        }
    }

    @Test func aRemoteSendersNoticeIsQueuedFromTheNullPath() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, "require \"reject\"; reject \"no\";")
            _ = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope(from: "Someone@Remote.test"))
            let queue = try await store.queue.list()
            #expect(queue.map(\.recipient) == ["Someone@Remote.test"])
            #expect(queue.first?.mailFrom == "")
        }
    }

    @Test func aRunTimeErrorFilesIntoINBOX() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, """
                require ["variables", "fileinto"];
                fileinto "Archive";
                set "target" "not an address";
                redirect "${target}";
                """)
            let outcome = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope())
            #expect(outcome.placements.map(\.mailbox) == ["INBOX"])
            #expect(outcome.queued.isEmpty)
            #expect(try await store.mailboxes.messages(in: "Archive", of: Self.anna).isEmpty)
        }
    }

    @Test func aMissingMailboxWithoutCreateFilesIntoINBOX() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, """
                require ["fileinto", "imap4flags"];
                fileinto :flags "\\\\Seen" "No/Such/Folder";
                """)
            let outcome = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope())
            #expect(outcome.placements.map(\.mailbox) == ["INBOX"])
            #expect(try await store.mailboxes.mailboxes(of: Self.anna).allSatisfy { $0.name != "No/Such/Folder" })
        }
    }

    /// The global script runs first for every local recipient; its flags carry into the user's
    /// script (RFC 5232 internal variable), and users without a script get its verdict alone.
    @Test func globalAndUserScriptsRunTogether() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.setGlobalScript(source: """
                require "imap4flags";
                if header :contains "subject" "report" { addflag "$Scanned"; }
                """, by: .system("admin"))
            try await Self.put(store, "require \"fileinto\"; fileinto \"Archive\";")
            let outcome = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope(to: ["team@example.org"]))
            let byUser = Dictionary(grouping: outcome.placements, by: \.user)
            #expect(byUser[Self.anna]?.map(\.mailbox) == ["Archive"])
            #expect(byUser[Self.anna]?.first?.flags == ["$Scanned"])
            #expect(byUser[Self.bob]?.map(\.mailbox) == ["INBOX"])
            #expect(byUser[Self.bob]?.first?.flags == ["$Scanned"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.bob).first?.flags == ["$Scanned"])

            try await store.rules.setGlobalScript(source: nil, by: .system("admin"))
            #expect(try await store.rules.globalScript() == nil)
            let later = try await store.delivery.deliver(message: Self.message(2), envelope: Self.envelope(to: [Self.bob]))
            #expect(later.placements.first?.flags == [])
        }
    }

    /// A change is seen by the next delivery, also when another process (here a second catalog
    /// connection, as the CLI has) made it: the generation read with the recipients tells.
    @Test func aScriptChangeIsPickedUpByTheNextDelivery() async throws {
        try await ResolutionTests.withAccounts { store in
            try await Self.put(store, "require \"fileinto\"; fileinto \"Archive\";")
            #expect(try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope()).placements.map(\.mailbox)
                    == ["Archive"])
            try await Self.put(store, "require \"fileinto\"; fileinto \"Junk\";")
            #expect(try await store.delivery.deliver(message: Self.message(2), envelope: Self.envelope()).placements.map(\.mailbox)
                    == ["Junk"])

            let other = try Catalog(path: MailStore.catalogPath(in: store.dataDirectory))
            #expect(try await other.accounts.setActiveSieveScript(nil, of: Self.anna) == .done)
            #expect(try await store.delivery.deliver(message: Self.message(3), envelope: Self.envelope()).placements.map(\.mailbox)
                    == ["INBOX"])
            #expect(try await other.accounts.putSieveScript("other", source: "require \"fileinto\"; fileinto \"Sent\";",
                                                   of: Self.anna, activate: true, at: Date()) == .done)
            #expect(try await store.delivery.deliver(message: Self.message(4), envelope: Self.envelope()).placements.map(\.mailbox)
                    == ["Sent"])
        }
    }

    /// Without any script the cache answers from the generation alone; with one, only that user runs it.
    @Test func usersWithoutScriptsTakeTheFastPath() async throws {
        try await ResolutionTests.withAccounts { store in
            let generation = try await store.catalog.accounts.sieveGeneration()
            _ = try await store.delivery.deliver(message: Self.message(1), envelope: Self.envelope(to: [Self.anna, Self.bob]))
            #expect(store.sieveCache.scripts(for: [Self.anna, Self.bob], generation: generation)?.isEmpty == true)
            try await Self.put(store, "keep;")
            let next = try await store.catalog.accounts.sieveGeneration()
            #expect(next > generation)
            #expect(store.sieveCache.scripts(for: [Self.bob], generation: next) == nil)  // not loaded yet
            _ = try await store.delivery.deliver(message: Self.message(2), envelope: Self.envelope(to: [Self.anna, Self.bob]))
            let cached = try #require(store.sieveCache.scripts(for: [Self.anna, Self.bob], generation: next))
            #expect(Array(cached.keys) == [Self.anna])
            #expect(cached[Self.anna]?.scripts.map(\.name) == ["main"])
        }
    }

    /// A crash after the journal step and before routing: `recover()` files the message as the
    /// script says, once.
    @Test func recoveryFilesAJournaledDeliveryByTheScript() async throws {
        try await withTemporaryDirectory { dir in
            var journaled: AppendReceipt?
            do {
                let store = try ImportSessionTests.makeStore(dir)
                try await store.accounts.addDomain("example.org", by: .system("test"))
                try await store.accounts.addUser(Self.anna, password: "pw", by: .system("test"))
                try await Self.put(store, """
                    require ["fileinto", "imap4flags", "mailbox"];
                    fileinto :create :flags "\\\\Flagged" "Recovered";
                    redirect "copy@elsewhere.test";
                    """)
                journaled = try await store.archive.append(message: Self.message(1), envelope: Self.envelope())
                store.close()
            }
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            let report = try await store.delivery.recover()
            #expect(report.routed == 1)
            let filed = try await store.mailboxes.messages(in: "Recovered", of: Self.anna)
            #expect(filed.map(\.sha256) == [journaled?.sha256])
            #expect(filed.first?.flags == ["\\Flagged"])
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).isEmpty)
            #expect(try await store.queue.list().map(\.recipient) == ["copy@elsewhere.test"])
            #expect(try await store.catalog.governance.auditLog().filter { $0.action == "sieve-redirect" }.count == 1)
            try await store.catalog.messages.setRecoveryCheckpoint(RecordLocation(segment: 0, offset: 0))
            #expect(try await store.delivery.recover().routed == 0)
            #expect(try await store.mailboxes.messages(in: "Recovered", of: Self.anna).count == 1)
        }
    }

    // MARK: - The script API

    @Test func scriptsAreStoredActivatedRenamedAndDeletedWithAudit() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.put("b", source: "keep;", of: "Anna@Example.org", activate: false, by: .system("anna"))
            try await store.rules.put("a", source: "discard;", of: Self.anna, activate: true, by: .system("anna"))
            #expect(try await store.rules.scripts(of: Self.anna).map { "\($0.name):\($0.active)" } == ["a:true", "b:false"])
            #expect(try await store.rules.activeScript(of: Self.anna)?.source == "discard;")
            try await store.rules.activate("b", of: Self.anna, by: .system("anna"))
            #expect(try await store.rules.activeScript(of: Self.anna)?.name == "b")
            // Replacing the active script keeps it active.
            try await store.rules.put("b", source: "keep; # v2", of: Self.anna, activate: false, by: .system("anna"))
            #expect(try await store.rules.activeScript(of: Self.anna)?.source == "keep; # v2")

            await #expect(throws: SieveScriptStoreError.active("b")) {
                try await store.rules.delete("b", of: Self.anna, by: .system("anna"))
            }
            await #expect(throws: SieveScriptStoreError.alreadyExists("a")) {
                try await store.rules.rename("b", to: "a", of: Self.anna, by: .system("anna"))
            }
            await #expect(throws: SieveScriptStoreError.nonexistent("zz")) {
                try await store.rules.activate("zz", of: Self.anna, by: .system("anna"))
            }
            await #expect(throws: SieveScriptStoreError.invalidName("bad\u{1}name")) {
                try await store.rules.put("bad\u{1}name", source: "keep;", of: Self.anna, activate: false, by: .system("a"))
            }
            await #expect(throws: SieveScriptStoreError.unknownUser("nobody@example.org")) {
                try await store.rules.scripts(of: "nobody@example.org")
            }
            await #expect(throws: SieveScriptStoreError.self) {
                try await store.rules.put("broken", source: "fileinto \"x\";", of: Self.anna, activate: false, by: .system("anna"))
            }
            #expect(try await store.rules.script("broken", of: Self.anna) == nil)

            try await store.rules.rename("b", to: "c", of: Self.anna, by: .system("anna"))
            #expect(try await store.rules.activeScript(of: Self.anna)?.name == "c")
            try await store.rules.activate(nil, of: Self.anna, by: .system("anna"))
            try await store.rules.delete("c", of: Self.anna, by: .system("anna"))
            #expect(try await store.rules.scripts(of: Self.anna).map(\.name) == ["a"])

            let audit = try await store.catalog.governance.auditLog(actor: "system:anna").map(\.action)
            #expect(audit == ["sieve-put", "sieve-put", "sieve-activate", "sieve-put", "sieve-rename",
                              "sieve-deactivate", "sieve-delete"])
            let put = try #require(try await store.catalog.governance.auditLog(actor: "system:anna").first)
            #expect(put.detail == "user=\(Self.anna) script=b sha256=\(SieveRules.sha256("keep;"))")
        }
    }

    @Test func evaluateSieveShowsWhatDeliveryWouldDo() async throws {
        try await ResolutionTests.withAccounts { store in
            try await store.rules.setGlobalScript(source: "require \"imap4flags\"; addflag \"$G\";", by: .system("admin"))
            try await Self.put(store, """
                require ["envelope", "fileinto", "subaddress"];
                if envelope :detail "to" "lists" { fileinto "Archive"; }
                """)
            let listed = try await store.rules.evaluate(message: Self.message(1), for: Self.anna, envelopeFrom: "x@y.test",
                                                       envelopeTo: "anna+lists@example.org", at: Date())
            #expect(listed.actions == [.fileInto(mailbox: "Archive", flags: ["$G"], create: false, copy: false)])
            #expect(!listed.implicitKeep)
            let plain = try await store.rules.evaluate(message: Self.message(1), for: Self.anna, envelopeFrom: "x@y.test",
                                                      envelopeTo: nil, at: Date())
            #expect(plain.actions.isEmpty && plain.implicitKeep && plain.implicitKeepFlags == ["$G"])
            // Nothing was delivered.
            #expect(try await store.mailboxes.messages(in: "INBOX", of: Self.anna).isEmpty)
        }
    }

    // MARK: - The filing decision alone

    @Test func filingDecisionMergesDuplicatesAndSanitisesFlagsAndNames() {
        let outcome = SieveOutcome(
            actions: [.fileInto(mailbox: "inbox", flags: ["\\seen", "\\Recent", "bad flag"], create: false, copy: true),
                      .keep(flags: ["$x"]),
                      .fileInto(mailbox: "a//b", flags: [], create: true, copy: false),
                      .fileInto(mailbox: "Work", flags: [], create: false, copy: false),
                      .redirect(address: "<x@y.test>", copy: false)],
            implicitKeep: false)
        let decision = SieveFilingDecision(outcome: outcome, mailboxExists: { $0 == "INBOX" })
        #expect(decision.filings == [Filing(mailbox: "INBOX", flags: ["\\Seen", "$x"])])
        #expect(decision.redirects == ["x@y.test"])
        #expect(decision.warnings.count == 2)
        #expect(SieveFilingDecision.mailboxName("INBOX/Sub") == "INBOX/Sub")
        #expect(SieveFilingDecision.mailboxName("Inbox/Sub") == "INBOX/Sub")
        #expect(SieveFilingDecision.mailboxName("/x") == nil)
        #expect(SieveFilingDecision.mailboxName("a*") == nil)
        #expect(SieveFilingDecision.mailboxName("Reports 2025") == "Reports 2025")
    }
}

/// `include` (RFC 6609) through the store: the upload check against the user's stored scripts,
/// delivery through included scripts, and a script deleted under an include (a run-time error:
/// INBOX).
@Suite struct SieveIncludeDeliveryTests {
    static let anna = SieveDeliveryTests.anna

    @Test func uploadsAreCheckedAndDeliveryRunsTheIncludedScripts() async throws {
        try await ResolutionTests.withAccounts { store in
            // Missing, then a loop through a stored script: refused, nothing stored.
            let main = "require [\"include\", \"fileinto\", \"mailbox\"]; include \"lists\"; fileinto :create \"Main\";"
            await #expect(throws: SieveScriptStoreError.self) {
                try await SieveDeliveryTests.put(store, main)
            }
            try await store.rules.put("lists", source: "require [\"fileinto\", \"mailbox\"]; fileinto :create \"Lists\";",
                                      of: Self.anna, activate: false, by: .system("test"))
            try await SieveDeliveryTests.put(store, main)
            await #expect(throws: SieveScriptStoreError.self) {
                try await store.rules.put("lists", source: "require \"include\"; include \"main\";", of: Self.anna,
                                          activate: false, by: .system("test"))
            }
            await #expect(throws: SieveScriptStoreError.self) {
                try await store.rules.check(source: "require \"include\"; include \"nothing\";", of: Self.anna)
            }
            try await store.rules.check(source: "require \"include\"; include \"lists\";", of: Self.anna)

            let outcome = try await store.delivery.deliver(message: SieveDeliveryTests.message(1),
                                                           envelope: SieveDeliveryTests.envelope())
            #expect(Set(outcome.placements.map(\.mailbox)) == ["Lists", "Main"])

            // The included script goes away: the next delivery's run fails and files into INBOX.
            try await store.rules.delete("lists", of: Self.anna, by: .system("test"))
            let after = try await store.delivery.deliver(message: SieveDeliveryTests.message(2),
                                                         envelope: SieveDeliveryTests.envelope())
            #expect(after.placements.map(\.mailbox) == ["INBOX"])
        }
    }
}

/// `duplicate` (RFC 7352) through the store: the second delivery of a Message-ID within the
/// period is discarded, a later one is not, and a failed run remembers nothing.
@Suite struct SieveDuplicateDeliveryTests {
    static func envelope(at seconds: TimeInterval) -> Envelope {
        var envelope = SieveDeliveryTests.envelope()
        envelope.receivedAt = Date(timeIntervalSince1970: 1_750_000_000 + seconds)
        return envelope
    }

    @Test func theSecondCopyWithinThePeriodIsDiscarded() async throws {
        try await ResolutionTests.withAccounts { store in
            try await SieveDeliveryTests.put(store, """
                require ["duplicate", "fileinto"];
                if duplicate :seconds 3600 { discard; stop; }
                if header :contains "subject" "broken" { fileinto "No/Such/Folder"; }
                """)
            let message = SieveDeliveryTests.message(1)
            #expect(try await store.delivery.deliver(message: message, envelope: Self.envelope(at: 0)).placements.count == 1)
            #expect(try await store.delivery.deliver(message: message, envelope: Self.envelope(at: 60)).placements.isEmpty)
            #expect(try await store.delivery.deliver(message: message, envelope: Self.envelope(at: 3601)).placements.count == 1)
            // A run that fails (fileinto a missing folder) goes to INBOX and is not remembered.
            let broken = SieveDeliveryTests.message(2, subject: "broken")
            #expect(try await store.delivery.deliver(message: broken, envelope: Self.envelope(at: 0)).placements.count == 1)
            #expect(try await store.delivery.deliver(message: broken, envelope: Self.envelope(at: 10)).placements.count == 1)
        }
    }
}
