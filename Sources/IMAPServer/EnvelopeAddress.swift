/// One element of an ENVELOPE address list (RFC 3501 §7.4.2, RFC 9051 §7.5.2): an address, or a
/// group marker. A group starts with (NIL NIL "name" NIL) and ends with (NIL NIL NIL NIL).
// address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
struct EnvelopeAddress: Hashable {
    var name: [UInt8]?
    var route: [UInt8]?
    var mailbox: [UInt8]?
    var host: [UInt8]?

    /// Placeholders where the header lacks a part (the words Dovecot uses, so that clients see
    /// the same structure from both servers), so that a malformed address is never mistaken for
    /// a group marker, whose host is NIL.
    static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    static let missingDomain = Array("MISSING_DOMAIN".utf8)
    static let syntaxError = Array("SYNTAX_ERROR".utf8)
    static let invalidRoute = Array("INVALID_ROUTE".utf8)

    /// The addresses of one raw header value (RFC 5322 §3.4), nil when it holds none.
    static func parseList(_ value: [UInt8]) -> [EnvelopeAddress]? {
        var parser = EnvelopeAddressParser(value)
        return parser.parseList()
    }
}

/// RFC 5322 §3.4 address lists, with the recovery of Dovecot's parser for what real mail gets
/// wrong (a missing "@domain", a display name without angle brackets, text after an address):
/// the same input yields the same ENVELOPE from Tresor as from Dovecot.
// address-list = (address *("," address)) / obs-addr-list ; address = mailbox / group
// mailbox = name-addr / addr-spec ; name-addr = [display-name] angle-addr
// angle-addr = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr ; addr-spec = local-part "@" domain
// group = display-name ":" [group-list] ";" [CFWS]
private struct EnvelopeAddressParser {
    typealias Outcome = StructuredHeaderReader.Outcome

    var reader: StructuredHeaderReader
    /// The address being read; reset after each one is added.
    var address = EnvelopeAddress()
    var addressIsInvalid = false
    /// The text most recently read (a phrase, local part or domain).
    var text: [UInt8] = []
    var addresses: [EnvelopeAddress] = []

    init(_ value: [UInt8]) {
        reader = StructuredHeaderReader(value)
    }

    mutating func parseList() -> [EnvelopeAddress]? {
        guard reader.skipWhitespaceAndComments() == .more else { return nil }
        while true {
            guard parseAddress() != .atEnd else { break }
            guard reader.current == UInt8(ascii: ",") else { break }
            reader.position += 1
            let next = reader.skipWhitespaceAndComments()
            if next == .failed { addRepaired() }  // a list that ends in garbage
            guard next == .more else { break }
        }
        return addresses.isEmpty ? nil : addresses
    }

    private mutating func add() {
        addresses.append(address)
        address = EnvelopeAddress()
        addressIsInvalid = false
    }

    /// Adds the address with placeholders for a missing mailbox or domain.
    private mutating func addRepaired() {
        if address.mailbox == nil { address.mailbox = EnvelopeAddress.missingMailbox }
        if address.host == nil || address.host?.isEmpty == true { address.host = EnvelopeAddress.missingDomain }
        add()
    }

    private mutating func parseAddress() -> Outcome {
        let start = reader.position
        let group = parseGroup()
        guard group == .failed else { return group }
        reader.position = start
        return parseMailbox()
    }

    // group = display-name ":" [group-list] ";" [CFWS]
    private mutating func parseGroup() -> Outcome {
        text = []
        guard reader.readPhrase(into: &text) == .more, reader.current == UInt8(ascii: ":") else { return .failed }
        // From here on this is a group, whatever follows.
        reader.position += 1
        var outcome = reader.skipWhitespaceAndComments()
        address.mailbox = text
        add()
        if outcome == .more, reader.current != UInt8(ascii: ";") {
            while true {
                _ = parseMailbox()
                guard reader.current == UInt8(ascii: ",") else { break }
                reader.position += 1
                if reader.skipWhitespaceAndComments() != .more {
                    outcome = .failed
                    break
                }
            }
        }
        if outcome != .failed {
            if reader.current == UInt8(ascii: ";") {
                reader.position += 1
                outcome = reader.skipWhitespaceAndComments()
            } else {
                outcome = .failed
            }
        }
        add()  // the end-of-group marker
        return outcome == .atEnd ? .atEnd : .more
    }

    // mailbox = name-addr / addr-spec
    private mutating func parseMailbox() -> Outcome {
        let start = reader.position
        var outcome = parseNameAddress()
        if outcome == .failed {
            reader.position = start
            outcome = parseAddressSpec()
            // A lone word that is not an address is a name without an address.
            if addressIsInvalid, address.name == nil, address.mailbox != nil, address.host == nil {
                address.name = address.mailbox
                address.mailbox = nil
            }
        }
        addRepaired()
        return outcome
    }

