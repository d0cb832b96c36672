#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailMessage

/// Tests (RFC 5228 §5 and the extensions' tests).
extension SieveExecution {
    mutating func evaluate(_ test: SieveTest) throws(SieveError) -> Bool {
        let arguments = test.arguments
        let location = test.location
        switch test.name {
        case "true": return true  // §5.10
        case "false": return false  // §5.6
        case "not":  // §5.8
            guard let inner = test.tests.first else { throw SieveError("not without a test", at: location) }
            return try !evaluate(inner)
        case "allof":  // §5.2, evaluated left to right, stopping at the first false
            for inner in test.tests where try !evaluate(inner) { return false }
            return true
        case "anyof":  // §5.3, stopping at the first true
            for inner in test.tests where try evaluate(inner) { return true }
            return false
        case "exists":  // §5.5: true only if every named header is present
            let names = try strings(arguments, 0, at: location)
            return names.allSatisfy { cache.message.header.contains(named: $0) }
        case "size":  // §5.9: the size of the raw message
            let size = UInt64(cache.message.raw.count)
            if case .number(let limit)?? = arguments.tags["over"] { return size > limit }
            if case .number(let limit)?? = arguments.tags["under"] { return size < limit }
            throw SieveError("size needs :over or :under", at: location)
        case "header":  // §5.7
            let values = try strings(arguments, 0, at: location).flatMap(headerValues)
            return try match(test, keysAt: 1, values: values)
        case "address":  // §5.1
            let part = addressPart(arguments)
            let addresses = try strings(arguments, 0, at: location).flatMap(headerAddresses)
            return try match(test, keysAt: 1, values: addresses.compactMap(part.extract), count: addresses.count)
        case "envelope":  // §5.4
            let part = addressPart(arguments)
            let addresses = try strings(arguments, 0, at: location).flatMap(envelopeAddresses)
            let count = addresses.filter { !$0.isEmpty }.count  // the null reverse-path is no address
            return try match(test, keysAt: 1, values: addresses.compactMap(part.extract), count: count)
        case "body":  // RFC 5173 §5
            return try match(test, keysAt: 0, values: cache.bodyTexts(bodyTransform(arguments)))
        case "string":  // RFC 5229 §5: the count of a string is 0 when empty, else 1
            let sources = try strings(arguments, 0, at: location)
            return try match(test, keysAt: 1, values: sources, count: sources.filter { !$0.isEmpty }.count)
        case "hasflag":  // RFC 5232 §4: the flags of the internal variable or of the named variables
            let onVariables = arguments.positional.count == 2
            let flags =
                onVariables
                ? SieveFlags.parse(try variableNames(arguments, 0, at: location).map { variables.value(of: $0) })
                : internalFlags
            return try match(test, keysAt: onVariables ? 1 : 0, values: flags)
        case "date":  // RFC 5260 §4
            let name = try string(arguments, 0, at: location)
            let partName = try string(arguments, 1, at: location)
            guard let part = SieveDatePart(name: partName) else { return false }
            let values = headerDates(name).map { dateTime(of: $0.date, original: $0.originalOffset, arguments) }
                .map { $0.value(of: part) }
            return try match(test, keysAt: 2, values: values)
        case "currentdate":  // RFC 5260 §5
            let partName = try string(arguments, 0, at: location)
            guard let part = SieveDatePart(name: partName) else { return false }
            let now = dateTime(of: input.currentDate, original: nil, arguments)
            return try match(test, keysAt: 1, values: [now.value(of: part)])
        case "environment":  // RFC 5183 §4: an item this implementation does not know makes the test false
            let name = try string(arguments, 0, at: location).lowercased()
            guard let value = input.environment[name] else { return false }
            return try match(test, keysAt: 1, values: [value])
        case "ihave":  // RFC 5463 §4: true when every capability is supported
            return try strings(arguments, 0, at: location)
                .allSatisfy { SieveValidator.supportedExtensions.contains($0.lowercased()) }
        case "spamtest":  // RFC 5235 §3.1, §3.2
            let value = arguments.has("percent") ? input.scan.spamtestPercentValue : input.scan.spamtestValue
            return try match(test, keysAt: 0, values: [value])
        case "virustest":  // RFC 5235 §3.3
            return try match(test, keysAt: 0, values: [input.scan.virustestValue])
        case "duplicate":  // RFC 7352 §3
            return duplicate(arguments)
        case "mailboxexists":  // RFC 5490 §3.1: true only if every named mailbox exists
            return try strings(arguments, 0, at: location).allSatisfy(input.mailboxExists)
        default:
            throw SieveError("unsupported test \"\(test.name)\"", at: location)
        }
    }

    /// RFC 7352 §3: the unique id is `:uniqueid`, else the value of the `:header` field, else of
    /// Message-ID (unfolded, trimmed); with no id (the field is absent) the test is false and
    /// nothing is remembered. True when the store saw handle and id within their period.
    private mutating func duplicate(_ arguments: SieveArguments) -> Bool {
        let id: String
        if let unique = tagStrings(arguments, "uniqueid")?.first {
            id = unique
        } else {
            let field = tagStrings(arguments, "header")?.first ?? "Message-ID"
            guard let value = headerValues(field).first?[...].trimmingASCIIWhitespace(), !value.isEmpty
            else { return false }
            id = String(value)
        }
        var period = limits.duplicateDefaultPeriod
        if case .number(let seconds)?? = arguments.tags["seconds"] {
            period = Int(min(seconds, UInt64(limits.duplicateMaximumPeriod)))
        }
        let key = SieveDuplicateCheck.key(handle: tagStrings(arguments, "handle")?.first ?? "", uniqueID: id)
        let seen = input.seenDuplicates.contains(key)
        shared.duplicateChecks.append(SieveDuplicateCheck(key: key, period: period, last: arguments.has("last"), seen: seen))
        return seen
    }

