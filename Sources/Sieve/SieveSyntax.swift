/// A place in a script's source: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A compile-time or run-time error of a script, with the place it went wrong.
/// `description` is `line:column: message`; `rules check` prefixes the file name.
public struct SieveError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// One argument as written (RFC 5228 §8.2 `argument`), before validation gives it a meaning.
public enum SieveArgument: Sendable, Hashable {
    /// `:name`, stored lower-cased without the colon.
    case tag(String, SourceLocation)
    /// A number with its K/M/G quantifier applied (RFC 5228 §2.4.1).
    case number(UInt64, SourceLocation)
    /// A string (`isList == false`) or a string list `[...]`; strings are unescaped
    /// (quoted-string backslashes, `text:` dot-unstuffing) but variables are not expanded.
    case strings([String], isList: Bool, SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .tag(_, let location), .number(_, let location), .strings(_, _, let location): location
        }
    }
}

/// The value a validated argument carries.
public enum SieveValue: Sendable, Hashable {
    case number(UInt64)
    case strings([String])
}

/// Arguments after validation: each tagged argument by name (lower-cased, no colon) with the
/// value it takes, if any (`:comparator "i;octet"` → `["comparator": .strings(["i;octet"])]`,
/// `:over 100K` → `["over": .number(102400)]`, `:contains` → `["contains": nil]`), and the
/// positional arguments in order.
public struct SieveArguments: Sendable, Hashable {
    public var tags: [String: SieveValue?]
    public var positional: [SieveValue]

    public init(tags: [String: SieveValue?] = [:], positional: [SieveValue] = []) {
        self.tags = tags
        self.positional = positional
    }

    public func has(_ tag: String) -> Bool { tags[tag] != nil }
}

/// A test (RFC 5228 §8.2 `test`): `header :is "subject" "x"`, `allof (…)`, `not exists "x"`.
public struct SieveTest: Sendable, Hashable {
    /// Lower-cased identifier.
    public var name: String
    public var raw: [SieveArgument]
    /// Filled by validation.
    public var arguments: SieveArguments
    /// Nested tests: the list of `allof`/`anyof`, the one test of `not`.
    public var tests: [SieveTest]
    public var location: SourceLocation

    public init(name: String, raw: [SieveArgument], arguments: SieveArguments = SieveArguments(),
                tests: [SieveTest] = [], location: SourceLocation) {
        self.name = name
        self.raw = raw
        self.arguments = arguments
        self.tests = tests
        self.location = location
    }
}

/// A command (RFC 5228 §8.2 `command`): `fileinto "x";`, `if test { … }`.
public struct SieveCommand: Sendable, Hashable {
    /// Lower-cased identifier.
    public var name: String
    public var raw: [SieveArgument]
    /// Filled by validation.
    public var arguments: SieveArguments
    /// The test of `if`/`elsif` (one), empty for other commands.
    public var tests: [SieveTest]
    /// The block of `if`/`elsif`/`else`; nil for commands ending in `;`.
    public var block: [SieveCommand]?
    public var location: SourceLocation

    public init(name: String, raw: [SieveArgument], arguments: SieveArguments = SieveArguments(),
                tests: [SieveTest] = [], block: [SieveCommand]? = nil, location: SourceLocation) {
        self.name = name
        self.raw = raw
        self.arguments = arguments
        self.tests = tests
        self.block = block
        self.location = location
    }
}
