/// The table of Sieve commands and tests this implementation knows, with the arguments each
/// takes (RFC 5228 §3–5 and the extensions in `SieveValidator.supportedExtensions`).
///
/// # What validation leaves in `SieveArguments` (read by the interpreter)
///
/// Names of commands, tests, tags and keys are lower-case. A tag is stored under its name
/// without the colon; a tag that takes no value is stored as `nil` (use `arguments.has(_:)`).
///
/// - Match type: at most one of the keys `is`, `contains`, `matches`, `regex`, `value`, `count`;
///   none means `:is` (RFC 5228 §2.7.1). `value`/`count` (RFC 5231) carry
///   `.strings([operator])`, the operator lower-cased, one of gt ge lt le eq ne.
/// - Comparator: key `comparator` with `.strings([name])`, lower-cased, one of `i;octet`,
///   `i;ascii-casemap`, `i;ascii-numeric`; absent means `i;ascii-casemap` (RFC 5228 §2.7.3).
/// - Address part (address, envelope): at most one of `all`, `localpart`, `domain`, `user`,
///   `detail`; none means `:all`.
/// - `size`: exactly one of `over` / `under`, each `.number(limit)` with K/M/G applied.
/// - `body` (RFC 5173): at most one of `raw`, `text` (nil) or `content` (`.strings(types)`);
///   none means `:text`.
/// - `date` / `currentdate` (RFC 5260): `zone` with `.strings(["+hhmm"])`, or (`date` only)
///   `originalzone` (nil); none means the input's time zone.
/// - `keep` / `fileinto`: `flags` with `.strings(flags)` (RFC 5232 §5); `fileinto` also
///   `create` (RFC 5490 §3.2) and `copy` (RFC 3894); `redirect` also `copy`.
/// - `vacation` (RFC 5230 §4): at most one of `days` / `seconds` (RFC 6131), each `.number(n)`;
///   `subject`, `from`, `handle` with `.strings([text])`, `addresses` with `.strings(list)`, `mime` (nil).
/// - `set` (RFC 5229 §4): any of `lower`, `upper`, `lowerfirst`, `upperfirst`,
///   `quotewildcard`, `length` (at most one of lower/upper and one of lowerfirst/upperfirst).
///
/// Positional arguments, in order, as `.strings(list)` (a single string is a one-element list)
/// or `.number(n)`:
///
/// | command / test | positional |
/// | --- | --- |
/// | `require` | capabilities |
/// | `if`, `elsif`, `else`, `stop`, `keep`, `discard` | — (`if`/`elsif` have one entry in `tests`) |
/// | `redirect` | address |
/// | `fileinto` | mailbox |
/// | `setflag`, `addflag`, `removeflag` | [variable name,] flags — 1 or 2 entries; with 2 the first is the variable |
/// | `set` | name, value |
/// | `reject`, `ereject` | reason |
/// | `vacation` | reason (the reply's body, or with `:mime` its MIME entity) |
/// | `address`, `header` | header names, keys |
/// | `envelope` | envelope parts ("from"/"to"), keys |
/// | `exists` | header names |
/// | `size`, `true`, `false` | — |
/// | `not` / `allof`, `anyof` | — (one / several entries in `tests`) |
/// | `body` | keys |
/// | `hasflag` | [variable names,] flags (the keys) — 1 or 2 entries |
/// | `date` | header name, date part (as written), keys |
/// | `currentdate` | date part (as written), keys |
/// | `mailboxexists` | mailbox names |
/// | `string` | sources, keys |
/// | `environment` | item name, keys |
/// | `ihave` | capabilities |
/// | `spamtest`, `virustest` | value (the key) |
/// | `duplicate` | — (tags `handle`, `header`/`uniqueid`, `seconds`, `last`) |
/// | `error` | message |
/// | `addheader` | field name, value (tag `last`) |
/// | `deleteheader` | field name, [value patterns] — 1 or 2 entries (tags `index` `.number(n)`, `last`, comparator, match type) |
/// | `include` | script name (tags `personal`/`global`, `once`, `optional`) |
/// | `return` | — |
/// | `global` | variable names |
///
/// Strings have their quoting removed (RFC 5228 §2.4.2: `\"` → `"`, `\\` → `\`, any other
/// backslash dropped; `text:` dot-unstuffed, lines keep the CRLF or LF they were written with);
/// `${…}` variable references are left as written for the interpreter to expand.
enum SieveGrammar {
    /// What a positional argument or a tag's value must be.
    enum ArgumentKind: Sendable {
        /// One quoted or `text:` string, not a list.
        case string
        /// A string list `[…]`, or one string standing for a list of one.
        case stringList
        case number

