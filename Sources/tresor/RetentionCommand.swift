import ArgumentParser
import Foundation
import MailServer
import MailStore
import Retention

/// `tresor retention check|list|apply|lock|approve|plans|protection`.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Retention policies: check them, see what they govern, purge what has expired.",
        discussion: """
            Policies are [[policy]] tables in the *.toml files directly in the policy folder \
            (--policies, else retention_policies in the configuration, else retention-policies beside \
            the configuration file, else ./retention-policies). \
            Where several policies match a message, the one whose period ends last governs; a \
            message no policy matches is kept; a message an active legal hold matches is never \
            purged (see `tresor hold`). A fallback policy (fallback = true, as the shipped default) \
            governs only the messages no other policy matches.
            `check`, `list` and `apply --dry-run` only read: a locked policy (locked = true) is compared \
            with the data directory but remembered only by `tresor serve`, a real `apply`, or `lock`.
            """,
        subcommands: [Check.self, List.self, Apply.self, Lock.self, Approve.self, Plans.self, Protection.self]
    )

    /// Opens the store, checks the locked policies against the catalog (remembering the strictest
    /// versions when `remember`), and runs `body`. `readOnly` opens the catalog so that nothing can
    /// be written to it (for the commands that only read).
    static func withRunner<T>(_ options: RetentionOptions, _ data: DataDirectoryOptions, remember: Bool,
                              readOnly: Bool = false, signer: GovernanceSigner,
                              _ body: (RetentionRunner, TresorConfiguration) async throws -> T) async throws -> T {
        let located = try data.configuration()
        let configuration = located.configuration
        let policies = try options.loadPolicies(configuration)
        let url = try data.location(located).requireInitialised()
        let store = try MailStore(dataDirectory: url, sealKeyPath: configuration.archive.sealKey?.path,
                                  readOnlyCatalog: readOnly,
                                  catalogInUse: ServerPresence.isRunning(dataDirectory: url) ?? true)
        defer { store.close() }
        try await PolicyLocks.enforce(policies, store: store, remember: remember, by: signer)
        return try await body(RetentionRunner(store: store, policies: policies), configuration)
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate the policy files; with a data directory, also the locked policies against it.",
            discussion: """
                Prints every problem as FILE:LINE: problem and exits 1 if there is any. Stores nothing: \
                a locked policy is compared with the data directory, not remembered.
                """)
        @OptionGroup var options: RetentionOptions
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            let located = try data.configuration()
            let configuration = located.configuration
            let policies = try options.loadPolicies(configuration)
            let url = data.location(located).url
            var lockNote = "no data directory at \(url.path): locked policies not compared with a catalog"
            if (try? DataDirectoryOptions.requireInitialised(url)) != nil {
                let store = try MailStore(dataDirectory: url, sealKeyPath: configuration.archive.sealKey?.path,
                                          readOnlyCatalog: true,
                                          catalogInUse: ServerPresence.isRunning(dataDirectory: url) ?? true)
                defer { store.close() }
                try await PolicyLocks.enforce(policies, store: store, remember: false,
                                              by: .system("retention check", onBehalfOf: actor.auditActor))
                let locked = policies.policies.filter(\.locked).count
                lockNote = "\(locked) locked polic\(locked == 1 ? "y" : "ies") consistent with the catalog"
                // A check only reads: like `verify`, it leaves no trace (a refused loosening is audited).
            }
            for policy in policies.policies {
                print("\(policy.source): \(policy.name): \(policy.match) → \(policy.action.rawValue) after "
                      + "\(policy.retain) from \(policy.countFrom.rawValue)\(policy.locked ? " (locked)" : "")")
            }
            print("ok: \(policies.policies.count) polic\(policies.policies.count == 1 ? "y" : "ies") in "
                  + "\(policies.files.count) file(s); \(lockNote)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Each policy with how many messages it governs, the oldest, and the next expiry.",
            discussion: """
                MATCHES counts the messages a policy's match selects, GOVERNS those where it decides; \
                the notes under the table name the policy that governs the others. DUE counts what a run \
                would purge as of --as-of, HELD what an active hold keeps. Stores nothing (not even an \
                audit entry: it shows counts, no message): a locked policy is compared with the data \
                directory, not remembered, so a copied example can be tried here safely.
                """)
        @OptionGroup var options: RetentionOptions
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var asOf: AsOfOption
        @Flag(help: "JSON instead of a table.") var json = false

        func run() async throws {
            try await withRunner(options, data, remember: false, readOnly: true,
                                 signer: .system("retention list", onBehalfOf: actor.auditActor)) { runner, _ in
                let evaluation = try await runner.evaluate(asOf: asOf.date)
                if json {
                    print(try RetentionOutput.json(evaluation.summaries))
                } else {
                    print("as of \(RetentionRunner.timestamp(evaluation.asOf)): \(evaluation.governed) message(s) "
                          + "governed by a policy, \(evaluation.due.count) due, \(evaluation.held.count) held")
                    print(RetentionOutput.table(evaluation), terminator: "")
                    print(RetentionOutput.governsNotes(evaluation), terminator: "")
                    if !evaluation.due.isEmpty || !evaluation.held.isEmpty {
                        // The list shows counts only; the messages (date, sender, subject) are a read
                        // the audit trail records, which a dry run does.
                        print("the messages, with date, sender and subject: tresor retention apply --dry-run"
                              + (asOf.asOf.map { " --as-of \($0)" } ?? ""))
                    }
                    print(RetentionOutput.floors(try await runner.store.compliance.retentionFloors()), terminator: "")
                }
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Purge what has expired (or, with retention.require_approval, write a plan).",
            discussion: """
                Evaluates every policy and every active hold, then purges the messages whose period \
                is over and that no hold matches (holds are checked again right before the purge). \
                Each message is listed with its date, sender and subject. Before purging it asks for \
                confirmation on a terminal; --yes purges without asking (scripts), and without a \
                terminal and --yes nothing is purged. \
                While the data directory requires approval (`tresor retention protection`, or \
                retention.require_approval = true in tresor.toml, which switches it on for good) it \
                only writes a purge plan, which another person runs with `tresor retention approve PLAN`. \
                A run remembers the locked policies; --dry-run stores none and purges nothing. --as-of \
                evaluates as at 00:00 UTC of that day: a period ending then or earlier is over.
                """)
        @OptionGroup var options: RetentionOptions
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var signing: OperatorOption
        @OptionGroup var asOf: AsOfOption
        @Flag(help: "Only show what would be purged.") var dryRun = false
        @Flag(name: [.customShort("y"), .long], help: "Purge without asking for confirmation (for scripts).")
        var yes = false

        func validate() throws {
            if asOf.asOf != nil && !dryRun {
                throw ValidationError("""
                    --as-of previews another day and needs --dry-run: a purge (or a purge plan) always uses \
                    the real clock, so that nothing leaves the archive before its time
                    """)
            }
        }

        func run() async throws {
            // A dry run signs nothing and stores no lock; a purge or a plan is the operator's.
            let signer: GovernanceSigner = dryRun
                ? .system("retention apply --dry-run", onBehalfOf: actor.auditActor) : try await signing.signer()
            try await withRunner(options, data, remember: false, signer: signer) { runner, configuration in
                let (mode, _, note) = try await runner.mode(dryRun: dryRun, configured: configuration.protection,
                                                            signer: signer)
                if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
                let evaluation = try await runner.evaluate(asOf: asOf.date)
                // Read before a purge takes the catalog rows away.
                let headlines = try await runner.store.compliance.headlines(
                    of: (evaluation.due + evaluation.held).map(\.sha256))
                print("as of \(RetentionRunner.timestamp(evaluation.asOf)): \(evaluation.due.count) message(s) due, "
                      + "\(evaluation.held.count) held")
                print(RetentionOutput.messages("held (an active hold keeps them)", evaluation.held, headlines: headlines),
                      terminator: "")
                if mode == .execute && !evaluation.due.isEmpty && !yes {
                    print(RetentionOutput.messages("to purge", evaluation.due, headlines: headlines), terminator: "")
                    do {
                        try Confirmation.require("purge these \(evaluation.due.count) message(s)? This cannot be undone.",
                                                 flag: "--yes")
                    } catch {
                        // The list showed senders and subjects: that read is audited even when nothing is purged.
                        try await runner.store.compliance.record(
                            "retention apply not confirmed",
                            detail: "as-of=\(RetentionRunner.timestamp(evaluation.asOf)) due=\(evaluation.due.count) "
                                + "held=\(evaluation.held.count) policies=\(runner.policies.fingerprint)",
                            resultCount: evaluation.due.count, by: signer.actor)
                        throw error
                    }
                }
                if mode != .dryRun {
                    try await PolicyLocks.enforce(runner.policies, store: runner.store, remember: true, by: signer)
                }
                let outcome = try await runner.apply(evaluation, mode: mode, signer: signer)
                switch mode {
                case .dryRun:
                    print(RetentionOutput.messages("would purge", evaluation.due, headlines: headlines), terminator: "")
                    print("dry run: nothing purged, no locked policy remembered")
                case .execute:
                    guard let execution = outcome.execution else { print("nothing to purge"); break }
                    print(RetentionOutput.messages("held now", execution.spared, headlines: headlines), terminator: "")
                    print(RetentionOutput.messages("purged", execution.purged, headlines: headlines), terminator: "")
                    if let report = execution.report {
                        for kept in report.protected {
                            print("kept \(kept.sha256): a locked policy's floor protects it until \(Timestamp.string(kept.until))")
                        }
                        print("purged \(report.messages) message(s): \(report.deliveries) deliveries, "
                              + "\(report.placementsRemoved) mailbox placements; \(report.bytesReclaimed) bytes reclaimed "
                              + "of \(report.bytesPurged) archive bytes purged, \(report.segmentsRewritten) segment(s) "
                              + "rewritten; purge record \(report.purgeRecord ?? "-")")
                    }
                case .plan:
                    guard let plan = outcome.plan else { print("nothing to plan"); break }
                    print(RetentionOutput.messages("planned", evaluation.due, headlines: headlines), terminator: "")
                    print("plan \(plan.id) written: \(plan.items.count) message(s); nothing is purged until another "
                          + "person runs: tresor retention approve \(plan.id)")
                }
            }
        }
    }

    struct Lock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lock",
            abstract: "Remember a locked policy now: from then on it may only be lengthened.",
            discussion: """
                POLICY must be written with locked = true in the policy folder. The data directory \
                remembers that version (a governance record in the archive, and an audit entry); \
                from then on every policy folder must keep it at least as strict while messages it \
                governs exist, and mail arriving gets its floor stamped. `tresor serve` and a real \
                `retention apply` remember every locked policy the same way; `check`, `list` and \
                `apply --dry-run` never do. Signed with --operator's key when one is named, else \
                with the archive's seal key on your behalf (a lock only ever keeps more).
                """)
        @OptionGroup var options: RetentionOptions
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The name of the locked policy.", valueName: "policy")) var policy: String

        func run() async throws {
            let signer: GovernanceSigner = signing.isGiven
                ? try await signing.signer() : .system("retention lock", onBehalfOf: actor.auditActor)
            try await withRunner(options, data, remember: false, signer: signer) { runner, _ in
                switch try await PolicyLocks.lock(policy, in: runner.policies, store: runner.store, by: signer) {
                case .recorded(let lock):
                    print("locked policy \(lock.policy) remembered: \(lock.match) → \(lock.action) after \(lock.retain) "
                          + "from \(lock.countFrom) (\(lock.file)); it may now only be lengthened")
                case .alreadyRemembered(let lock):
                    print("locked policy \(lock.policy) is already remembered as written (since "
                          + "\(Timestamp.string(lock.recordedAt))); nothing changed")
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Execute a purge plan, or carry out a protection proposal, made by another person.",
            discussion: """
                Signed with your operator key; refused when the plan was made with that key, and when the archive (its messages and \
                deliveries) or the policies changed since it was made ("plan expired"). Messages an \
                active hold matches now are spared. A protection proposal (protect-…, see \
                `tresor retention protection`) takes effect when a different person approves it.
                """)
        @OptionGroup var options: RetentionOptions
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Argument(help: ArgumentHelp("The plan id `retention apply` printed.", valueName: "plan")) var plan: String

        func run() async throws {
            let signer = try await signing.signer()
            if plan.hasPrefix("protect-") {
                try await withStore(data) { store in
                    let settings = try await store.compliance.approveProtection(proposal: plan, by: signer)
                    print("proposal \(plan) approved by \(signer.actor): \(settings)")
                }
                return
            }
            try await withRunner(options, data, remember: true, signer: signer) { runner, _ in
                // Read before the purge takes the catalog rows away.
                let items = try await runner.store.compliance.plan(id: plan)?.items.map(\.sha256) ?? []
                let headlines = try await runner.store.compliance.headlines(of: items)
                let (decided, execution) = try await runner.approve(planID: plan, signer: signer)
                print(RetentionOutput.messages("held (an active hold keeps them)", execution.spared, headlines: headlines),
                      terminator: "")
                print(RetentionOutput.messages("purged", execution.purged, headlines: headlines), terminator: "")
                let report = execution.report
                print("plan \(decided.id) (by \(decided.createdBy)) approved by \(signer.actor): purged "
                      + "\(report?.messages ?? 0) message(s), \(report?.bytesReclaimed ?? 0) bytes reclaimed, "
                      + "\(execution.spared.count) spared by a hold")
            }
        }
    }

    struct Plans: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plans", abstract: "List the purge plans.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            try await withStore(data) { store in
                let plans = try await store.compliance.plans()
                for plan in plans {
                    var line = "\(plan.id) \(plan.status.rawValue), made by \(plan.createdBy) "
                        + "\(RetentionRunner.timestamp(plan.createdAt)) as-of \(RetentionRunner.timestamp(plan.asOf))"
                    if let decidedBy = plan.decidedBy { line += " decided by \(decidedBy)" }
                    if let outcome = plan.outcome { line += ": \(outcome)" }
                    print(line)
                }
                if plans.isEmpty { print("no purge plans") }
                try await store.compliance.record("retention plans", detail: "", resultCount: plans.count,
                                                  by: actor.auditActor)
            }
        }
    }

    struct Protection: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "protection",
            abstract: "Show or change the data directory's protection settings.",
            discussion: """
                require_approval: purges need a plan that a different person approves. auto_purge: \
                `tresor serve` runs retention each day by itself (under require_approval it only \
                writes plans). require_operator: `show --raw|--text|--attachments` and `export` need \
                an operator's key, which signs the audit entry of the read. The settings live in the \
                data directory (journaled in the archive), so every command sees them wherever it \
                runs. Switching require_approval or require_operator on takes effect at once; \
                switching either off writes a proposal that a different person carries out with \
                `tresor retention approve PROPOSAL`. Changes are signed with an admin's operator key.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var signing: OperatorOption
        @Option(name: .customLong("require-approval"), help: ArgumentHelp("on or off.", valueName: "on|off"))
        var requireApproval: Switch?
        @Option(name: .customLong("auto-purge"), help: ArgumentHelp("on or off.", valueName: "on|off"))
        var autoPurge: Switch?
        @Option(name: .customLong("require-operator"), help: ArgumentHelp("on or off.", valueName: "on|off"))
        var requireOperator: Switch?

        enum Switch: String, ExpressibleByArgument { case on, off }

        func run() async throws {
            try await withStore(data) { store in
                let current = try await store.compliance.protection()
                if requireApproval == nil && autoPurge == nil && requireOperator == nil {
                    print(current)
                    for proposal in try await store.compliance.protectionProposals() {
                        print("\(proposal.id) \(proposal.status.rawValue) by \(proposal.createdBy) "
                              + "\(Timestamp.string(proposal.createdAt)): \(proposal.settings)"
                              + (proposal.decidedBy.map { " approved by \($0)" } ?? ""))
                    }
                    return
                }
                var wanted = current
                if let requireApproval { wanted.requireApproval = requireApproval == .on }
                if let autoPurge { wanted.autoPurge = autoPurge == .on }
                if let requireOperator { wanted.requireOperator = requireOperator == .on }
                if let proposal = try await store.compliance.changeProtection(to: wanted, by: try await signing.signer()) {
                    print("proposal \(proposal.id) written: \(proposal.settings); nothing changes until a different "
                          + "person runs: tresor retention approve \(proposal.id)")
                } else {
                    print(try await store.compliance.protection())
                }
            }
        }
    }
}
