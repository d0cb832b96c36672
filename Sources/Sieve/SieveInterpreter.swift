// Placeholder until the interpreter lands (issue 5, in progress): every message is kept.
public enum SieveInterpreter {
    /// Runs `scripts` in order (the global script first, then the user's) on one message.
    public static func run(_ scripts: [SieveScript], input: SieveInput) -> SieveOutcome { SieveOutcome() }
}
