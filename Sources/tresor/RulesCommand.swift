import ArgumentParser
import Foundation
import MailMessage
import MailStore
import Sieve

/// `tresor rules set|get|list|del|check|test`: users' Sieve scripts (RFC 5228) and the global
/// one. Scripts are compiled before they are stored, so a broken script never reaches delivery;
/// errors read `FILE:line:column: message`, the form editors jump to.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Manage Sieve filtering rules: store, show, list, remove, check and try scripts.",
        discussion: """
            Each user has scripts by name, at most one of them active; the global script runs \
            before every user's own. Delivery runs them and files the message as they decide. \
            `rules check` needs no data directory; `rules test` shows what delivery would do with \
            a message, without delivering it.
            """,
        subcommands: [SetScript.self, GetScript.self, ListScripts.self, DeleteScript.self,
                      CheckScripts.self, TestMessage.self]
    )

    struct SetScript: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Compile a script, store it and make it active.",
            discussion: """
                Give USER FILE, or --global FILE; FILE - reads standard input. A script of the same \
                name is replaced. A script that does not compile is refused with FILE:line:column: \
                message on standard error and exit status 1.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Flag(help: "Set the global script (run before every user's own) instead of a user's.") var global = false
        @Option(help: ArgumentHelp("The script's name.",
                                   discussion: "Default: FILE's name without its extension, or \"default\" for standard input.",
                                   valueName: "name"))
        var name: String?
        @Argument(help: ArgumentHelp("USER FILE, or FILE with --global.", valueName: "user-and-file"))
        var operands: [String] = []

        func validate() throws {
            if global {
                guard operands.count == 1 else { throw ValidationError("with --global give only FILE") }
                if name != nil { throw ValidationError("the global script has no name: drop --name") }
            } else {
                guard operands.count == 2 else { throw ValidationError("give USER and FILE, or --global FILE") }
            }
        }

        func run() async throws {
            let file = operands[operands.count - 1]
            let source = try RulesScriptFile.readOrExit(file)
            try RulesScriptFile.compileOrExit(source, file: file)
            try await withStore(data) { store in
                if global {
                    try await store.rules.setGlobalScript(source: source, by: actor.auditActor)
                    print("stored the global script")
                } else {
                    let user = operands[0].lowercased()
                    let scriptName = name ?? RulesScriptFile.defaultName(for: file)
                    try await store.rules.put(scriptName, source: source, of: user, activate: true, by: actor.auditActor)
                    print("stored script \"\(scriptName)\" for \(user) and made it active")
                }
            }
        }
    }

    struct GetScript: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Print a script's source exactly as stored (default: the user's active script).")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var target: RulesTarget

        func validate() throws { try target.validate() }

        func run() async throws {
            try await withStore(data) { store in
                let script = try await target.script(in: store)
                try await store.compliance.record("rules get", detail: target.describe(script), by: actor.auditActor)
                FileHandle.standardOutput.write(Data(script.source.utf8))
            }
        }
    }

    struct ListScripts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List a user's scripts by name; the active one is marked (active).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: ArgumentHelp("The user's address.", valueName: "user")) var user: String

        func run() async throws {
            try await withStore(data) { store in
                for script in try await store.rules.scripts(of: user) {
                    print(script.active ? "\(script.name) (active)" : script.name)
                }
            }
        }
    }

    struct DeleteScript: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del",
            abstract: "Remove a script (default: the user's active one, which is deactivated first).")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var target: RulesTarget

        func validate() throws { try target.validate() }

        func run() async throws {
            try await withStore(data) { store in
                let script = try await target.script(in: store)
                guard let user = target.user?.lowercased() else {
                    try await store.rules.setGlobalScript(source: nil, by: actor.auditActor)
                    print("removed the global script")
                    return
                }
                // RFC 5804 §2.10: the active script cannot be deleted; deactivating it first means
                // delivery files into INBOX from now on.
                if script.active { try await store.rules.activate(nil, of: user, by: actor.auditActor) }
                try await store.rules.delete(script.name, of: user, by: actor.auditActor)
                print("removed script \"\(script.name)\" of \(user)" + (script.active ? "; no script is active now" : ""))
            }
        }
    }

    struct CheckScripts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Compile scripts without storing them.",
            discussion: """
                Prints FILE: ok for each script that compiles, and FILE:line:column: message on \
                standard error for each that does not; the exit status is 1 if any does not. \
                Needs no data directory.
                """)
        @Argument(help: ArgumentHelp("Script files (- for standard input).", valueName: "file")) var files: [String] = []

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one script file") }
        }

        func run() throws {
            var broken = 0
            for file in files {
                do {
                    let source = try RulesScriptFile.read(file)
                    _ = try SieveScript(source: source, name: RulesScriptFile.defaultName(for: file))
                    print("\(file): ok")
                } catch let error as SieveError {
                    RulesScriptFile.reportError("\(file):\(error)")
                    broken += 1
                } catch {
                    RulesScriptFile.reportError("\(error)")
                    broken += 1
                }
            }
            if broken > 0 { throw ExitCode.failure }
        }
    }

    struct TestMessage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Show what delivery would do with a message for a user, without delivering it.",
            discussion: """
                Runs the global script, then the user's active one, and prints one action per line: \
                fileinto "Lists/x" flags=\\Seen, keep, implicit keep → INBOX, redirect a@b, discard, \
                reject "…"; a run-time error prints error: line:column: message → INBOX, because the \
                message then goes to INBOX (RFC 5228 §2.10.6). For vacation it prints the reply that \
                delivery would send (or why none), without sending it or starting the period.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The user's address.", valueName: "user")) var user: String
        @Argument(help: ArgumentHelp("The message (RFC 5322), - for standard input.", valueName: "message.eml"))
        var message: String
        @Option(help: ArgumentHelp("The envelope sender (MAIL FROM).",
                                   discussion: "Default: the message's Return-Path, else its From address.",
                                   valueName: "address"))
        var from: String?
        @Option(help: ArgumentHelp("The envelope recipient (RCPT TO), e.g. with a +detail.",
                                   discussion: "Default: USER as given; USER may carry a +detail (bob+shop@example.org) "
                                       + "as delivery routes it.", valueName: "address"))
        var to: String?
        @Option(help: ArgumentHelp("The time of delivery, ISO 8601 (2025-07-01T10:00:00+02:00).",
                                   discussion: "Default: now.", valueName: "date"))
        var date: String?
        @Flag(help: "Print the outcome as JSON.") var json = false

        func validate() throws {
            if let date, RulesTestReport.parseDate(date) == nil {
                throw ValidationError("--date \(date) is not an ISO 8601 date and time such as 2025-07-01T10:00:00+02:00")
            }
        }

        func run() async throws {
            let raw: [UInt8]
            do {
                raw = try RulesScriptFile.readBytes(message)
            } catch {
                throw CommandError("\(error)")
            }
            let sender = from ?? RulesTestReport.envelopeSender(of: Message(parsing: raw))
            if to == nil && !json && !user.contains("+") {
                // The message's own To: may name a +detail, but only the envelope recipient counts.
                FileHandle.standardError.write(Data(("note: the envelope recipient is \(user), without a +detail, so "
                    + "subaddress tests (envelope :detail, RFC 5233) see none; give --to user+detail@domain "
                    + "or USER as user+detail@domain to test them\n").utf8))
            }
            let at = date.flatMap(RulesTestReport.parseDate) ?? Date()
            try await withStore(data) { store in
                let outcome = try await store.rules.evaluate(message: raw, for: user, envelopeFrom: sender,
                                                            envelopeTo: to, at: at)
                var preview: VacationPreview?
                if outcome.error == nil, let vacation = RulesTestReport.vacation(in: outcome) {
                    preview = try await store.rules.previewVacation(vacation, message: raw, for: user,
                                                                    envelopeFrom: sender, envelopeTo: to, at: at)
                }
                try await store.compliance.record("rules test", detail: "user=\(user.lowercased()) message=\(message)",
                                                  by: actor.auditActor)
                if json {
                    print(try RulesTestReport.json(outcome, vacation: preview))
                } else {
                    for line in RulesTestReport.lines(outcome) { print(line) }
                    if let preview { for line in RulesTestReport.lines(preview) { print(line) } }
                }
            }
        }
    }
}

