import Foundation
@testable import MailStore
import StoreModel
import Testing
import TestSupport

/// A STORE, COPY, MOVE or EXPUNGE over more messages than one catalog transaction takes commits in
/// batches and still reaches every message; keywords are bounded in length and in number per mailbox, refused as
/// `MailboxError.limit` (NO [LIMIT] over IMAP) before anything changes.
@Suite struct MailboxLimitTests {
    static let anna = IMAPStoreTests.anna

    @Test func commandsOverMoreThanOneBatchReachEveryMessage() async throws {
        try await ResolutionTests.withAccounts { store in
            let count = MailboxLimits.messagesPerTransaction * 2 + 17
            try await withThrowingTaskGroup(of: Void.self) { group in
                for start in stride(from: 0, to: count, by: 64) {
                    group.addTask {
                        for n in start..<min(start + 64, count) { _ = try await IMAPStoreTests.deliver(n, store: store) }
                    }
                }
                try await group.waitForAll()
            }
            let result = try await store.mailboxes.storeFlags(["\\Flagged", "$Done"], mode: .add, uids: [1...UInt32.max],
                                                              in: "INBOX", of: Self.anna)
            #expect(result.messages.count == count && result.messages.allSatisfy(\.changed))
            #expect(Set(result.messages.map(\.modSeq)).count == 3, "one MODSEQ per batch")
            #expect(result.highestModSeq == result.messages.map(\.modSeq).max())
            let snapshot = try await store.mailboxes.snapshot("INBOX", of: Self.anna)
            #expect(snapshot.messages.count == count)
            #expect(snapshot.messages.allSatisfy { $0.flags.system.contains(.flagged) && $0.flags.contains(keyword: "$Done") })
            // UNCHANGEDSINCE across batches: everything changed after the first MODSEQ fails.
            let first = result.messages[0].modSeq
            let conditional = try await store.mailboxes.storeFlags(["\\Seen"], mode: .add, uids: [1...UInt32.max],
                                                                   unchangedSince: first, in: "INBOX", of: Self.anna)
            #expect(conditional.messages.count == MailboxLimits.messagesPerTransaction)
            #expect(conditional.failed.count == count - MailboxLimits.messagesPerTransaction)

            // COPY and MOVE over more than one batch: every message once, in UID order, flags kept,
            // one MODSEQ per batch in the destination; MOVE empties the source.
            _ = try await store.mailboxes.createMailbox("Kept", of: Self.anna)
            _ = try await store.mailboxes.createMailbox("Moved", of: Self.anna)
            let copied = try await store.mailboxes.copyMessages(uids: [1...UInt32.max], from: "INBOX", to: "Kept",
                                                                of: Self.anna, by: .system("test"))
            #expect(copied.sourceUIDs == Array(1...UInt32(count)) && copied.destinationUIDs == Array(1...UInt32(count)))
            let kept = try await store.mailboxes.snapshot("Kept", of: Self.anna).messages
            #expect(kept.count == count && kept.allSatisfy { $0.flags.contains(keyword: "$Done") })
            #expect(Set(kept.map(\.modSeq)).count == 3, "one MODSEQ per batch")
            let moved = try await store.mailboxes.moveMessages(uids: [2...UInt32.max], from: "Kept", to: "Moved",
                                                               of: Self.anna, by: .system("test"))
            #expect(moved.sourceUIDs == Array(2...UInt32(count)) && moved.destinationUIDs == Array(1...UInt32(count - 1)))
            #expect(try await store.mailboxes.snapshot("Kept", of: Self.anna).messages.map(\.uid) == [1])
            #expect(try await store.mailboxes.snapshot("Moved", of: Self.anna).messages.count == count - 1)

            // EXPUNGE over more than one batch takes every \Deleted message, and only those.
            _ = try await store.mailboxes.storeFlags(["\\Deleted"], mode: .add, uids: [2...UInt32.max], in: "INBOX", of: Self.anna)
            let expunged = try await store.mailboxes.expunge(in: "INBOX", of: Self.anna, by: .system("test"))
            #expect(expunged.expunged.count == count - 1 && expunged.expunged == Array(2...UInt32(count)))
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages.map(\.uid) == [1])
        }
    }

    @Test func keywordsAreBoundedInLengthAndNumber() async throws {
        try await ResolutionTests.withAccounts { store in
            _ = try await IMAPStoreTests.deliver(1, store: store)
            _ = try await IMAPStoreTests.deliver(2, store: store)
            func refusal(_ flags: [String]) async -> String? {
                do {
                    _ = try await store.mailboxes.storeFlags(flags, mode: .add, uids: [1...2], in: "INBOX", of: Self.anna)
                    return nil
                } catch .limit(let why) {
                    return why
                } catch {
                    return "unexpected: \(error)"
                }
            }
            let long = String(repeating: "k", count: MailboxLimits.keywordLength + 1)
            #expect(await refusal([long])?.contains("longer than \(MailboxLimits.keywordLength)") == true)
            let many = (0..<(MailboxLimits.keywordsPerMailbox + 1)).map { "kw\($0)" }
            #expect(await refusal(many)?.contains("more than \(MailboxLimits.keywordsPerMailbox) keywords") == true)

            // Up to the bound in several commands, then one more is refused, while known ones are fine.
            let half = MailboxLimits.keywordsPerMailbox / 2
            #expect(await refusal((0..<half).map { "a\($0)" }) == nil)
            #expect(await refusal((0..<half).map { "b\($0)" }) == nil)
            #expect(await refusal(["c0"])?.contains("at most \(MailboxLimits.keywordsPerMailbox)") == true)
            #expect(await refusal(["A0", "b1"]) == nil, "keywords already in the mailbox, in another case")
            let snapshot = try await store.mailboxes.snapshot("INBOX", of: Self.anna)
            #expect(snapshot.messages.allSatisfy { $0.flags.keywords.count == MailboxLimits.keywordsPerMailbox })
            await #expect(throws: MailboxError.self) {
                _ = try await store.mailboxes.append(IMAPStoreTests.raw("tagged"), flags: ["c1"], to: "INBOX", of: Self.anna,
                                                     by: .system("test"))
            }
            #expect(try await store.mailboxes.snapshot("INBOX", of: Self.anna).messages.count == 2)
            // Removing keywords is never refused.
            let removed = try await store.mailboxes.storeFlags((0..<half).map { "a\($0)" }, mode: .remove, uids: [1...2],
                                                               in: "INBOX", of: Self.anna)
            #expect(removed.messages.allSatisfy { $0.flags.keywords.count == MailboxLimits.keywordsPerMailbox - half })
        }
    }
}
