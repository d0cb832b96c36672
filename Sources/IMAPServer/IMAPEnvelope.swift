import MailMessage

/// The ENVELOPE of a message (RFC 3501 §7.4.2, RFC 9051 §7.5.2), built from its header and
/// encoded as the FETCH response carries it.
// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
//            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
//
/// Values are the header text unfolded and otherwise as written: RFC 2047 encoded words stay
/// encoded (clients decode them). An absent field is NIL; Sender and Reply-To, when absent
/// or empty, repeat From (§7.4.2).
public enum IMAPEnvelope {
    public static func encode(_ message: Message, utf8Enabled: Bool = false) -> [UInt8] {
        encode(header: message.header, utf8Enabled: utf8Enabled)
    }

    public static func encode(header: HeaderSection, utf8Enabled: Bool = false) -> [UInt8] {
        var writer = IMAPWriter(utf8Enabled: utf8Enabled)
        write(header: header, to: &writer)
        return writer.bytes
    }

    static func write(header: HeaderSection, to writer: inout IMAPWriter) {
        let from = addresses(header, "From")
        func defaulted(_ name: String) -> [EnvelopeAddress]? {
            guard let list = addresses(header, name), !list.isEmpty else { return from }
            return list
        }
        writer.append("(")
        writer.appendNString(header.first(named: "Date"))
        writer.append(" ")
        writer.appendNString(header.first(named: "Subject"))
        for list in [from, defaulted("Sender"), defaulted("Reply-To"), addresses(header, "To"), addresses(header, "Cc"),
                     addresses(header, "Bcc")] {
            writer.append(" ")
            writeAddressList(list, to: &writer)
        }
        writer.append(" ")
        writer.appendNString(header.first(named: "In-Reply-To"))
        writer.append(" ")
        writer.appendNString(header.first(named: "Message-ID"))
        writer.append(")")
    }

    /// The first field's addresses; nil when the field is absent.
    private static func addresses(_ header: HeaderSection, _ name: String) -> [EnvelopeAddress]? {
        header.first(named: name).map(EnvelopeAddress.parseList)
    }

    // address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    // env-from = "(" 1*address ")" / nil
    private static func writeAddressList(_ list: [EnvelopeAddress]?, to writer: inout IMAPWriter) {
        guard let list, !list.isEmpty else {
            writer.append("NIL")
            return
        }
        writer.append("(")
        for address in list {
            writer.append("(")
            writer.appendNString(address.name)
            writer.append(" ")
            writer.appendNString(address.route)
            writer.append(" ")
            writer.appendNString(address.mailbox)
            writer.append(" ")
            writer.appendNString(address.host)
            writer.append(")")
        }
        writer.append(")")
    }
}

/// One element of an envelope address list (RFC 3501 §7.4.2): an address, or a group marker.
/// A group starts with (NIL NIL "name" NIL) and ends with (NIL NIL NIL NIL).
struct EnvelopeAddress: Hashable {
    var name: [UInt8]?
    var route: [UInt8]?
    var mailbox: [UInt8]?
    var host: [UInt8]?

    /// Placeholders where the header lacks a part (the same words Dovecot uses), so that a
    /// malformed address is not mistaken for a group marker, whose host is NIL.
    static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    static let missingDomain = Array("MISSING_DOMAIN".utf8)

