/// Checks a parsed script the way a Sieve compiler must before running it (RFC 5228 §2.10.6:
/// errors are found at compile time where possible) and gives every command and test its
/// `arguments` (conventions in `SieveGrammar`).
///
/// What is checked: `require` first and only known capabilities (§3.2); every command, test
/// and tag known and its extension required; tags before positional arguments (§2.6.2), none
/// twice, one per group (match type, address part, …); the number and kind of positional
/// arguments; `elsif`/`else` right after `if`/`elsif` (§3.1); comparators (§2.7.3),
/// relational operators (RFC 5231), date parts and zones (RFC 5260), variable names
/// (RFC 5229), header names (RFC 5322 §3.6.8) and constant regular expressions.
enum SieveValidator {
    static let supportedExtensions: [String] = [
        "fileinto", "reject", "ereject", "envelope", "encoded-character",
        "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric",
        "imap4flags", "variables", "body", "relational", "subaddress", "copy", "date", "mailbox", "regex",
        "vacation", "vacation-seconds", "environment", "ihave", "include", "duplicate",
        "spamtest", "spamtestplus", "virustest", "editheader",
    ]

    static func validate(_ commands: [SieveCommand]) throws(SieveError)
        -> (commands: [SieveCommand], extensions: Set<String>, includes: [SieveIncludeSite])
    {
        var validation = Validation()
        let validated = try validation.block(commands, topLevel: true)
        return (validated, validation.extensions, validation.includes)
    }
}

private struct Validation {
    var extensions: Set<String> = []
    var includes: [SieveIncludeSite] = []

    // MARK: - Commands

    mutating func block(_ commands: [SieveCommand], topLevel: Bool) throws(SieveError) -> [SieveCommand] {
        var validated: [SieveCommand] = []
        var requiresAllowed = topLevel
        var previous: String?
        for command in commands {
            if command.name == "require" {
                // RFC 5228 §3.2: require must come before any other command.
                guard requiresAllowed else {
                    throw SieveError("\"require\" must come before any other command", at: command.location)
                }
            } else {
                requiresAllowed = false
            }
            // RFC 5228 §3.1: elsif and else follow an if or elsif.
            if command.name == "elsif" || command.name == "else", previous != "if", previous != "elsif" {
                throw SieveError("\"\(command.name)\" must follow \"if\" or \"elsif\"", at: command.location)
            }
            validated.append(try self.command(command))
            previous = command.name
        }
        return validated
    }

    mutating func command(_ command: SieveCommand) throws(SieveError) -> SieveCommand {
        guard let entry = SieveGrammar.commands[command.name] else {
            if SieveGrammar.tests[command.name] != nil {
                throw SieveError("\"\(command.name)\" is a test, not a command", at: command.location)
            }
            throw SieveError("unknown command \"\(command.name)\"", at: command.location)
        }
        try requireCapability(entry.capability, for: command.name, at: command.location)
        var result = command
        result.raw = try decodingEncodedCharacters(command.raw)
        let bound = try bind(result.raw, to: entry, at: command.location)
        result.arguments = bound.arguments
        result.tests = try tests(command.tests, of: entry, owner: command.name, at: command.location)
        switch (entry.takesBlock, command.block) {
        case (true, nil): throw SieveError("\"\(command.name)\" needs a block", at: command.location)
        case (false, .some): throw SieveError("expected \";\" after command \"\(command.name)\"", at: command.location)
        case (true, let block?):
            if let guarded = ihaveCapabilities(result.tests) {
                // RFC 5463 §4: a block guarded by `ihave` is checked with its capabilities as if
                // required when they are all supported, and not at all when one is not — that
                // block never runs, and may use syntax this implementation does not know.
                guard guarded.allSatisfy(SieveValidator.supportedExtensions.contains) else { break }
                let before = extensions
                extensions.formUnion(guarded)
                result.block = try self.block(block, topLevel: false)
                extensions = before
            } else {
                result.block = try self.block(block, topLevel: false)
            }
        case (false, nil): break
        }
        try checkCommandArguments(command.name, arguments: bound.arguments, positional: bound.positional)
        return result
    }

