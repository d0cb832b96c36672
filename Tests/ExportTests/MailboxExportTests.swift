import ArchiveStore
import Catalog
import Export
import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Mailbox exports (a user's folders as IMAP shows them, nested, drafts included), case exports
/// after a legal hold, empty exports, and the refusals.
@Suite struct MailboxExportTests {
    static let anna = "anna@example.org"

    /// anna: four messages in INBOX (the first flagged and seen, with a keyword), two of them
    /// copied into Projects/2025/Q3, one draft.
    static func withMailboxes(_ body: (MailStore, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ExportFixtures.makeStore(dir)
            defer { store.close() }
            try await store.accounts.addDomain("example.org", by: .system("test"))
            try await store.accounts.addUser(anna, password: "pw", by: .system("test"))
            for (n, raw) in ExportFixtures.messages.enumerated() {
                let envelope = Envelope(mailFrom: "sender@remote.test", recipients: [anna],
                                        receivedAt: Date(timeIntervalSince1970: 1_750_000_000 + Double(n)),
                                        direction: .inbound, source: MessageSource("smtp"))
                _ = try await store.delivery.deliver(message: raw, envelope: envelope)
            }
            try await store.mailboxes.createMailbox("Projects/2025/Q3", of: anna)
            _ = try await store.mailboxes.copyMessages(uids: [1...2], from: "INBOX", to: "Projects/2025/Q3", of: anna, by: .system("test"))
            _ = try await store.mailboxes.storeFlags(["\\Seen", "\\Flagged", "$Work"], mode: .add, uids: [1...1], in: "INBOX", of: anna)
            _ = try await store.mailboxes.storeFlags(["\\Answered"], mode: .add, uids: [2...2], in: "Projects/2025/Q3", of: anna)
            _ = try await store.mailboxes.append(Array("Subject: half-written\r\n\r\ndraft\r\n".utf8), flags: ["\\Draft"],
                                       to: "Drafts", of: anna, by: .system("test"))
            try await body(store, dir)
        }
    }

    @Test(arguments: ExportFormat.allCases)
    func nestedFoldersOnePerFolderWithFlagsAndDrafts(_ format: ExportFormat) async throws {
        try await Self.withMailboxes { store, dir in
            let out = dir.appendingPathComponent("anna")
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .mailbox(user: Self.anna, folder: nil), format: format, destination: out,
                              actor: .system("officer")))
            let record = summary.record
            #expect(record.selection.folders == ["INBOX", "Archive", "Drafts", "Junk", "Projects", "Projects/2025",
                                                 "Projects/2025/Q3", "Sent", "Trash"])
            #expect(record.counts.messages == 7 && record.counts.distinctMessages == 5 && record.counts.drafts == 1)
            let verification = ExportVerifier.verify(directory: out)
            #expect(verification.isValid, "\(verification.problems)")
            #expect(try await ChildProcess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], in: out).status == 0)

            let messages = out.appendingPathComponent("messages")
            func folder(_ name: String) async throws -> [ReadBack.Message] {
                switch format {
                case .mbox: try await ReadBack.read("mbox", messages.appendingPathComponent(name + ".mbox"))
                case .maildir: try await ReadBack.read("maildir", messages.appendingPathComponent(name))
                case .eml: try await ReadBack.read("eml", messages.appendingPathComponent(name))
                }
            }
            let inbox = try await folder("INBOX"), q3 = try await folder("Projects/2025/Q3")
            let drafts = try await folder("Drafts"), sent = try await folder("Sent")
            #expect(inbox.count == 4 && q3.count == 2 && drafts.count == 1 && sent.isEmpty)
            let originals = Set(ExportFixtures.messages.prefix(3).map(ExportFixtures.sha256))
            #expect(Set(q3.map(\.sha256)) == Set(ExportFixtures.messages.prefix(2).map(ExportFixtures.sha256)))
            #expect(inbox.filter { originals.contains($0.sha256) }.count == 3)
            #expect(drafts.first?.subject == "half-written")
            if format == .maildir {
                for sub in ["cur", "new", "tmp"] {
                    var isDirectory: ObjCBool = false
                    #expect(FileManager.default.fileExists(atPath: messages.appendingPathComponent("Sent/\(sub)").path,
                                                           isDirectory: &isDirectory) && isDirectory.boolValue)
                }
                #expect(inbox.first { $0.subject == "Contract draft" }?.flags == "FS")
                #expect(q3.first { $0.subject.hasSuffix("contract") }?.flags == "R")
                #expect(drafts.first?.flags == "D")
            }

            let rows = try ManifestCSV.decode(Array(try Data(contentsOf: out.appendingPathComponent("manifest.csv"))))
            let draftRow = try #require(rows.first { $0.folders == "Drafts" })
            #expect(draftRow.archiveID.isEmpty && !draftRow.sha256.isEmpty)
            let flagged = try #require(rows.first { $0.folders == "INBOX" && $0.subject == "Contract draft" })
            #expect(flagged.flags == "\\Seen \\Flagged $Work" && flagged.archiveID == flagged.sha256)
            #expect(rows.filter { $0.folders == "Projects/2025/Q3" }.count == 2)
        }
    }

    @Test func oneFolderTakesTheFoldersBelowIt() async throws {
        try await Self.withMailboxes { store, dir in
            let out = dir.appendingPathComponent("projects")
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .mailbox(user: Self.anna, folder: "Projects"), format: .mbox, destination: out,
                              actor: .system("officer")))
            #expect(summary.record.selection.folders == ["Projects", "Projects/2025", "Projects/2025/Q3"])
            #expect(summary.record.counts.messages == 2)
            #expect(ExportFixtures.files(under: out.appendingPathComponent("messages"))
                    == ["Projects.mbox", "Projects/2025.mbox", "Projects/2025/Q3.mbox"])
            await #expect(throws: ExportError.unknownFolder(user: Self.anna, folder: "Nowhere")) {
                try await Exporter(store: store).export(
                    ExportRequest(selection: .mailbox(user: Self.anna, folder: "Nowhere"), format: .mbox,
                                  destination: dir.appendingPathComponent("nowhere"), actor: .system("officer")))
            }
            // Nothing was asked that exists, so nothing was written.
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("nowhere").path))
        }
    }

    @Test func caseExportTakesWhatTheHoldCovers() async throws {
        try await Self.withMailboxes { store, dir in
            let hold = LegalHold(name: "Müller v. Example", query: "from:billing@vendor.test OR subject:draft",
                                 reason: "litigation", createdBy: "counsel", createdAt: Date(timeIntervalSince1970: 1_760_000_000))
            try await store.catalog.governance.addLegalHold(hold)
            let out = dir.appendingPathComponent("case")
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .legalHold(name: hold.name), format: .eml, destination: out, actor: .system("counsel")))
            let record = summary.record
            #expect(record.selection.kind == .legalHold && record.selection.query == hold.query)
            #expect(record.selection.legalHold?.name == hold.name && record.selection.legalHold?.reason == "litigation")
            #expect(record.selection.legalHold?.active == true)
            #expect(record.counts.messages == 2)
            let rows = try ManifestCSV.decode(Array(try Data(contentsOf: out.appendingPathComponent("manifest.csv"))))
            #expect(Set(rows.map(\.subject)) == ["Contract draft", "Invoice with attachment, contract 7"])
            // A query export names every placement of a message.
            #expect(rows.first { $0.subject == "Contract draft" }?.folders
                    == "anna@example.org:INBOX; anna@example.org:Projects/2025/Q3")
            #expect(ExportVerifier.verify(directory: out).isValid)
            let audit = try await store.catalog.governance.auditLog()
            #expect(audit.contains { $0.action == "export" && $0.detail.contains("case=Müller v. Example") })

            await #expect(throws: ExportError.unknownLegalHold("nope")) {
                try await Exporter(store: store).export(
                    ExportRequest(selection: .legalHold(name: "nope"), format: .eml,
                                  destination: dir.appendingPathComponent("nope"), actor: .system("counsel")))
            }
        }
    }

    @Test(arguments: ExportFormat.allCases)
    func emptyExportIsValidAndSaysSo(_ format: ExportFormat) async throws {
        try await withTemporaryDirectory { dir in
            let store = try ExportFixtures.makeStore(dir)
            defer { store.close() }
            let out = dir.appendingPathComponent("empty")
            let summary = try await Exporter(store: store).export(
                ExportRequest(selection: .query("nothing-matches-this"), format: format, destination: out, actor: .system("a")))
            #expect(summary.record.counts.messages == 0 && summary.record.counts.bytes == 0)
            #expect(try ManifestCSV.decode(Array(try Data(contentsOf: out.appendingPathComponent("manifest.csv")))).isEmpty)
            let verification = ExportVerifier.verify(directory: out)
            #expect(verification.isValid, "\(verification.problems)")
            #expect(try await ChildProcess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], in: out).status == 0)
        }
    }

    @Test func nonEmptyDestinationIsRefusedAndLeftAlone() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ExportFixtures.makeStore(dir)
            defer { store.close() }
            let out = dir.appendingPathComponent("taken")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try Data("mine".utf8).write(to: out.appendingPathComponent("notes.txt"))
            await #expect(throws: ExportError.destinationNotEmpty(path: out.path)) {
                try await Exporter(store: store).export(
                    ExportRequest(selection: .query("x"), format: .mbox, destination: out, actor: .system("a")))
            }
            #expect(ExportFixtures.files(under: out) == ["notes.txt"])
            // An existing empty folder is fine.
            let empty = dir.appendingPathComponent("empty")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            _ = try await Exporter(store: store).export(
                ExportRequest(selection: .query("x"), format: .mbox, destination: empty, actor: .system("a")))
            #expect(ExportVerifier.verify(directory: empty).isValid)
        }
    }

    @Test func interruptedExportStaysMarkedAndIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let store = try ExportFixtures.makeStore(dir)
            defer { store.close() }
            try await ExportFixtures.importMessages(ExportFixtures.messages, into: store)
            // The export stops after its first message (as on Ctrl-C or a read error).
            let out = dir.appendingPathComponent("broken")
            struct Stop: Error {}
            await #expect(throws: Stop.self) {
                try await Exporter(store: store).export(
                    ExportRequest(selection: .query("contract"), format: .eml, destination: out, actor: .system("a"))
                ) { progress in
                    if progress.written == 1 { throw Stop() }
                }
            }
            let written = ExportFixtures.files(under: out)
            #expect(written.count == 2 && written.contains("INCOMPLETE"), "\(written)")
            let problems = ExportVerifier.verify(directory: out).problems
            #expect(problems.count == 1 && problems.first?.file == "INCOMPLETE")
            #expect(problems.first?.reason.contains("incomplete") == true)

            // Even a finished export with the marker put back is refused.
            let done = dir.appendingPathComponent("done")
            _ = try await Exporter(store: store).export(
                ExportRequest(selection: .query("contract"), format: .eml, destination: done, actor: .system("a")))
            try Data().write(to: done.appendingPathComponent("INCOMPLETE"))
            #expect(ExportVerifier.verify(directory: done).problems.map(\.file) == ["INCOMPLETE"])
        }
    }
}
