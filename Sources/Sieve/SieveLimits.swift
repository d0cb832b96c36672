/// Bounds on one run, each with its reason (the defaults are Pigeonhole's).
public struct SieveLimits: Sendable, Hashable {
    /// Distinct `redirect`s per run (all scripts together): a filter must not become a mail
    /// amplifier (Pigeonhole `sieve_max_redirects` = 4; RFC 5228 §10 asks for such a limit).
    public var redirects = 4
    /// Distinct explicit actions per run (Pigeonhole `sieve_max_actions` = 32).
    public var actions = 32
    /// Named variables per script (Pigeonhole's scope limit, 255).
    public var variables = 255
    /// UTF-8 bytes a variable holds; longer values are cut (Pigeonhole `sieve_variables_max_variable_size` = 4 KiB).
    public var variableSize = 4096
    /// Commands executed per script, against a loop of `if` blocks blowing up no one: Sieve
    /// has no loops, so this bounds only pathological scripts (tens of thousands of commands).
    public var commands = 100_000

    /// Scripts included one inside another (Pigeonhole `sieve_include_max_nesting_depth` = 10):
    /// deeper is a run-time error.
    public var includeDepth = 10
    /// Scripts a run may include in all (Pigeonhole `sieve_include_max_includes` = 255).
    public var includes = 255
    /// How long `duplicate` remembers a message without `:seconds` (RFC 7352 §3 leaves it to the
    /// site; Pigeonhole's `sieve_duplicate_default_period` is 12 hours).
    public var duplicateDefaultPeriod = 12 * 3600
    /// The longest `:seconds` honoured (Pigeonhole's `sieve_duplicate_max_period`, 2 days).
    public var duplicateMaximumPeriod = 2 * 86_400
    /// The shortest time between two vacation replies to one sender (RFC 5230 §4.1 lets the site
    /// set bounds; RFC 6131 §2 lets it refuse short `:seconds`): a day, Pigeonhole's
    /// `sieve_vacation_min_period`, so that a script cannot make the server answer every message.
    public var vacationMinimumPeriod = 86_400
    /// The longest (Pigeonhole's `sieve_vacation_max_period`, 60 days): the remembered replies
    /// are pruned after it.
    public var vacationMaximumPeriod = 60 * 86_400
    /// Without `:days` or `:seconds` (RFC 5230 §4.1 recommends 7 days).
    public var vacationDefaultPeriod = 7 * 86_400

    /// The longest value `addheader` adds, in UTF-8 bytes; longer is a run-time error
    /// (Pigeonhole `sieve_editheader_max_header_size` = 2048).
    public var addedHeaderValueSize = 2048

    public init() {}
}