    /// Rules of single commands beyond the argument shapes.
    mutating func checkCommandArguments(_ name: String, arguments: SieveArguments, positional: [SieveArgument]) throws(SieveError) {
        switch name {
        case "require":
            // RFC 5228 §3.2: an unknown capability fails the script.
            for capability in strings(arguments.positional[0]) {
                guard SieveValidator.supportedExtensions.contains(capability) else {
                    throw SieveError("unknown extension \"\(capability)\"", at: positional[0].location)
                }
                extensions.insert(capability)
                // RFC 5235 §3.2: spamtestplus is spamtest with :percent.
                if capability == "spamtestplus" { extensions.insert("spamtest") }
            }
        case "set":
            // RFC 5229 §4: the name is a variable-name, not a match variable or namespace.
            let variable = strings(arguments.positional[0])[0]
            guard isVariableName(variable) else {
                throw SieveError("invalid variable name \"\(variable)\"", at: positional[0].location)
            }
        case "setflag", "addflag", "removeflag":
            // RFC 5232 §3: the optional first argument names a variable (RFC 5229).
            if arguments.positional.count == 2 {
                try requireCapability("variables", for: "\(name) with a variable name", at: positional[0].location)
                let variable = strings(arguments.positional[0])[0]
                guard isVariableName(variable) else {
                    throw SieveError("invalid variable name \"\(variable)\"", at: positional[0].location)
                }
            }
        case "include":
            // RFC 6609 §3.2: the name is a constant (the scripts a run may reach are known before
            // it) and a script name (RFC 5804 §1.6: not empty, no control characters).
            let name = strings(arguments.positional[0])[0]
            guard !name.isEmpty, !name.contains("/"), !hasVariable(name),
                  !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            else {
                throw SieveError("include: invalid script name \"\(name)\"", at: positional[0].location)
            }
            let location: SieveIncludeLocation = arguments.has("global") ? .global : .personal
            includes.append(SieveIncludeSite(
                reference: SieveIncludeReference(key: SieveIncludeKey(location, name), optional: arguments.has("optional"),
                                                 once: arguments.has("once")),
                location: positional[0].location))
        case "global":
            // RFC 6609 §3.3: global variables need "variables", and are variable names.
            try requireCapability("variables", for: "global", at: positional[0].location)
            for variable in strings(arguments.positional[0]) where !isVariableName(variable) {
                throw SieveError("invalid variable name \"\(variable)\"", at: positional[0].location)
            }
        case "vacation":
            // RFC 5230 §4.4 and §4.5: :from and :addresses hold addresses (RFC 5322 §3.4); a
            // constant one that is none is a compile-time error, as in Pigeonhole.
            for tag in ["from", "addresses"] {
                guard let value = arguments.tags[tag], let value else { continue }
                for address in strings(value) where !hasVariable(address) && SieveAddressSyntax.addrSpec(address) == nil {
                    throw SieveError("vacation: invalid :\(tag) address \"\(address)\"", at: positional[0].location)
                }
            }
        case "addheader", "deleteheader":
            // RFC 5293 §4, §5: a constant field name must be one (RFC 5322 §3.6.8).
            let field = strings(arguments.positional[0])[0]
            guard hasVariable(field) || SieveHeaderEditor.isFieldName(field) else {
                throw SieveError("\(name): invalid field name \"\(field)\"", at: positional[0].location)
            }
            if name == "deleteheader" {
                // §5: :last only counts :index from the end.
                if arguments.has("last"), !arguments.tags.keys.contains("index") {
                    throw SieveError("deleteheader: :last needs :index", at: positional[0].location)
                }
                // §5: deleteheader has no :count (it matches fields one by one).
                if arguments.tags.keys.contains("count") {
                    throw SieveError("deleteheader: :count is not allowed", at: positional[0].location)
                }
            }
        case "redirect":
            // RFC 5228 §4.2: the address must be syntactically valid (RFC 5322 §3.4).
            let address = strings(arguments.positional[0])[0]
            guard hasVariable(address) || SieveAddressSyntax.addrSpec(address) != nil else {
                throw SieveError("invalid redirect address \"\(address)\"", at: positional[0].location)
            }
        default:
            break
        }
    }

