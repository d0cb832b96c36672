import ArgumentParser
import Foundation
import MailStore
import Retention

/// `tresor restrict add|list|show|release`: restrictions of processing (GDPR Art. 18). A
/// restriction is a query: the messages it matches now, and those that arrive later while it is
/// active, disappear from their owners' IMAP and POP3 views and from `tresor search` (unless
/// `--include-restricted`). Retention, holds and purges are not affected.
struct RestrictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restrict",
        abstract: "Restrictions of processing (GDPR Art. 18): hide a data subject's mail from everyday views.",
        subcommands: [Add.self, List.self, Show.self, Release.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Restrict the messages a query matches, now and later.",
            discussion: """
                Example: tresor restrict add dsr-2026-17 --query 'participant:jane@example.com' \
                --reason 'Art. 18 request of 2026-03-01, accuracy contested'. The messages leave the \
                owners' IMAP and POP3 views and ordinary search; legal holds and retention still \
                apply to them. Signed with your operator key (admin or compliance) and journaled in \
                the archive.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The case name (unique, never reused).", valueName: "case")) var name: String
        @Option(help: ArgumentHelp("What to restrict, in the search language of `tresor search`.", valueName: "query"))
        var query: String
        @Option(help: ArgumentHelp("Why (the request, its legal ground).", valueName: "text")) var reason: String

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
                let placed = try await store.compliance.placeRestriction(name, query: query, reason: reason,
                                                                         by: try await signing.signer())
                print("restriction \(name) placed: hides \(placed.messages) message(s) now, and matching mail that "
                      + "arrives while it is active")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The active restrictions (with --all, released ones too).")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Flag(help: "Include released restrictions.") var all = false

        func run() async throws {
            try await withStore(data) { store in
                let entries = try await store.compliance.restrictions(includeReleased: all, by: actor.auditActor)
                for entry in entries {
                    let restriction = entry.restriction
                    var line = "\(restriction.name)\t\(restriction.isActive ? "active" : "released")\t"
                        + "\(entry.messages) message(s)\tby \(restriction.createdBy) "
                        + "\(RetentionRunner.timestamp(restriction.createdAt))\t\(restriction.query)"
                    if let released = restriction.releasedAt { line += "\treleased \(RetentionRunner.timestamp(released))" }
                    print(line)
                }
                if entries.isEmpty { print(all ? "no restrictions" : "no active restrictions") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One restriction: its query, reason, history and how many messages it hides.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The case name.", valueName: "case")) var name: String

        func run() async throws {
            try await withStore(data) { store in
                guard let entry = try await store.compliance.restriction(named: name, by: actor.auditActor) else {
                    throw CommandError(RestrictionError.unknown(name).description)
                }
                let restriction = entry.restriction
                print("case: \(restriction.name)")
                print("status: \(restriction.isActive ? "active" : "released")")
                print("query: \(restriction.query)")
                print("reason: \(restriction.reason)")
                print("placed: \(RetentionRunner.timestamp(restriction.createdAt)) by \(restriction.createdBy)")
                if let released = restriction.releasedAt {
                    print("released: \(RetentionRunner.timestamp(released)) by \(restriction.releasedBy ?? "?"): "
                          + "\(restriction.releaseReason ?? "")")
                }
                print("messages: \(entry.messages)")
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release", abstract: "Release a restriction; its messages are visible to their owners again.",
            discussion: "Signed with your operator key (admin or compliance) and journaled in the archive.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The case name.", valueName: "case")) var name: String
        @Option(help: ArgumentHelp("Why (the request withdrawn, the dispute settled).", valueName: "text"))
        var reason: String

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            try await withStore(data) { store in
                let released = try await store.compliance.releaseRestriction(name, reason: reason,
                                                                             by: try await signing.signer())
                print("restriction \(released.name) released")
            }
        }
    }
}
