/// Runs compiled Sieve scripts on one message and says what to do with it. Pure: no I/O, no
/// clock (the time comes in `SieveInput.currentDate`), no store (mailbox existence comes in
/// `SieveInput.mailboxExists`); the caller performs the outcome.
///
/// Invariants:
/// - Never traps on any message: malformed or huge headers, undecodable text and binary bodies
///   are read leniently (MailMessage never fails), and every bound is in `SieveLimits`.
/// - A run-time error (RFC 5228 §2.10.6) anywhere discards every action of every script and
///   gives the implicit keep, with the error and the place of the failing command; so a broken
///   script never loses mail.
/// - `addheader`/`deleteheader` (RFC 5293) change the message every later test of the run
///   reads, and the outcome carries the edited message; the input is never changed.
/// - Actions are only collected during the run (RFC 5228 §2.10.1 lets an implementation defer
///   them); duplicates collapse as they are added (§2.10.3).
public enum SieveInterpreter {
    /// Runs `scripts` in order (the global script first, then the user's) on one message.
    ///
    /// Several scripts run as Pigeonhole runs `sieve_before` scripts and the user's script:
    /// - each script starts with fresh variables and match variables (RFC 5229 scopes them to a
    ///   script);
    /// - `stop` ends only the script that executes it; the next script still runs;
    /// - explicit actions accumulate over all scripts, and duplicates across scripts collapse;
    /// - the implicit keep is cancelled if any script cancelled it (RFC 5228 §2.10.2);
    /// - the imap4flags internal variable (RFC 5232 §3) carries over from one script to the
    ///   next, and its final value goes with the implicit keep;
    /// - a run-time error in any script makes the whole run an error outcome (see the type).
    public static func run(_ scripts: [SieveScript], input: SieveInput) -> SieveOutcome {
        run(scripts, input: input, limits: SieveLimits())
    }

    /// As `run(_:input:)`, with explicit limits.
    public static func run(_ scripts: [SieveScript], input: SieveInput, limits: SieveLimits) -> SieveOutcome {
        run(scripts.map { ($0, SieveIncludeLocation.personal) }, input: input, limits: limits)
    }

    /// As `run(_:input:)`, each script with where it is stored (so that a script including itself
    /// is recognised), and the scripts `include` may reach (RFC 6609), loaded by the caller.
    /// Included scripts share the run's actions and flags; `stop` in one ends the top-level script
    /// that included it, `return` only the included one (§3.4), and their variables are their
    /// own except those declared `global` (§3.3).
    public static func run(_ scripts: [(script: SieveScript, location: SieveIncludeLocation)], input: SieveInput,
                           limits: SieveLimits = SieveLimits(),
                           includes: SieveIncludeLibrary = SieveIncludeLibrary()) -> SieveOutcome {
        var actions = SieveActionList(limits: limits)
        var internalFlags: [String] = []
        var shared = SieveExecution.Shared(includes: includes)
        let cache = SieveMessageCache(message: input.message)
        for (script, location) in scripts {
            var execution = SieveExecution(
                script: script, input: input, cache: cache, limits: limits, actions: actions, internalFlags: internalFlags,
                shared: shared, includeStack: [SieveIncludeKey(location, script.name)])
            do {
                try execution.run()
            } catch {
                return SieveOutcome(actions: [], implicitKeep: true, implicitKeepFlags: [], error: error,
                                    duplicateChecks: execution.shared.duplicateChecks)
            }
            actions = execution.actions
            internalFlags = execution.internalFlags
            shared = execution.shared
        }
        return SieveOutcome(
            actions: actions.actions, implicitKeep: !actions.implicitKeepCancelled, implicitKeepFlags: internalFlags,
            duplicateChecks: shared.duplicateChecks, editedMessage: cache.edited ? cache.message.raw : nil)
    }
}

/// The state of one script's run: what it reads, what it has decided so far, its variables.
struct SieveExecution {
    let script: SieveScript
    let input: SieveInput
    /// Header values, addresses and body texts, read once per run.
    let cache: SieveMessageCache
    let limits: SieveLimits
    /// Explicit actions of this and the earlier scripts.
    var actions: SieveActionList
    /// The imap4flags internal variable (RFC 5232 §3).
    var internalFlags: [String]
    /// Named and match variables (RFC 5229); only consulted when the script requires "variables".
    var variables: SieveVariables
    /// Whether strings are expanded (RFC 5229 §3: only in scripts that require "variables").
    let expandsVariables: Bool
    /// Commands executed so far, against `limits.commands`.
    var commandCount = 0
    /// What all scripts of the run share: the include library and bookkeeping, the global variables.
    var shared: Shared
    /// The scripts being run, the top-level one first and this one last (RFC 6609 §3.2: a script
    /// may not include one of them again).
    let includeStack: [SieveIncludeKey]
    /// The variables this script declared `global` (RFC 6609 §3.3), lower-cased.
    var globalNames: Set<String> = []