    /// The capabilities of an `if`/`elsif` whose test is `ihave` (RFC 5463 §4), else nil.
    func ihaveCapabilities(_ tests: [SieveTest]) -> [String]? {
        guard tests.count == 1, tests[0].name == "ihave", case .strings(let names)? = tests[0].arguments.positional.first
        else { return nil }
        return names.map { $0.lowercased() }
    }

    // MARK: - Tests

    mutating func tests(_ tests: [SieveTest], of entry: SieveGrammar.Entry, owner: String,
                        at location: SourceLocation) throws(SieveError) -> [SieveTest] {
        switch entry.tests {
        case .noTests where !tests.isEmpty:
            throw SieveError("\"\(owner)\" takes no test", at: tests[0].location)
        case .one where tests.count != 1:
            throw SieveError("\"\(owner)\" needs exactly one test", at: location)
        case .list where tests.isEmpty:
            throw SieveError("\"\(owner)\" needs a test list", at: location)
        default:
            var validated: [SieveTest] = []
            for test in tests { validated.append(try self.test(test)) }
            return validated
        }
    }

    mutating func test(_ test: SieveTest) throws(SieveError) -> SieveTest {
        guard let entry = SieveGrammar.tests[test.name] else {
            if SieveGrammar.commands[test.name] != nil {
                throw SieveError("\"\(test.name)\" is a command, not a test", at: test.location)
            }
            throw SieveError("unknown test \"\(test.name)\"", at: test.location)
        }
        try requireCapability(entry.capability, for: test.name, at: test.location)
        var result = test
        result.raw = try decodingEncodedCharacters(test.raw)
        let bound = try bind(result.raw, to: entry, at: test.location)
        result.arguments = bound.arguments
        result.tests = try tests(test.tests, of: entry, owner: test.name, at: test.location)
        try checkTestArguments(test.name, arguments: bound.arguments, positional: bound.positional)
        return result
    }

    /// Rules of single tests beyond the argument shapes.
    func checkTestArguments(_ name: String, arguments: SieveArguments, positional: [SieveArgument]) throws(SieveError) {
        switch name {
        case "address":
            // RFC 5228 §5.1: the address test is restricted to headers that hold addresses.
            for header in strings(arguments.positional[0]) where SieveAddressHeaders.isNonAddressHeader(header) {
                throw SieveError("\"\(header)\" is not an address header", at: positional[0].location)
            }
        case "envelope":
            // RFC 5228 §5.4: the envelope parts are "from" and "to".
            for part in strings(arguments.positional[0]) where !["from", "to"].contains(part.lowercased()) && !hasVariable(part) {
                throw SieveError("unknown envelope part \"\(part)\"", at: positional[0].location)
            }
        case "hasflag":
            if arguments.positional.count == 2 {
                try requireCapability("variables", for: "hasflag with variable names", at: positional[0].location)
                for variable in strings(arguments.positional[0]) where !isVariableName(variable) {
                    throw SieveError("invalid variable name \"\(variable)\"", at: positional[0].location)
                }
            }
        default:
            break
        }
        if name == "date" || name == "currentdate" {
            // RFC 5260 §4.2.
            let index = name == "date" ? 1 : 0
            let part = strings(arguments.positional[index])[0]
            if !SieveGrammar.dateParts.contains(part.lowercased()) && !hasVariable(part) {
                throw SieveError("unknown date part \"\(part)\"", at: positional[index].location)
            }
        }
        // Draft-ietf-sieve-regex §3: a constant key that is not a valid regular expression is a
        // compile-time error. The key list is the last positional argument of every test with a match type.
        if arguments.has("regex"), let keys = arguments.positional.last, let place = positional.last {
            for key in strings(keys) where !hasVariable(key) {
                if let problem = SieveRegex.compileProblem(in: key) {
                    throw SieveError("invalid regular expression \"\(key)\": \(problem)", at: place.location)
                }
            }
        }
    }