    // address-list = (address *("," address)) / obs-addr-list ; address = mailbox / group
    // group = display-name ":" [group-list] ";" ; mailbox = name-addr / addr-spec   (RFC 5322 §3.4)
    static func parseList(_ value: [UInt8]) -> [EnvelopeAddress] {
        let tokens = RawHeaderToken.tokenize(value)
        var result: [EnvelopeAddress] = []
        var index = 0
        var inGroup = false
        while index < tokens.count {
            var phrase: [RawHeaderToken] = []
            // Collect up to a structural special.
            while index < tokens.count {
                if case .special(let byte) = tokens[index],
                    [UInt8(ascii: "<"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: ";")].contains(byte)
                {
                    break
                }
                phrase.append(tokens[index])
                index += 1
            }
            let terminator: UInt8? = {
                if index < tokens.count, case .special(let byte) = tokens[index] { return byte }
                return nil
            }()
            switch terminator {
            case UInt8(ascii: ":") where !inGroup:
                index += 1
                inGroup = true
                result.append(EnvelopeAddress(name: nil, route: nil, mailbox: phraseText(phrase) ?? [], host: nil))
            case UInt8(ascii: "<"):
                index += 1
                var inside: [RawHeaderToken] = []
                while index < tokens.count {
                    if case .special(UInt8(ascii: ">")) = tokens[index] { break }
                    inside.append(tokens[index])
                    index += 1
                }
                index += 1
                var address = addrSpec(angle: inside)
                address.name = phraseText(phrase)
                result.append(address)
            default:
                if let address = bareAddress(phrase) { result.append(address) }
                if terminator == UInt8(ascii: ";"), inGroup {
                    inGroup = false
                    result.append(EnvelopeAddress(name: nil, route: nil, mailbox: nil, host: nil))
                }
                index += 1
            }
        }
        if inGroup { result.append(EnvelopeAddress(name: nil, route: nil, mailbox: nil, host: nil)) }
        return result
    }

    /// The display name: words and quoted strings joined by single spaces, comments dropped.
    private static func phraseText(_ tokens: [RawHeaderToken]) -> [UInt8]? {
        var words: [[UInt8]] = []
        for token in tokens {
            switch token {
            case .word(let w), .quoted(let w), .domainLiteral(let w): words.append(w)
            case .special(let byte): words.append([byte])
            case .comment: break
            }
        }
        guard !words.isEmpty else { return nil }
        return Array(words.joined(separator: [IMAPGrammar.space]))
    }

    // angle-addr = "<" [obs-route] addr-spec ">" ; obs-route = obs-domain-list ":"
    private static func addrSpec(angle tokens: [RawHeaderToken]) -> EnvelopeAddress {
        var tokens = tokens
        var route: [UInt8]? = nil
        if let colon = tokens.firstIndex(of: .special(UInt8(ascii: ":"))), tokens.first == .special(UInt8(ascii: "@")) {
            route = concatenated(tokens[..<colon])
            tokens.removeSubrange(...colon)
        }
        var address = split(tokens[...])
        address.route = route
        return address
    }

    /// An addr-spec outside angle brackets; a trailing comment is taken as the name, as old
    /// mailers wrote "user@host (Real Name)".
    private static func bareAddress(_ tokens: [RawHeaderToken]) -> EnvelopeAddress? {
        var comment: [UInt8]? = nil
        var content: [RawHeaderToken] = []
        for token in tokens {
            if case .comment(let text) = token {
                comment = text
            } else {
                content.append(token)
            }
        }
        guard !content.isEmpty else { return nil }
        var address = split(content[...])
        address.name = comment
        return address
    }

    /// local-part "@" domain, from the last "@".
    private static func split(_ tokens: ArraySlice<RawHeaderToken>) -> EnvelopeAddress {
        let content = tokens.filter { if case .comment = $0 { return false } else { return true } }
        guard let at = content.lastIndex(of: .special(UInt8(ascii: "@"))) else {
            let local = concatenated(content[...])
            return EnvelopeAddress(
                name: nil, route: nil, mailbox: local.isEmpty ? missingMailbox : local, host: missingDomain)
        }
        let local = concatenated(content[..<at])
        let domain = concatenated(content[(at + 1)...])
        return EnvelopeAddress(
            name: nil, route: nil, mailbox: local.isEmpty ? missingMailbox : local,
            host: domain.isEmpty ? missingDomain : domain)
    }

    private static func concatenated(_ tokens: ArraySlice<RawHeaderToken>) -> [UInt8] {
        var out: [UInt8] = []
        for token in tokens {
            switch token {
            case .word(let w), .quoted(let w), .domainLiteral(let w): out += w
            case .special(let byte): out.append(byte)
            case .comment: break
            }
        }
        return out
    }
}
