// MARK: - Field names and values

/// The fields a query may name, in the order suggestions prefer them.
let queryFieldNames = [
    "from", "to", "cc", "bcc", "participant", "domain", "subject", "body", "attachment", "message-id",
    "after", "before", "on", "larger", "smaller", "has", "direction", "source", "in",
    "auth",
]

extension QueryTerm {
    /// Checks a written term's field and value. Errors point at the field name (unknown field)
    /// or at the value (bad value).
    init(_ word: QueryWord) throws(QueryError) {
        guard let rawField = word.field else {
            // A bare `*` (a prefix of nothing) is every message, so `*` means the same in a search,
            // a hold, an export and a retention policy.
            if !word.quoted && word.prefix && word.value.isEmpty {
                self = .everything
                return
            }
            self = .text(.any, try Self.searchableText(word), prefix: word.prefix)
            return
        }
        let field = rawField.lowercased()
        let value = word.value
        func bad(_ message: String) -> QueryError { QueryError(column: word.valueColumn, message: message) }
        switch field {
        case "subject": self = .text(.subject, try Self.searchableText(word), prefix: word.prefix)
        case "body": self = .text(.body, try Self.searchableText(word), prefix: word.prefix)
        case "attachment": self = .text(.attachment, try Self.searchableText(word), prefix: word.prefix)
        case "from": self = .address(.from, try Self.addressPattern(word))
        case "to": self = .address(.to, try Self.addressPattern(word))
        case "cc": self = .address(.cc, try Self.addressPattern(word))
        case "bcc": self = .address(.bcc, try Self.addressPattern(word))
        case "participant": self = .address(.participant, try Self.addressPattern(word))
        case "domain":
            guard let domain = Self.domainName(value), !word.prefix else {
                throw bad("domain: takes a domain name like example.com")
            }
            self = .domain(domain)
        case "message-id":
            var id = Substring(value.trimmingWhitespace())
            if id.hasPrefix("<") { id = id.dropFirst() }
            if id.hasSuffix(">") { id = id.dropLast() }
            guard !id.isEmpty, !word.prefix else { throw bad("message-id: takes a Message-ID like <id@example.com>") }
            self = .messageID(TextFolding.key(String(id)))
        case "after", "before", "on":
            guard !word.prefix, let period = DatePeriod(parsing: value) else {
                throw bad("invalid date \"\(value)\" (use YYYY-MM-DD, YYYY-MM or YYYY)")
            }
            self = .date(DateComparison(rawValue: field)!, period)
        case "larger", "smaller":
            guard !word.prefix, let size = Self.byteCount(value) else {
                throw bad("invalid size \"\(value)\" (use a number of bytes, or with k, M or G like 10k or 5M)")
            }
            self = .size(SizeComparison(rawValue: field)!, size)
        case "has":
            switch value.lowercased() {
            case "attachment" where !word.prefix, "attachments" where !word.prefix: self = .hasAttachment
            case "unextracted" where !word.prefix: self = .hasUnextracted
            default: throw bad("has: takes \"attachment\" or \"unextracted\"")
            }
        case "in":
            // `in:attachment:word`, `in:attachment:"a phrase"`: the term in attachment text only.
            let scope = "attachment:"
            guard value.lowercased().hasPrefix(scope) else { throw bad("in: takes attachment:WORD") }
            let rest = String(value.dropFirst(scope.count))
            let inner = QueryWord(field: nil, fieldColumn: word.fieldColumn, value: rest,
                                  valueColumn: word.valueColumn + scope.count, quoted: word.quoted, prefix: word.prefix)
            self = .text(.attachmentText, try Self.searchableText(inner), prefix: word.prefix)
        case "direction":
            let direction: DeliveryDirection? = switch value.lowercased() {
            case "in", "inbound": .inbound
            case "out", "outbound": .outbound
            case "internal": .internal
            case "imported", "import": .imported
            default: nil
            }
            guard let direction, !word.prefix else { throw bad("direction: takes in, out, internal or imported") }
            self = .direction(direction)
        case "source":
            let source = value.trimmingWhitespace().lowercased()
            guard !source.isEmpty else { throw bad("source: needs a value") }
            self = .source(source, prefix: word.prefix)
        case "auth":
            // `auth:dmarc=fail`: a method and a result of RFC 8601 §2.7 as the MX checks record them.
            let parts = value.trimmingWhitespace().lowercased().split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !word.prefix, let method = AuthenticationMethod(rawValue: String(parts[0])),
                  method.results.contains(String(parts[1])) else {
                throw bad("auth: takes spf=, dkim= or dmarc= and a result, like auth:dmarc=fail")
            }
            self = .authentication(method, String(parts[1]))
        default:
            var message = "unknown field \"\(rawField)\""
            if let suggestion = Self.suggestion(for: field) { message += " (did you mean \(suggestion)?)" }
            throw QueryError(column: word.fieldColumn, message: message)
        }
    }