    // MARK: - Arguments

    /// Pairs tags with their values and checks the positional arguments against `entry`;
    /// returns the arguments and the raw positional ones (for their locations).
    /// RFC 5228 §2.6.2: tagged arguments come before positional ones.
    func bind(_ raw: [SieveArgument], to entry: SieveGrammar.Entry,
              at location: SourceLocation) throws(SieveError) -> (arguments: SieveArguments, positional: [SieveArgument]) {
        var arguments = SieveArguments()
        var groups: [SieveGrammar.TagGroup: String] = [:]
        var index = 0
        while index < raw.count, case .tag(let name, let tagLocation) = raw[index] {
            guard let tag = entry.tag(named: name) else {
                throw SieveError("unknown tag \":\(name)\" for \"\(entry.name)\"", at: tagLocation)
            }
            try requireCapability(tag.capability, for: ":\(name)", at: tagLocation)
            guard !arguments.tags.keys.contains(name) else {
                throw SieveError("tag \":\(name)\" given twice", at: tagLocation)
            }
            if let group = tag.group {
                if let other = groups[group] {
                    throw SieveError("only one \(group.rawValue) is allowed, found \":\(other)\" and \":\(name)\"", at: tagLocation)
                }
                groups[group] = name
            }
            index += 1
            var value: SieveValue?
            if let kind = tag.value {
                guard index < raw.count, let given = self.value(raw[index], as: kind) else {
                    throw SieveError("\":\(name)\" needs \(kind.name)", at: index < raw.count ? raw[index].location : tagLocation)
                }
                value = try tagValue(name, given, at: raw[index].location)
                index += 1
            }
            arguments.tags.updateValue(value, forKey: name)
        }
        for group in entry.requiredGroups where groups[group] == nil {
            let names = entry.tags.filter { $0.group == group }.map { "\":\($0.name)\"" }
            throw SieveError("\"\(entry.name)\" needs \(names.joined(separator: " or "))", at: location)
        }
        let positional = Array(raw[index...])
        if let misplaced = positional.first(where: { if case .tag = $0 { true } else { false } }),
           case .tag(let name, let tagLocation) = misplaced {
            throw SieveError("tag \":\(name)\" must come before the positional arguments", at: tagLocation)
        }
        let maximum = entry.positional.count
        let minimum = maximum - entry.optionalLeading - entry.optionalTrailing
        guard (minimum...maximum).contains(positional.count) else {
            let expected = minimum == maximum ? "\(maximum)" : "\(minimum) or \(maximum)"
            let message = "wrong number of arguments for \"\(entry.name)\": expected \(expected), found \(positional.count)"
            throw SieveError(message, at: positional.count > maximum ? positional[maximum].location : location)
        }
        // Left-out arguments are the leading ones, unless the entry's optional ones trail.
        let skipped = entry.optionalTrailing > 0 ? 0 : maximum - positional.count
        for (offset, argument) in positional.enumerated() {
            let kind = entry.positional[skipped + offset]
            guard let value = value(argument, as: kind) else {
                throw SieveError("argument \(offset + 1) of \"\(entry.name)\" must be \(kind.name)", at: argument.location)
            }
            arguments.positional.append(value)
        }
        try checkMatchType(arguments, at: location, raw: raw)
        return (arguments, positional)
    }