    /// State that crosses `include`.
    struct Shared {
        let includes: SieveIncludeLibrary
        /// Scripts already included in this run (for `:once`).
        var included: Set<SieveIncludeKey> = []
        /// How many includes ran, against `limits.includes`.
        var includeCount = 0
        /// The global variables (RFC 6609 §3.3) by lower-cased name.
        var globals: [String: String] = [:]
        /// The `duplicate` tests evaluated so far (RFC 7352).
        var duplicateChecks: [SieveDuplicateCheck] = []
    }

    init(script: SieveScript, input: SieveInput, cache: SieveMessageCache, limits: SieveLimits,
         actions: SieveActionList, internalFlags: [String], shared: Shared, includeStack: [SieveIncludeKey]) {
        self.script = script
        self.input = input
        self.cache = cache
        self.limits = limits
        self.actions = actions
        self.internalFlags = internalFlags
        self.variables = SieveVariables(limits: limits)
        self.expandsVariables = script.extensions.contains("variables")
        self.shared = shared
        self.includeStack = includeStack
    }

    /// What the rest of a block should do after a command.
    enum Flow {
        case next
        /// `stop` (RFC 5228 §3.3): end this script, and every script that included it (RFC 6609 §3.2).
        case stop
        /// `return` (RFC 6609 §3.4): end this script; the one that included it goes on.
        case returned
    }

    /// Runs the script; `.stop` when it executed `stop`.
    @discardableResult
    mutating func run() throws(SieveError) -> Flow {
        try execute(script.commands)
    }

    /// Runs a block (RFC 5228 §3.1 for the if/elsif/else chain: a branch runs when its test is
    /// true and no earlier branch of the chain ran).
    mutating func execute(_ commands: [SieveCommand]) throws(SieveError) -> Flow {
        // Whether a branch of the current if/elsif chain has run; nil outside a chain.
        var chainTaken: Bool? = nil
        for command in commands {
            commandCount += 1
            guard commandCount <= limits.commands else {
                throw SieveError("too many commands executed (at most \(limits.commands))", at: command.location)
            }
            switch command.name {
            case "if":
                let taken = try evaluate(try onlyTest(of: command))
                chainTaken = taken
                if taken, case let flow = try execute(command.block ?? []), flow != .next { return flow }
            case "elsif":
                guard chainTaken == false else { continue }
                let taken = try evaluate(try onlyTest(of: command))
                chainTaken = taken
                if taken, case let flow = try execute(command.block ?? []), flow != .next { return flow }
            case "else":
                let run = chainTaken == false
                chainTaken = nil
                if run, case let flow = try execute(command.block ?? []), flow != .next { return flow }
            default:
                chainTaken = nil
                let flow = try perform(command)
                if flow != .next { return flow }
            }
        }
        return .next
    }

    private func onlyTest(of command: SieveCommand) throws(SieveError) -> SieveTest {
        guard let test = command.tests.first else {
            throw SieveError("\(command.name) without a test", at: command.location)
        }
        return test
    }

    // MARK: - Strings

    /// A string with its variable references expanded (when "variables" is required).
    func expand(_ string: String) -> String {
        expandsVariables ? variables.expand(string) : string
    }

    /// A positional argument's strings, expanded.
    func strings(_ arguments: SieveArguments, _ index: Int, at location: SourceLocation) throws(SieveError) -> [String] {
        guard index < arguments.positional.count, case .strings(let list) = arguments.positional[index] else {
            throw SieveError("missing string argument \(index + 1)", at: location)
        }
        return list.map(expand)
    }

    /// A positional argument that is one string, expanded.
    func string(_ arguments: SieveArguments, _ index: Int, at location: SourceLocation) throws(SieveError) -> String {
        let list = try strings(arguments, index, at: location)
        guard list.count == 1 else { throw SieveError("expected one string", at: location) }
        return list[0]
    }

    /// A tag's string values, expanded; nil when the tag is absent or has no strings.
    func tagStrings(_ arguments: SieveArguments, _ tag: String) -> [String]? {
        guard let value = arguments.tags[tag], case .strings(let list)? = value else { return nil }
        return list.map(expand)
    }
}