        var name: String {
            switch self {
            case .string: "a string"
            case .stringList: "a string list"
            case .number: "a number"
            }
        }
    }

    /// Tags of which at most one may be given.
    enum TagGroup: String, Sendable {
        case matchType = "match type"
        case addressPart = "address part"
        case sizeLimit = "size limit"
        case bodyTransform = "body transform"
        case zone = "time zone"
        case caseModifier = "case modifier"
        case firstCaseModifier = "first-letter case modifier"
        case vacationPeriod = "vacation period"
        case includeLocation = "script location"
        case duplicateSource = "unique id source"
    }

    /// How many tests a command or test takes after its arguments (RFC 5228 §8.2).
    enum TestShape: Sendable {
        case noTests
        /// Exactly one test (`if`, `elsif`, `not`).
        case one
        /// A test list in parentheses (`allof`, `anyof`).
        case list
    }

    struct Tag: Sendable {
        var name: String
        var value: ArgumentKind?
        var group: TagGroup?
        /// The capability `require` must name before the tag may be used.
        var capability: String?

        init(_ name: String, value: ArgumentKind? = nil, group: TagGroup? = nil, capability: String? = nil) {
            self.name = name
            self.value = value
            self.group = group
            self.capability = capability
        }
    }

    /// The shape of one command or test.
    struct Entry: Sendable {
        var name: String
        var capability: String?
        var tags: [Tag]
        var positional: [ArgumentKind]
        /// How many leading positional arguments may be left out (`setflag`'s variable name).
        var optionalLeading: Int
        /// How many trailing positional arguments may be left out (`deleteheader`'s value patterns).
        var optionalTrailing: Int
        /// Groups of which one tag must be given (`size` needs `:over` or `:under`).
        var requiredGroups: [TagGroup]
        var tests: TestShape
        /// Whether the command takes a block instead of ending in ";" (always false for tests).
        var takesBlock: Bool

        init(_ name: String, capability: String? = nil, tags: [Tag] = [], positional: [ArgumentKind] = [],
             optionalLeading: Int = 0, optionalTrailing: Int = 0, requiredGroups: [TagGroup] = [],
             tests: TestShape = .noTests, takesBlock: Bool = false) {
            self.optionalTrailing = optionalTrailing
            self.name = name
            self.capability = capability
            self.tags = tags
            self.positional = positional
            self.optionalLeading = optionalLeading
            self.requiredGroups = requiredGroups
            self.tests = tests
            self.takesBlock = takesBlock
        }

        func tag(named name: String) -> Tag? { tags.first { $0.name == name } }
    }

    // MARK: - Shared tag sets

    /// `:comparator <name>` (RFC 5228 §2.7.3).
    static let comparator = Tag("comparator", value: .string)

    /// MATCH-TYPE (RFC 5228 §2.7.1), `:regex` (draft-ietf-sieve-regex), `:value`/`:count` (RFC 5231 §4).
    static let matchTypes: [Tag] = [
        Tag("is", group: .matchType), Tag("contains", group: .matchType), Tag("matches", group: .matchType),
        Tag("regex", group: .matchType, capability: "regex"),
        Tag("value", value: .string, group: .matchType, capability: "relational"),
        Tag("count", value: .string, group: .matchType, capability: "relational"),
    ]