    /// Checks and normalises the value of one tag.
    func tagValue(_ tag: String, _ value: SieveValue, at location: SourceLocation) throws(SieveError) -> SieveValue {
        switch tag {
        case "comparator":
            // RFC 5228 §2.7.3: an unknown comparator is an error; RFC 4790 §9.
            let name = strings(value)[0].lowercased()
            guard let capability = SieveGrammar.comparators[name] else {
                throw SieveError("unknown comparator \"\(strings(value)[0])\"", at: location)
            }
            if let capability, !extensions.contains(capability) {
                throw SieveError("comparator \"\(name)\" needs require \"\(capability)\"", at: location)
            }
            return .strings([name])
        case "value", "count":
            // RFC 5231 §4.
            let operation = strings(value)[0].lowercased()
            guard SieveGrammar.relationalOperators.contains(operation) else {
                throw SieveError("invalid relational operator \"\(strings(value)[0])\" (expected gt, ge, lt, le, eq or ne)", at: location)
            }
            return .strings([operation])
        case "zone":
            // RFC 5260 §4.1: time-zone = ( "+" / "-" ) 4DIGIT
            let zone = strings(value)[0]
            guard isTimeZone(zone) || hasVariable(zone) else {
                throw SieveError("invalid time zone \"\(zone)\" (expected +hhmm or -hhmm)", at: location)
            }
            return value
        default:
            return value
        }
    }

    /// RFC 5228 §2.7.1 / RFC 4790 §9.1.1: i;ascii-numeric has no substring operation, so it
    /// cannot be used with :contains, :matches or :regex.
    func checkMatchType(_ arguments: SieveArguments, at location: SourceLocation, raw: [SieveArgument]) throws(SieveError) {
        guard case .strings(let comparator)?? = arguments.tags["comparator"], comparator == ["i;ascii-numeric"] else { return }
        for substring in ["contains", "matches", "regex"] where arguments.has(substring) {
            let place = raw.first { if case .tag(substring, _) = $0 { true } else { false } }?.location ?? location
            throw SieveError("comparator \"i;ascii-numeric\" cannot be used with \":\(substring)\"", at: place)
        }
    }

    func requireCapability(_ capability: String?, for what: String, at location: SourceLocation) throws(SieveError) {
        if let capability, !extensions.contains(capability) {
            throw SieveError("\(what) needs require \"\(capability)\"", at: location)
        }
    }

    /// RFC 5228 §2.4.2.4: with "encoded-character", `${hex:…}` and `${unicode:…}` are decoded
    /// in every string.
    func decodingEncodedCharacters(_ raw: [SieveArgument]) throws(SieveError) -> [SieveArgument] {
        guard extensions.contains("encoded-character") else { return raw }
        var decoded: [SieveArgument] = []
        for argument in raw {
            guard case .strings(let list, let isList, let location) = argument else {
                decoded.append(argument)
                continue
            }
            var strings: [String] = []
            for text in list {
                switch SieveEncodedCharacter.decode(text) {
                case .success(let plain): strings.append(plain)
                case .failure(let problem): throw SieveError(problem.message, at: location)
                }
            }
            decoded.append(.strings(strings, isList: isList, location))
        }
        return decoded
    }

    // MARK: - Helpers

    func value(_ argument: SieveArgument, as kind: SieveGrammar.ArgumentKind) -> SieveValue? {
        switch (argument, kind) {
        case (.number(let number, _), .number): .number(number)
        case (.strings(let list, false, _), .string), (.strings(let list, _, _), .stringList): .strings(list)
        default: nil
        }
    }

    func strings(_ value: SieveValue) -> [String] {
        if case .strings(let list) = value { return list }
        return []
    }

    /// RFC 5229 §3: variable-name = (ALPHA / "_") *(ALPHA / DIGIT / "_")
    func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0 == "_" || ("0"..."9").contains($0) }
    }

    func isTimeZone(_ zone: String) -> Bool {
        let bytes = Array(zone.utf8)
        guard bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
              bytes[1...].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        return bytes[3] <= UInt8(ascii: "5")  // minutes 00–59
    }

    /// Whether a string refers to a variable, so only the run time can check it (RFC 5229 §3).
    func hasVariable(_ text: String) -> Bool {
        extensions.contains("variables") && text.contains("${")
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
