/// Commands other than the control structure (RFC 5228 §3–4 and the extensions' actions).
extension SieveExecution {
    mutating func perform(_ command: SieveCommand) throws(SieveError) -> Flow {
        let arguments = command.arguments
        let location = command.location
        switch command.name {
        case "require":  // RFC 5228 §3.2: checked at compile time
            return .next
        case "stop":  // RFC 5228 §3.3
            return .stop
        case "keep":  // RFC 5228 §4.3; RFC 5232 §5 :flags
            try add(.keep(flags: flags(for: arguments)), at: location)
        case "discard":  // RFC 5228 §4.4
            try add(.discard, at: location)
        case "fileinto":  // RFC 5228 §4.1; RFC 3894 :copy; RFC 5490 §3.2 :create; RFC 5232 :flags
            let mailbox = try string(arguments, 0, at: location)
            let create = arguments.has("create")
            // RFC 5228 §4.1 lets a missing mailbox be an error: the message then goes to INBOX
            // by the implicit keep, as Pigeonhole does, rather than into a mailbox made up.
            if !create, !input.mailboxExists(mailbox) {
                throw SieveError("fileinto: mailbox \"\(mailbox)\" does not exist", at: location)
            }
            try add(
                .fileInto(mailbox: mailbox, flags: flags(for: arguments), create: create, copy: arguments.has("copy")),
                at: location)
        case "redirect":  // RFC 5228 §4.2; RFC 3894 :copy
            let written = try string(arguments, 0, at: location)
            guard let address = SieveAddressSyntax.addrSpec(written) else {
                throw SieveError("redirect: invalid address \"\(written)\"", at: location)
            }
            try add(.redirect(address: address, copy: arguments.has("copy")), at: location)
        case "reject", "ereject":  // RFC 5429 §2.1, §2.2
            let reason = try string(arguments, 0, at: location)
            try add(.reject(reason: reason, extended: command.name == "ereject"), at: location)
        case "include":  // RFC 6609 §3.2
            return try include(arguments, at: location)
        case "return":  // RFC 6609 §3.4
            return .returned
        case "global":  // RFC 6609 §3.3
            for name in try variableNames(arguments, 0, at: location) {
                let key = name.lowercased()
                globalNames.insert(key)
                try setVariable(key, to: shared.globals[key] ?? "", at: location)
            }
        case "error":  // RFC 5463 §5: a run-time error with the script's own message
            throw SieveError("error: \(try string(arguments, 0, at: location))", at: location)
        case "vacation":  // RFC 5230 §4, RFC 6131 §2
            try add(.vacation(try vacation(arguments, at: location)), at: location)
        case "addheader":  // RFC 5293 §4
            try addHeader(arguments, at: location)
        case "deleteheader":  // RFC 5293 §5
            try deleteHeader(arguments, at: location)
        case "setflag", "addflag", "removeflag":  // RFC 5232 §4–6
            try changeFlags(command.name, arguments, at: location)
        case "set":  // RFC 5229 §4
            try set(arguments, at: location)
        default:
            throw SieveError("unsupported command \"\(command.name)\"", at: location)
        }
        return .next
    }

    private mutating func add(_ action: SieveAction, at location: SourceLocation) throws(SieveError) {
        do {
            try actions.add(action)
        } catch {
            throw SieveError(error.message, at: location)
        }
    }

    /// The request of a `vacation` command, its period bounded by the limits (RFC 5230 §4.1: the
    /// site may set a minimum and a maximum; RFC 6131 §2 allows the same for `:seconds`).
    private func vacation(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) -> SieveVacation {
        let reason = try string(arguments, 0, at: location)
        var period = limits.vacationDefaultPeriod
        let longest = UInt64(limits.vacationMaximumPeriod)
        if case .number(let days)?? = arguments.tags["days"] {
            period = Int(days > longest / 86_400 ? longest : days * 86_400)
        } else if case .number(let seconds)?? = arguments.tags["seconds"] {
            period = Int(min(seconds, longest))
        }
        period = min(max(period, limits.vacationMinimumPeriod), limits.vacationMaximumPeriod)
        var addresses: [String] = []
        for written in tagStrings(arguments, "addresses") ?? [] {
            guard let address = SieveAddressSyntax.addrSpec(written) else {
                throw SieveError("vacation: invalid :addresses address \"\(written)\"", at: location)
            }
            addresses.append(address)
        }
        let from = tagStrings(arguments, "from")?.first
        if let from, SieveAddressSyntax.addrSpec(from) == nil {
            throw SieveError("vacation: invalid :from address \"\(from)\"", at: location)
        }
        return SieveVacation(reason: reason, subject: tagStrings(arguments, "subject")?.first, from: from,
                             addresses: addresses, mime: arguments.has("mime"),
                             handle: tagStrings(arguments, "handle")?.first, period: period)
    }