    /// ADDRESS-PART (RFC 5228 §2.7.4), `:user`/`:detail` (RFC 5233 §4).
    static let addressParts: [Tag] = [
        Tag("all", group: .addressPart), Tag("localpart", group: .addressPart), Tag("domain", group: .addressPart),
        Tag("user", group: .addressPart, capability: "subaddress"),
        Tag("detail", group: .addressPart, capability: "subaddress"),
    ]

    static let flags = Tag("flags", value: .stringList, capability: "imap4flags")
    static let copy = Tag("copy", capability: "copy")

    // MARK: - Commands (RFC 5228 §3, §4 and extensions)

    static let commands: [String: Entry] = Dictionary(uniqueKeysWithValues: [
        Entry("require", positional: [.stringList]),                                        // RFC 5228 §3.2
        Entry("if", tests: .one, takesBlock: true),                                          // RFC 5228 §3.1
        Entry("elsif", tests: .one, takesBlock: true),
        Entry("else", takesBlock: true),
        Entry("stop"),                                                                       // RFC 5228 §3.3
        Entry("keep", tags: [flags]),                                                        // RFC 5228 §4.3, RFC 5232 §5
        Entry("discard"),                                                                    // RFC 5228 §4.4
        Entry("redirect", tags: [copy], positional: [.string]),                             // RFC 5228 §4.2, RFC 3894
        Entry("fileinto", capability: "fileinto",                                            // RFC 5228 §4.1
              tags: [Tag("create", capability: "mailbox"), copy, flags], positional: [.string]),
        Entry("setflag", capability: "imap4flags", positional: [.string, .stringList], optionalLeading: 1),  // RFC 5232 §3
        Entry("addflag", capability: "imap4flags", positional: [.string, .stringList], optionalLeading: 1),
        Entry("removeflag", capability: "imap4flags", positional: [.string, .stringList], optionalLeading: 1),
        Entry("set", capability: "variables", tags: [                                        // RFC 5229 §4
            Tag("lower", group: .caseModifier), Tag("upper", group: .caseModifier),
            Tag("lowerfirst", group: .firstCaseModifier), Tag("upperfirst", group: .firstCaseModifier),
            Tag("quotewildcard"), Tag("length"),
        ], positional: [.string, .string]),
        Entry("reject", capability: "reject", positional: [.string]),                        // RFC 5429 §2.2
        Entry("ereject", capability: "ereject", positional: [.string]),                      // RFC 5429 §2.1
        Entry("error", capability: "ihave", positional: [.string]),                          // RFC 5463 §5
        Entry("include", capability: "include", tags: [                                      // RFC 6609 §3.2
            Tag("personal", group: .includeLocation), Tag("global", group: .includeLocation),
            Tag("once"), Tag("optional"),
        ], positional: [.string]),
        Entry("return", capability: "include"),                                              // RFC 6609 §3.4
        Entry("global", capability: "include", positional: [.stringList]),                   // RFC 6609 §3.3
        Entry("addheader", capability: "editheader", tags: [Tag("last")],                   // RFC 5293 §4
              positional: [.string, .string]),
        Entry("deleteheader", capability: "editheader",                                      // RFC 5293 §5
              tags: [Tag("index", value: .number), Tag("last"), comparator] + matchTypes,
              positional: [.string, .stringList], optionalTrailing: 1),
        Entry("vacation", capability: "vacation", tags: [                                    // RFC 5230 §4
            Tag("days", value: .number, group: .vacationPeriod),
            Tag("seconds", value: .number, group: .vacationPeriod, capability: "vacation-seconds"),  // RFC 6131 §2
            Tag("subject", value: .string), Tag("from", value: .string), Tag("addresses", value: .stringList),
            Tag("mime"), Tag("handle", value: .string),
        ], positional: [.string]),
    ].map { ($0.name, $0) })

    // MARK: - Tests (RFC 5228 §5 and extensions)

