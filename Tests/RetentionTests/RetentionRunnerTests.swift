import ArchiveStore
import Catalog
import Foundation
@testable import MailStore
import Retention
import Testing

/// Retention on real stores: time travel, holds (placed, released, covering later mail, shared bodies),
/// locked policies against the catalog, and the approval flow's refusals.
@Suite struct RetentionRunnerTests {
    typealias F = RetentionFixtures

    static let letters = F.policy("letters", match: "domain:example.com", retain: "6y", countFrom: "year-end")

    @Test func mailIsKeptTheDayBeforeExpiryAndDueTheDayAfter() async throws {
        try await F.withStore { store, _ in
            let id = try await F.deliver(F.message("march", date: F.day("2020-03-15", hour: 11)),
                                         archivedAt: F.day("2020-03-15", hour: 12), store: store)
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            #expect(try await runner.evaluate(asOf: F.day("2026-12-31")).due.isEmpty)
            let onTheDay = try await runner.evaluate(asOf: F.day("2027-01-01"))
            #expect(onTheDay.due.map(\.sha256) == [id] && onTheDay.due[0].expiredAt == F.day("2027-01-01"))
            #expect(try await runner.evaluate(asOf: F.day("2027-01-02")).due.map(\.sha256) == [id])
            let list = try await runner.evaluate(asOf: F.day("2026-12-31")).summaries[0]
            #expect(list.governs == 1 && list.nextExpiry == F.day("2027-01-01") && list.oldest == F.day("2020-03-15", hour: 12))  // received, not Date:
        }
    }

    @Test func aMissingDateHeaderCountsFromTheArchiveTime() async throws {
        try await F.withStore { store, _ in
            let id = try await F.deliver(F.message("undated", date: nil), archivedAt: F.day("2021-06-01", hour: 8), store: store)
            let runner = RetentionRunner(store: store, policies: try F.policies(F.policy("short", retain: "10d")))
            #expect(try await runner.evaluate(asOf: F.day("2021-06-11")).due.isEmpty)
            #expect(try await runner.evaluate(asOf: F.day("2021-06-12")).due.map(\.sha256) == [id])
        }
    }