/// `USER`, `USER --name NAME` or `--global`: which stored script `get` and `del` work on.
struct RulesTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("The user's address (or --global).", valueName: "user")) var user: String?
    @Flag(help: "The global script (run before every user's own).") var global = false
    @Option(help: ArgumentHelp("The script's name.", discussion: "Default: the user's active script.", valueName: "name"))
    var name: String?

    func validate() throws {
        if global {
            if user != nil { throw ValidationError("give USER or --global, not both") }
            if name != nil { throw ValidationError("the global script has no name: drop --name") }
        } else if user == nil {
            throw ValidationError("give USER or --global")
        }
    }

    /// The script named, or the active one; a missing one is a `CommandError`.
    func script(in store: MailStore) async throws -> StoredSieveScript {
        guard let user = user?.lowercased() else {
            guard let script = try await store.rules.globalScript() else { throw CommandError("there is no global script") }
            return script
        }
        if let name {
            guard let script = try await store.rules.script(name, of: user) else {
                throw CommandError("\(user) has no script \"\(name)\"")
            }
            return script
        }
        guard let script = try await store.rules.activeScript(of: user) else {
            throw CommandError("\(user) has no active script (see `tresor rules list \(user)`)")
        }
        return script
    }

    func describe(_ script: StoredSieveScript) -> String {
        user.map { "user=\($0.lowercased()) script=\(script.name)" } ?? "global"
    }
}