    static let tests: [String: Entry] = Dictionary(uniqueKeysWithValues: [
        Entry("address", tags: [comparator] + addressParts + matchTypes,                    // RFC 5228 §5.1
              positional: [.stringList, .stringList]),
        Entry("envelope", capability: "envelope", tags: [comparator] + addressParts + matchTypes,  // RFC 5228 §5.4
              positional: [.stringList, .stringList]),
        Entry("header", tags: [comparator] + matchTypes, positional: [.stringList, .stringList]),  // RFC 5228 §5.7
        Entry("exists", positional: [.stringList]),                                          // RFC 5228 §5.5
        Entry("size", tags: [Tag("over", value: .number, group: .sizeLimit),                // RFC 5228 §5.9
                             Tag("under", value: .number, group: .sizeLimit)],
              requiredGroups: [.sizeLimit]),
        Entry("allof", tests: .list),                                                        // RFC 5228 §5.2
        Entry("anyof", tests: .list),                                                        // RFC 5228 §5.3
        Entry("not", tests: .one),                                                           // RFC 5228 §5.8
        Entry("true"),                                                                       // RFC 5228 §5.10
        Entry("false"),                                                                      // RFC 5228 §5.6
        Entry("body", capability: "body", tags: [comparator] + matchTypes + [                // RFC 5173 §5
            Tag("raw", group: .bodyTransform), Tag("content", value: .stringList, group: .bodyTransform),
            Tag("text", group: .bodyTransform),
        ], positional: [.stringList]),
        Entry("hasflag", capability: "imap4flags", tags: [comparator] + matchTypes,          // RFC 5232 §4
              positional: [.stringList, .stringList], optionalLeading: 1),
        Entry("date", capability: "date", tags: [comparator] + matchTypes + [                // RFC 5260 §4
            Tag("zone", value: .string, group: .zone), Tag("originalzone", group: .zone),
        ], positional: [.string, .string, .stringList]),
        Entry("currentdate", capability: "date", tags: [comparator] + matchTypes + [         // RFC 5260 §5
            Tag("zone", value: .string, group: .zone),
        ], positional: [.string, .stringList]),
        Entry("mailboxexists", capability: "mailbox", positional: [.stringList]),           // RFC 5490 §3.1
        Entry("string", capability: "variables", tags: [comparator] + matchTypes,           // RFC 5229 §5
              positional: [.stringList, .stringList]),
        Entry("environment", capability: "environment", tags: [comparator] + matchTypes,    // RFC 5183 §4
              positional: [.string, .stringList]),
        Entry("ihave", capability: "ihave", positional: [.stringList]),                     // RFC 5463 §4
        Entry("spamtest", capability: "spamtest",                                            // RFC 5235 §3.1, §3.2
              tags: [comparator] + matchTypes + [Tag("percent", capability: "spamtestplus")], positional: [.string]),
        Entry("virustest", capability: "virustest", tags: [comparator] + matchTypes,         // RFC 5235 §3.3
              positional: [.string]),
        Entry("duplicate", capability: "duplicate", tags: [                                  // RFC 7352 §3
            Tag("handle", value: .string),
            Tag("header", value: .string, group: .duplicateSource), Tag("uniqueid", value: .string, group: .duplicateSource),
            Tag("seconds", value: .number), Tag("last"),
        ]),
    ].map { ($0.name, $0) })

    /// Date parts of RFC 5260 §4.2.
    static let dateParts: Set<String> = [
        "year", "month", "day", "date", "julian", "hour", "minute", "second", "time", "iso8601", "std11", "zone", "weekday",
    ]

    /// Comparators (RFC 4790 §9) and the capability each needs (RFC 5228 §2.7.3: i;octet and
    /// i;ascii-casemap are always available).
    static let comparators: [String: String?] = [
        "i;octet": nil, "i;ascii-casemap": nil, "i;ascii-numeric": "comparator-i;ascii-numeric",
    ]

    /// Relational operators of RFC 5231 §4.
    static let relationalOperators: Set<String> = ["gt", "ge", "lt", "le", "eq", "ne"]
}
