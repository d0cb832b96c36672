import ArgumentParser
import Foundation
import MailStore
import Retention

/// `tresor hold add|list|show|release`: legal holds. A hold is a query: it covers the messages it
/// matches now and those that arrive later while it is active; nothing it matches is ever purged.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Legal holds: keep everything a case may need, whatever the retention policies say.",
        subcommands: [Add.self, List.self, Show.self, Release.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Place a hold on the messages a query matches, now and later.",
            discussion: """
                Example: tresor hold add acme-2026 --query 'domain:acme.example' --reason 'Lawsuit ACME v. us'. \
                Signed with your operator key (admin or compliance) and journaled in the archive.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The case name (unique, never reused).", valueName: "case")) var name: String
        @Option(help: ArgumentHelp("What to hold, in the search language of `tresor search`.", valueName: "query"))
        var query: String
        @Option(help: ArgumentHelp("Why (the case, the request).", valueName: "text")) var reason: String

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            do { _ = try SearchQuery(parsing: query) } catch {
                FileHandle.standardError.write(Data(
                    "\(error)\n  \(query)\n  \(String(repeating: " ", count: max(0, error.column - 1)))^\n".utf8))
                throw ExitCode(2)
            }
            try await withStore(data) { store in
                let placed = try await store.compliance.placeHold(name, query: query, reason: reason,
                                                                  by: try await signing.signer())
                print("hold \(name) placed: covers \(placed.messages) message(s) now, and matching mail that arrives while it is active")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The active holds (with --all, released ones too).")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Flag(help: "Include released holds.") var all = false

        func run() async throws {
            try await withStore(data) { store in
                let holds = try await store.compliance.holds(includeReleased: all, by: actor.auditActor)
                if holds.isEmpty {
                    print(all ? "no holds" : "no active holds")
                    return
                }
                // A table like the other lists; the query last, as it may be long.
                var rows = [["CASE", "STATUS", "MESSAGES", "PLACED", "BY", "RELEASED", "QUERY"]]
                for entry in holds {
                    let hold = entry.hold
                    rows.append([hold.name, hold.isActive ? "active" : "released", "\(entry.messages)",
                                 RetentionRunner.timestamp(hold.createdAt), hold.createdBy,
                                 hold.releasedAt.map(RetentionRunner.timestamp) ?? "-", hold.query])
                }
                print(RetentionOutput.aligned(rows), terminator: "")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One hold: its query, reason, history and how many messages it covers now.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The case name.", valueName: "case")) var name: String

        func run() async throws {
            try await withStore(data) { store in
                guard let entry = try await store.compliance.hold(named: name, by: actor.auditActor) else {
                    throw CommandError(LegalHoldError.unknown(name).description)
                }
                let hold = entry.hold, covered = entry.messages
                print("case: \(hold.name)")
                print("status: \(hold.isActive ? "active" : "released")")
                print("query: \(hold.query)")
                print("reason: \(hold.reason)")
                print("placed: \(RetentionRunner.timestamp(hold.createdAt)) by \(hold.createdBy)")
                if let released = hold.releasedAt {
                    print("released: \(RetentionRunner.timestamp(released)) by \(hold.releasedBy ?? "?"): "
                          + "\(hold.releaseReason ?? "")")
                }
                print("messages: \(covered)")
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release", abstract: "Release a hold; its messages fall back under the retention policies.",
            discussion: "Signed with your operator key (admin or compliance) and journaled in the archive.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The case name.", valueName: "case")) var name: String
        @Option(help: ArgumentHelp("Why (the case closed, the court's order).", valueName: "text")) var reason: String

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            try await withStore(data) { store in
                let hold = try await store.compliance.releaseHold(name, reason: reason, by: try await signing.signer())
                print("hold \(hold.name) released")
            }
        }
    }
}