    /// Text for FTS5 must hold at least one letter or digit, or it would silently match nothing.
    private static func searchableText(_ word: QueryWord) throws(QueryError) -> String {
        guard word.value.contains(where: { $0.isLetter || $0.isNumber }) else {
            let shown = word.quoted ? "\"\(word.value)\"" : word.value + (word.prefix ? "*" : "")
            throw QueryError(column: word.valueColumn, message: "\(shown) has no letters or digits to search for")
        }
        return word.value
    }

    /// `alice` → words; `alice@example.com` → exact; `alice@ex*` → address prefix; `@example.com` → domain.
    private static func addressPattern(_ word: QueryWord) throws(QueryError) -> AddressPattern {
        var value = Substring(word.value.trimmingWhitespace())
        guard value.contains("@") else {
            return .words(try searchableText(word), prefix: word.prefix)
        }
        if value.hasPrefix("<") { value = value.dropFirst() }
        if value.hasSuffix(">") { value = value.dropLast() }
        if value.hasPrefix("@") {
            guard let domain = domainName(String(value.dropFirst())), !word.prefix else {
                throw QueryError(column: word.valueColumn, message: "\"\(value)\" is not a domain like @example.com")
            }
            return .domain(domain)
        }
        guard !value.contains(where: \.isWhitespace) else {
            throw QueryError(column: word.valueColumn, message: "an address cannot contain spaces")
        }
        let key = TextFolding.key(String(value))
        return word.prefix ? .addressPrefix(key) : .exact(key)
    }

    /// A folded domain name: letters, digits, `-`, `_` and dots, not empty; a leading `@` or
    /// trailing dot is dropped.
    static func domainName(_ text: String) -> String? {
        var name = Substring(TextFolding.key(text.trimmingWhitespace()))
        if name.hasPrefix("@") { name = name.dropFirst() }
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, !name.hasPrefix("."),
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" })
        else { return nil }
        return String(name)
    }

    /// `1234`, `10k`, `10kb`, `5M`, `1G` (binary multiples); nil when malformed or too large.
    static func byteCount(_ text: String) -> Int? {
        var rest = Substring(text.lowercased())
        if rest.hasSuffix("b") { rest = rest.dropLast() }
        var multiplier = 1
        switch rest.last {
        case "k": multiplier = 1 << 10
        case "m": multiplier = 1 << 20
        case "g": multiplier = 1 << 30
        default: break
        }
        if multiplier != 1 { rest = rest.dropLast() }
        guard !rest.isEmpty, rest.count <= 12, rest.allSatisfy({ $0.isASCII && $0.isNumber }),
            let number = Int(rest)
        else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    /// The closest known field within two edits, for "did you mean".
    static func suggestion(for field: String) -> String? {
        var best: (name: String, distance: Int)?
        for name in queryFieldNames {
            let distance = EditDistance.between(field, name)
            if distance <= 2, distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        return best?.name
    }
}

extension String {
    package func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
