import ArgumentParser
import DataLossPrevention
import Foundation
import MailStore
import Retention

/// `tresor quarantine list|show|release|reject`: outgoing mail a DLP rule held. Works on the data
/// directory a running server uses (SQLite and the archive's lock serialise the writers); a
/// released message is queued and the server's delivery picks it up at its next look at the queue.
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Outgoing mail held by data-loss prevention rules: list, show, release, reject.",
        subcommands: [List.self, Show.self, Release.self, Reject.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The held messages (with --all, released and rejected ones too).")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Flag(help: "Include decided entries.") var all = false

        func run() async throws {
            try await withStore(data) { store in
                let entries = try await store.compliance.quarantined(all: all, by: actor.auditActor)
                if entries.isEmpty {
                    print(all ? "the quarantine is empty" : "no message is held")
                    return
                }
                var rows = [["ID", "STATUS", "HELD", "FROM", "TO", "RULES", "SUBJECT"]]
                for entry in entries {
                    rows.append(["\(entry.id)", entry.status.rawValue, RetentionRunner.timestamp(entry.heldAt),
                                 entry.mailFrom, entry.recipients.joined(separator: ","),
                                 entry.rules.joined(separator: ","), entry.subject])
                }
                print(RetentionOutput.aligned(rows), terminator: "")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One quarantine entry.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: "The quarantine id (first column of `tresor quarantine list`).") var id: Int64

        func run() async throws {
            try await withStore(data) { store in
                print(QuarantineCommand.details(try await store.compliance.quarantined(id: id, by: actor.auditActor)))
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release", abstract: "Send a held message on to its external recipients.",
            discussion: "Signed with your operator key (admin or compliance) and journaled in the archive.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: "The quarantine id.") var id: Int64
        @Option(help: ArgumentHelp("Why it may leave.", valueName: "text")) var reason: String

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            try await withStore(data) { store in
                let queued = try await store.compliance.releaseQuarantined(id, reason: reason,
                                                                            by: try await signing.signer())
                print("quarantine \(id) released: queued for \(queued.joined(separator: ", "))")
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reject", abstract: "Never send a held message; its sender gets a delivery status notification.",
            discussion: """
                Signed with your operator key (admin or compliance) and journaled in the archive. \
                The archived message is kept: rejecting only decides it never leaves.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: "The quarantine id.") var id: Int64
        @Option(help: ArgumentHelp("Why (told to the sender).", valueName: "text")) var reason: String

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            let reason = self.reason
            let host = ProcessInfo.processInfo.hostName
            try await withStore(data) { store in
                let now = store.clock.now()
                try await store.compliance.rejectQuarantined(id, reason: reason, by: try await signing.signer()) {
                    QuarantineRejection.notice(original: $0, entry: $1, reason: reason, reportingMTA: host, date: now)
                }
                print("quarantine \(id) rejected; the archived message is kept")
            }
        }
    }

    static func details(_ entry: QuarantinedMessage) -> String {
        var lines = [
            "id: \(entry.id)", "status: \(entry.status.rawValue)", "held: \(RetentionRunner.timestamp(entry.heldAt))",
            "from: <\(entry.mailFrom)>", "to: \(entry.recipients.map { "<\($0)>" }.joined(separator: " "))",
            "subject: \(entry.subject)", "rules: \(entry.rules.joined(separator: ", "))",
            "message: \(entry.sha256)", "envelope record: \(entry.envelope)",
        ]
        if let decided = entry.decidedAt {
            lines.append("decided: \(RetentionRunner.timestamp(decided)) by \(entry.decidedBy ?? "?"): \(entry.reason ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