    /// The flags of `keep`/`fileinto`: the `:flags` list when given, else the internal
    /// variable (RFC 5232 §5) — which stays empty unless imap4flags set it.
    private func flags(for arguments: SieveArguments) -> [String] {
        if let list = tagStrings(arguments, "flags") { return SieveFlags.parse(list) }
        return internalFlags
    }

    /// setflag / addflag / removeflag, on the internal variable or on the named variable given
    /// as the first of two arguments (RFC 5232 §3).
    private mutating func changeFlags(_ name: String, _ arguments: SieveArguments, at location: SourceLocation)
        throws(SieveError)
    {
        let onVariable = arguments.positional.count == 2
        let given = SieveFlags.parse(try strings(arguments, onVariable ? 1 : 0, at: location))
        func changed(_ current: [String]) -> [String] {
            switch name {
            case "setflag": SieveFlags.parse(given)
            case "addflag": SieveFlags.adding(given, to: current)
            default: SieveFlags.removing(given, from: current)
            }
        }
        guard onVariable else {
            internalFlags = changed(internalFlags)
            return
        }
        for variable in try variableNames(arguments, 0, at: location) {
            let current = SieveFlags.parse([variables.value(of: variable)])
            try setVariable(variable, to: SieveFlags.joined(changed(current)), at: location)
        }
    }

    /// Variable names as written (names are not expanded: RFC 5229 §4 wants them constant).
    func variableNames(_ arguments: SieveArguments, _ index: Int, at location: SourceLocation) throws(SieveError)
        -> [String]
    {
        guard index < arguments.positional.count, case .strings(let names) = arguments.positional[index] else {
            throw SieveError("missing variable name", at: location)
        }
        for name in names where !SieveVariables.isValidName(name) {
            throw SieveError("invalid variable name \"\(name)\"", at: location)
        }
        return names
    }

    /// set [modifiers] name value (RFC 5229 §4).
    private mutating func set(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) {
        guard let name = try variableNames(arguments, 0, at: location).first else {
            throw SieveError("missing variable name", at: location)
        }
        let value = try string(arguments, 1, at: location)
        let modifiers = SieveSetModifier.allCases.filter { arguments.has($0.rawValue) }
        try setVariable(name, to: SieveSetModifier.apply(modifiers, to: value), at: location)
    }

    private mutating func setVariable(_ name: String, to value: String, at location: SourceLocation) throws(SieveError) {
        do {
            try variables.set(name, to: value)
        } catch {
            throw SieveError(error.message, at: location)
        }
        let key = name.lowercased()
        if globalNames.contains(key) { shared.globals[key] = variables.value(of: key) }
    }

    /// Runs an included script (RFC 6609 §3.2) on the same actions, flags and global variables.
    /// Errors: a script that is not in the library (without `:optional`) or does not compile, one
    /// already being run (a loop), and the depth and count limits.
    private mutating func include(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) -> Flow {
        let key = SieveIncludeKey(arguments.has("global") ? .global : .personal, try string(arguments, 0, at: location))
        if arguments.has("once"), shared.included.contains(key) { return .next }
        let target: SieveScript
        switch shared.includes.scripts[key] {
        case nil:
            if arguments.has("optional") { return .next }
            throw SieveError("include: \(key) does not exist", at: location)
        case .failure(let error)?:
            throw SieveError("include: \(key) does not compile: \(error)", at: location)
        case .success(let script)?:
            target = script
        }
        guard !includeStack.contains(key) else {
            throw SieveError("include: \(key) is already being run (an include loop)", at: location)
        }
        guard includeStack.count <= limits.includeDepth else {
            throw SieveError("include: nested more than \(limits.includeDepth) deep", at: location)
        }
        shared.includeCount += 1
        guard shared.includeCount <= limits.includes else {
            throw SieveError("include: more than \(limits.includes) scripts included", at: location)
        }
        shared.included.insert(key)
        var nested = SieveExecution(script: target, input: input, cache: cache, limits: limits, actions: actions,
                                    internalFlags: internalFlags, shared: shared, includeStack: includeStack + [key])
        nested.commandCount = commandCount
        let flow = try nested.run()
        actions = nested.actions
        internalFlags = nested.internalFlags
        shared = nested.shared
        commandCount = nested.commandCount
        // The included script may have changed global variables this one declared.
        for name in globalNames { try setVariable(name, to: shared.globals[name] ?? "", at: location) }
        return flow == .stop ? .stop : .next
    }
}