    @Test func aHoldPreventsThePurgeAndItsReleaseAllowsIt() async throws {
        try await F.withStore { store, _ in
            let held = try await F.deliver(F.message("contract", subject: "Contract ACME", date: F.day("2019-02-01")),
                                           archivedAt: F.day("2019-02-01"), store: store)
            let free = try await F.deliver(F.message("lunch", subject: "Lunch", date: F.day("2019-02-02")),
                                           archivedAt: F.day("2019-02-02"), store: store)
            try await store.catalog.governance.addLegalHold(LegalHold(name: "acme", query: "subject:acme", reason: "lawsuit",
                                                           createdBy: "legal", createdAt: Date()))
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            let asOf = F.day("2030-01-01")
            let during = try await runner.evaluate(asOf: asOf)
            #expect(during.due.map(\.sha256) == [free])
            #expect(during.held.map(\.sha256) == [held] && during.held[0].heldBy == ["acme"])
            #expect(during.purgeItems.map(\.sha256) == [free])

            try await store.catalog.governance.releaseLegalHold(named: "acme", by: "legal", reason: "settled", at: Date())
            #expect(Set(try await runner.evaluate(asOf: asOf).due.map(\.sha256)) == [held, free])
            #expect(try await store.catalog.governance.legalHold(named: "acme")?.releaseReason == "settled")
            await #expect(throws: LegalHoldError.self) {
                try await store.catalog.governance.releaseLegalHold(named: "acme", by: "legal", reason: "again", at: Date())
            }
            await #expect(throws: LegalHoldError.self) {
                try await store.catalog.governance.addLegalHold(LegalHold(name: "acme", query: "x", reason: "r", createdBy: "l",
                                                               createdAt: Date()))
            }
        }
    }

    @Test func aHoldCoversMailThatArrivesAfterItWasPlaced() async throws {
        try await F.withStore { store, _ in
            let hold = LegalHold(name: "case-7", query: "from:mallory@example.com", reason: "investigation",
                                 createdBy: "legal", createdAt: Date())
            try await store.catalog.governance.addLegalHold(hold)
            #expect(try await store.compliance.covered(by: hold).isEmpty)
            let later = try await F.deliver(F.message("late", from: "mallory@example.com", date: F.day("2019-05-05")),
                                            archivedAt: F.day("2019-05-05"), store: store)
            #expect(try await store.compliance.covered(by: hold).map(\.sha256) == [later])
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            let evaluation = try await runner.evaluate(asOf: F.day("2040-01-01"))
            #expect(evaluation.due.isEmpty && evaluation.held.map(\.sha256) == [later])
        }
    }

    @Test func aBodySharedByAHeldAndAnExpiredDeliveryStays() async throws {
        try await F.withStore { store, _ in
            // One body, two deliveries: the first long ago to bob, the second to carol (the hold's subject).
            let raw = F.message("shared", date: F.day("2018-01-10"))
            let first = try await F.deliver(raw, to: ["bob@example.org"], archivedAt: F.day("2018-01-10"), store: store)
            let second = try await F.deliver(raw, to: ["carol@example.org"], archivedAt: F.day("2025-01-10"), store: store)
            #expect(first == second)
            try await store.catalog.governance.addLegalHold(LegalHold(name: "carol", query: "bcc:carol@example.org",
                                                           reason: "HR case", createdBy: "legal", createdAt: Date()))
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            let evaluation = try await runner.evaluate(asOf: F.day("2040-01-01"))
            #expect(evaluation.due.isEmpty && evaluation.held.map(\.sha256) == [first])
            // Executing a stale list re-checks the holds right before purging: nothing reaches the purge.
            let execution = try await runner.execute(
                [DueMessage(sha256: first, policy: "letters", action: "purge", expiredAt: F.day("2025-01-01"))],
                signer: try await F.operators(store).alice, reason: "test")
            #expect(execution.purged.isEmpty && execution.report == nil && execution.spared.map(\.heldBy) == [["carol"]])
        }
    }

    @Test func anInvalidStoredHoldQueryStopsEveryRun() async throws {
        try await F.withStore { store, _ in
            try await store.catalog.governance.addLegalHold(LegalHold(name: "odd", query: "frm:x", reason: "r", createdBy: "l",
                                                           createdAt: Date()))
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            await #expect(throws: RetentionError.self) { try await runner.evaluate(asOf: Date()) }
        }
    }

    @Test func holdsSurviveAReindexReset() async throws {
        try await F.withStore { store, _ in
            try await store.catalog.governance.addLegalHold(LegalHold(name: "keep-me", query: "x", reason: "r", createdBy: "l",
                                                           createdAt: Date()))
            try await store.catalog.reset()
            #expect(try await store.catalog.governance.legalHolds().map(\.name) == ["keep-me"])
        }
    }

    // MARK: Locked policies

    @Test func aLockedPolicyMayBeLengthenedButNotShortenedLoosenedOrRemovedWhileItGovernsMail() async throws {
        try await F.withStore { store, _ in
            try await F.deliver(F.message("invoice", date: F.day("2020-03-15")), archivedAt: F.day("2020-03-15"), store: store)
            func load(_ text: String) async throws {
                try await PolicyLocks.enforce(try F.policies(text, file: "pol/gobd.toml"), store: store,
                                              remember: true, by: .system("test"))
            }
            func refusal(_ text: String) async -> String? {
                do { try await load(text); return nil } catch { return "\(error)" }
            }
            let original = F.policy("gobd", match: "domain:example.com", retain: "6y", countFrom: "year-end", locked: true)
            try await load(original)
            #expect(try await store.catalog.governance.retentionLocks().map(\.retain) == ["6y"])

            let shorter = await refusal(F.policy("gobd", match: "domain:example.com", retain: "5y", countFrom: "year-end",
                                                 locked: true))
            #expect(shorter?.hasPrefix("pol/gobd.toml:1: locked policy \"gobd\" is refused: retain shortened from 6y to 5y "
                                       + "while 1 message(s) it governs exist") == true)
            #expect(await refusal(F.policy("gobd", match: "domain:example.com", retain: "6y", countFrom: "message-date",
                                           locked: true))?.contains("count_from changed from year-end to message-date") == true)
            #expect(await refusal(F.policy("gobd", match: "domain:example.com", retain: "6y", countFrom: "year-end",
                                           action: "purge", locked: false))?.contains("it was unlocked") == true)
            #expect(await refusal(F.policy("gobd", match: "from:alice", retain: "6y", countFrom: "year-end",
                                           locked: true))?.contains("match changed") == true)
            #expect(await refusal(F.policy("other", retain: "1y"))?.contains("locked policy \"gobd\" is refused: it was removed") == true)
            // Gentler actions are fine.
            try await load(F.policy("gobd", match: "domain:example.com", retain: "6y", countFrom: "year-end",
                                    action: "keep", locked: true))

            // Lengthened: remembered; going back to 6 years is now a shortening.
            try await load(F.policy("gobd", match: "domain:example.com", retain: "10y", countFrom: "year-end",
                                    action: "keep", locked: true))
            #expect(try await store.catalog.governance.retentionLocks().map(\.retain) == ["10y"])
            #expect(await refusal(original)?.contains("retain shortened from 10y to 6y") == true)
            // `check` does not remember.
            try await PolicyLocks.enforce(try F.policies(F.policy("gobd", match: "domain:example.com", retain: "12y",
                                                                  countFrom: "year-end", action: "keep", locked: true)),
                                          store: store, remember: false, by: .system("test"))
            #expect(try await store.catalog.governance.retentionLocks().map(\.retain) == ["10y"])
        }
    }

    @Test func aLockedPolicyThatGovernsNothingMayChange() async throws {
        try await F.withStore { store, _ in
            try await F.deliver(F.message("note", date: F.day("2020-03-15")), archivedAt: F.day("2020-03-15"), store: store)
            let set = try F.policies(F.policy("invoices", match: "subject:invoice", retain: "10y", locked: true))
            try await PolicyLocks.enforce(set, store: store, remember: true, by: .system("test"))
            try await PolicyLocks.enforce(try F.policies(F.policy("invoices", match: "subject:invoice", retain: "1y", locked: true)),
                                          store: store, remember: true, by: .system("test"))
            #expect(try await store.catalog.governance.retentionLocks().map(\.retain) == ["1y"])
            // Forgetting a lock is no strengthening: the server's key alone leaves it for an operator.
            try await PolicyLocks.enforce(.empty, store: store, remember: true, by: .system("test"))
            #expect(try await store.catalog.governance.retentionLocks().map(\.retain) == ["1y"])
            try await PolicyLocks.enforce(.empty, store: store, remember: true, by: try await F.operators(store).alice)
            #expect(try await store.catalog.governance.retentionLocks().isEmpty)
        }
    }

    // MARK: Approval

    @Test func aPlanIsRefusedToItsMakerAndExpiresWhenTheArchiveChanges() async throws {
        try await F.withStore { store, _ in
            let id = try await F.deliver(F.message("old", date: F.day("2010-01-01")), archivedAt: F.day("2010-01-01"), store: store)
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            let (alice, bob) = try await F.operators(store)
            let outcome = try await runner.apply(asOf: F.day("2020-01-01"), mode: .plan, signer: alice)
            let plan = try #require(outcome.plan)
            #expect(plan.items.map(\.sha256) == [id] && plan.createdBy == "operator:alice" && outcome.execution == nil)
            #expect(try await store.catalog.governance.purgePlan(id: plan.id)?.items.map(\.policy) == ["letters"])

            await #expect(throws: RetentionError.sameActor(plan: plan.id, actor: "operator:alice")) {
                try await runner.approve(planID: plan.id, signer: alice)
            }
            await #expect(throws: RetentionError.unknownPlan("plan-nope")) {
                try await runner.approve(planID: "plan-nope", signer: bob)
            }
            try await F.deliver(F.message("new", date: F.day("2026-01-01")), archivedAt: F.day("2026-01-01"), store: store)
            do {
                _ = try await runner.approve(planID: plan.id, signer: bob)
                Issue.record("approved a plan made on another archive state")
            } catch let error as RetentionError {
                #expect("\(error)".hasPrefix("plan expired: \(plan.id): the archive changed"))
            }
            #expect(try await store.catalog.governance.purgePlan(id: plan.id)?.status == .expired)
            await #expect(throws: RetentionError.planNotPending(plan.id, status: "expired")) {
                try await runner.approve(planID: plan.id, signer: bob)
            }
            let actions = try await store.catalog.governance.auditLog().map(\.action)
            #expect(actions == ["operator add", "operator add", "retention apply", "retention plan", "retention approve refused",
                                "retention plan expired"])
        }
    }

    @Test func aPlanExpiresWhenThePoliciesChange() async throws {
        try await F.withStore { store, _ in
            try await F.deliver(F.message("old", date: F.day("2010-01-01")), archivedAt: F.day("2010-01-01"), store: store)
            let (alice, bob) = try await F.operators(store)
            let plan = try #require(try await RetentionRunner(store: store, policies: try F.policies(Self.letters))
                .apply(asOf: F.day("2020-01-01"), mode: .plan, signer: alice).plan)
            let changed = RetentionRunner(store: store, policies: try F.policies(
                F.policy("letters", match: "domain:example.com", retain: "5y", countFrom: "year-end")))
            await #expect(throws: RetentionError.planExpired(
                plan: plan.id, why: "the retention policies changed since the plan was made")) {
                try await changed.approve(planID: plan.id, signer: bob)
            }
        }
    }

    @Test func aDryRunChangesNothingButIsAudited() async throws {
        try await F.withStore { store, _ in
            try await F.deliver(F.message("old", date: F.day("2010-01-01")), archivedAt: F.day("2010-01-01"), store: store)
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            let outcome = try await runner.apply(asOf: F.day("2020-01-01"), mode: .dryRun, signer: .system("alice"))
            #expect(outcome.evaluation.due.count == 1 && outcome.execution == nil && outcome.plan == nil)
            #expect(try await store.catalog.messages.retentionCount(matching: nil) == 1)
            let audit = try #require(try await store.catalog.governance.auditLog().last)
            #expect(audit.action == "retention apply" && audit.actor == "system:alice" && audit.resultCount == 1)
            #expect(audit.detail.hasPrefix("mode=dry-run as-of=2020-01-01T00:00:00Z due=1 held=0"))
        }
    }

    // MARK: Execution (through MailStore.purge)

    @Test func applyPurgesFromArchiveAndMailboxesOrFromTheArchiveOnlyAsTheActionSays() async throws {
        try await F.withStore { store, _ in
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser("bob@example.org", password: "pw", by: .system("test"))
            func arrive(_ tag: String, subject: String) async throws -> String {
                let raw = F.message(tag, subject: subject, date: F.day("2015-06-01"))
                let envelope = Envelope(mailFrom: "alice@example.com", recipients: ["bob@example.org"],
                                        receivedAt: F.day("2015-06-01"), direction: .inbound, source: MessageSource("smtp"))
                let outcome = try await store.delivery.deliver(message: raw, envelope: envelope)
                return outcome.receipt.sha256
            }
            let news = try await arrive("news", subject: "Weekly news")
            let copy = try await arrive("copy", subject: "Old report")
            let fresh = try await arrive("fresh", subject: "Contract")
            let policies = try F.policies(
                F.policy("news", match: "subject:news", retain: "1y")
                    + F.policy("reports", match: "subject:report", retain: "1y", action: "purge-archive")
                    + F.policy("contracts", match: "subject:contract", retain: "30y", countFrom: "year-end"))
            let runner = RetentionRunner(store: store, policies: policies)
            let admin = try await F.operators(store).alice
            let outcome = try await runner.apply(asOf: F.day("2020-01-01"), mode: .execute, signer: admin)
            let execution = try #require(outcome.execution)
            #expect(Set(execution.purged.map(\.sha256)) == [news, copy])
            #expect(execution.report?.messages == 2 && execution.report?.placementsRemoved == 1)
            // Gone from search; the archive-only purge leaves bob's mailbox copy.
            #expect(try await store.catalog.messages.retentionCandidates(matching: nil).map(\.sha256) == [fresh])
            #expect(Set(try await store.mailboxes.messages(in: "INBOX", of: "bob@example.org").map(\.sha256)) == [copy, fresh])
            let actions = try await store.catalog.governance.auditLog().map(\.action)
            #expect(actions.contains("retention apply") && actions.contains("retention purge"))
            // A second run finds nothing left to do.
            #expect(try await runner.apply(asOf: F.day("2020-01-01"), mode: .execute, signer: admin).execution == nil)
        }
    }

    @Test func aHoldPlacedBetweenPlanAndApprovalWins() async throws {
        try await F.withStore { store, _ in
            let held = try await F.deliver(F.message("old", subject: "Merger", date: F.day("2010-01-01")),
                                           archivedAt: F.day("2010-01-01"), store: store)
            let runner = RetentionRunner(store: store, policies: try F.policies(Self.letters))
            let (alice, bob) = try await F.operators(store)
            let plan = try #require(try await runner.apply(asOf: F.day("2020-01-01"), mode: .plan, signer: alice).plan)
            try await store.catalog.governance.addLegalHold(LegalHold(name: "merger", query: "subject:merger", reason: "audit",
                                                           createdBy: "legal", createdAt: Date()))
            let (decided, execution) = try await runner.approve(planID: plan.id, signer: bob)
            #expect(decided.status == .executed && decided.decidedBy == "operator:bob")
            #expect(execution.purged.isEmpty && execution.spared.map(\.sha256) == [held] && execution.report == nil)
            #expect(try await store.catalog.messages.retentionCount(matching: nil) == 1)
            #expect(try await store.catalog.governance.purgePlan(id: plan.id)?.outcome == "purged 0, spared by hold 1")
        }
    }
}