    // MARK: - Matching

    /// Compares `values` with the keys in positional argument `keysAt` by the test's match type
    /// and comparator. `count` is what `:count` counts (default: the number of values). A
    /// successful `:matches`/`:regex` sets the match variables (RFC 5229 §3.2); a failed one
    /// leaves them as they were.
    private mutating func match(_ test: SieveTest, keysAt index: Int, values: [String], count: Int? = nil)
        throws(SieveError) -> Bool
    {
        let keys = try strings(test.arguments, index, at: test.location)
        let matchType = try matchType(test.arguments, at: test.location)
        let comparator = try comparator(test.arguments, at: test.location)
        let matcher: SieveMatcher
        do {
            matcher = try SieveMatcher(matchType: matchType, comparator: comparator, keys: keys)
        } catch {
            throw SieveError(error.message, at: test.location)
        }
        if matcher.isCount { return matcher.matchCount(count ?? values.count) }
        guard let success = matcher.firstMatch(in: values) else { return false }
        if let matchVariables = success.matchVariables { variables.matchVariables = matchVariables }
        return true
    }

    func matchType(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) -> SieveMatchType {
        let tags = arguments.tags
        if tags["contains"] != nil { return .contains }
        if tags["matches"] != nil { return .matches }
        if tags["regex"] != nil { return .regex }
        for name in ["value", "count"] {
            guard let value = tags[name] else { continue }
            guard case .strings(let list)? = value, let first = list.first, let relation = SieveRelation(name: first)
            else {
                throw SieveError("invalid relational operator for :\(name)", at: location)
            }
            return name == "value" ? .value(relation) : .count(relation)
        }
        return .is
    }

    func comparator(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) -> SieveComparator {
        guard let names = tagStrings(arguments, "comparator"), let name = names.first else { return .asciiCasemap }
        guard let comparator = SieveComparator(name: name) else {
            throw SieveError("unknown comparator \"\(name)\"", at: location)
        }
        return comparator
    }

    private func addressPart(_ arguments: SieveArguments) -> SieveAddressPart {
        SieveAddressPart.allCases.first { arguments.has($0.rawValue) } ?? .all
    }

    private func bodyTransform(_ arguments: SieveArguments) -> SieveBodyTransform {
        if arguments.has("raw") { return .raw }
        if let types = tagStrings(arguments, "content") { return .content(types) }
        return .text
    }

    // MARK: - What tests read

    /// Every field of this name, unfolded and RFC 2047-decoded (RFC 5228 §5.7; 8-bit bytes as
    /// UTF-8, else Windows-1252, as MailMessage reads them).
    private func headerValues(_ name: String) -> [String] {
        cache.headerValues(name)
    }

    /// The addr-specs of every field of this name (RFC 5228 §5.1; group members included,
    /// group names and display names never).
    private func headerAddresses(_ name: String) -> [String] {
        cache.headerAddresses(name)
    }

    /// "from" and "to" (RFC 5228 §5.4); any other envelope part has no value here. The null
    /// reverse-path is the empty string.
    private func envelopeAddresses(_ part: String) -> [String] {
        let value: String
        switch part.lowercased() {
        case "from": value = input.envelopeFrom
        case "to": value = input.envelopeTo
        default: return []
        }
        var address = Substring(value).trimmingASCIIWhitespace()
        if address.first == "<", address.last == ">" { address = address.dropFirst().dropLast() }
        return [String(address)]
    }

    /// The dates of every field of this name that holds one, with the zone each was written in
    /// (RFC 5260 §4: a field without a readable date is skipped). For Received, the date
    /// follows the last ";" (RFC 5321 §4.4).
    private func headerDates(_ name: String) -> [(date: Date, originalOffset: Int)] {
        cache.message.header.all(named: name).compactMap { raw in
            var bytes = raw[...]
            if name.lowercased() == "received", let semicolon = raw.lastIndex(of: UInt8(ascii: ";")) {
                bytes = raw[(semicolon + 1)...]
            }
            guard let date = DateParser.parse(bytes) else { return nil }
            return (date, SieveTimeZone.originalOffset(inDateTime: String(decoding: bytes, as: UTF8.self)))
        }
    }

    /// The instant in the zone the test asks for: `:zone`, `:originalzone`, else the input's
    /// zone (RFC 5260 §4.1). A `:zone` that is not "+hhmm" falls back to the input's zone.
    private func dateTime(of date: Date, original: Int?, _ arguments: SieveArguments) -> SieveDateTime {
        if let zone = tagStrings(arguments, "zone")?.first, let offset = SieveTimeZone.offset(of: zone) {
            return SieveDateTime(date: date, offset: offset)
        }
        if arguments.has("originalzone"), let original {
            return SieveDateTime(date: date, offset: original)
        }
        return SieveDateTime(date: date, offset: input.timeZone.secondsFromGMT(for: date))
    }
}