    // name-addr = [display-name] angle-addr
    private mutating func parseNameAddress() -> Outcome {
        text = []
        guard reader.readPhrase(into: &text) == .more, reader.current == UInt8(ascii: "<") else { return .failed }
        address.name = text.isEmpty ? nil : text
        if parseAngleAddress() == .failed {
            address.host = EnvelopeAddress.syntaxError
            addressIsInvalid = true
        }
        return reader.outcomeHere
    }

    // angle-addr = "<" [obs-route] addr-spec ">" ; obs-route = obs-domain-list ":"
    // obs-domain-list = *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain])
    private mutating func parseAngleAddress() -> Outcome {
        reader.position += 1
        guard reader.skipWhitespaceAndComments() == .more else { return .failed }
        if reader.current == UInt8(ascii: "@") {
            if parseRoute() == .more, reader.current == UInt8(ascii: ":") {
                reader.position += 1
            } else {
                address.route = EnvelopeAddress.invalidRoute
                if reader.isAtEnd { return .failed }
            }
            guard reader.skipWhitespaceAndComments() == .more else { return .failed }
        }
        if reader.current != UInt8(ascii: ">") {  // "<>" is no address, but not an error here
            guard parseLocalPart() == .more else { return .failed }
            if reader.current == UInt8(ascii: "@") {
                guard parseDomain() == .more else { return .failed }
            }
        }
        guard reader.current == UInt8(ascii: ">") else { return .failed }
        reader.position += 1
        return reader.skipWhitespaceAndComments()
    }

    /// The route as "@a,@b"; sets `address.route` only when it ends properly.
    private mutating func parseRoute() -> Outcome {
        text = []
        while true {
            guard let byte = reader.current else { return .atEnd }
            guard byte == UInt8(ascii: "@") else { break }
            if !text.isEmpty { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "@"))
            let outcome = reader.readDomain(into: &text)
            guard outcome == .more else { return outcome }
            while reader.skipWhitespaceAndComments() == .more, reader.current == UInt8(ascii: ",") {
                reader.position += 1
            }
        }
        address.route = text
        return .more
    }

    // addr-spec = local-part "@" domain
    private mutating func parseAddressSpec() -> Outcome {
        reader.lastComment = []
        let quotedLocalPart = reader.current == UInt8(ascii: "\"")
        var outcome = parseLocalPart()
        if outcome != .more { addressIsInvalid = true }
        var domainOutcome: Outcome? = nil
        if outcome != .atEnd, reader.current == UInt8(ascii: "@") {
            let read = parseDomain()
            domainOutcome = read
            if read != .more { outcome = read }
        }
        if !reader.lastComment.isEmpty {
            // Old style "user@host (Real Name)": the comment is the name.
            address.name = reader.lastComment
        } else if domainOutcome == nil {
            // No "@domain": a word followed by more words is a display name.
            text.append(IMAPGrammar.space)
            let length = text.count
            _ = reader.readPhrase(into: &text)
            if text.count != length {
                address.mailbox = nil
                address.name = text
            } else if !quotedLocalPart {
                address.host = []
            }
            addressIsInvalid = true
            outcome = .failed
        }
        return outcome
    }

    // local-part = dot-atom / quoted-string / obs-local-part
    private mutating func parseLocalPart() -> Outcome {
        text = []
        let outcome =
            reader.current == UInt8(ascii: "\"") ? reader.readQuotedString(into: &text) : readDottedWords()
        guard outcome != .failed else { return .failed }
        address.mailbox = text
        return outcome
    }

    /// Atoms and dots, as real mail writes local parts: "j..doe" and "doe." occur (RFC 5322
    /// §3.4.1 forbids them; RFC 5321 §4.1.2 quoting is what mailers forget).
    private mutating func readDottedWords() -> Outcome {
        var outcome = Outcome.failed
        repeat {
            while reader.current == UInt8(ascii: ".") {
                text.append(UInt8(ascii: "."))
                reader.position += 1
                if reader.isAtEnd { return .atEnd }
                outcome = .more
            }
            if reader.current == UInt8(ascii: "@") { break }
            outcome = reader.readAtom(into: &text)
        } while outcome == .more && reader.current == UInt8(ascii: ".")
        return outcome
    }

    private mutating func parseDomain() -> Outcome {
        text = []
        let outcome = reader.readDomain(into: &text)
        guard outcome != .failed else { return .failed }
        address.host = text
        return outcome
    }
}
