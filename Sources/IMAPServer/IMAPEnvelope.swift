import MailMessage

/// The ENVELOPE of a message (RFC 3501 §7.4.2, RFC 9051 §7.5.2), built from its header and
/// encoded as the FETCH response carries it.
// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
//            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
//
/// Values are the header text as written: RFC 2047 encoded words stay encoded (clients decode
/// them). Folding is removed; Subject and display names are shown as text for people, with
/// runs of white space as one space (`IMAPWriter.appendDisplayText`).
/// - An absent field is NIL; Sender and Reply-To, when absent or holding no address, repeat
///   From (§7.4.2).
/// - A field that occurs more than once (RFC 5322 §3.6 allows one): the address fields list the
///   addresses of every occurrence, the others take the last occurrence — what Dovecot answers,
///   so that a client sees the same ENVELOPE from both servers.
public enum IMAPEnvelope {
    public static func encode(_ message: Message, utf8Enabled: Bool = false) -> [UInt8] {
        encode(header: message.header, in: message.raw, utf8Enabled: utf8Enabled)
    }

    /// The ENVELOPE of a header section whose field ranges point into `raw`.
    public static func encode(header: HeaderSection, in raw: [UInt8], utf8Enabled: Bool = false) -> [UInt8] {
        var writer = IMAPWriter(utf8Enabled: utf8Enabled)
        write(header: header, in: raw, to: &writer)
        return writer.bytes
    }

    static func write(header: HeaderSection, in raw: [UInt8], to writer: inout IMAPWriter) {
        func last(_ name: String) -> [UInt8]? {
            header.fields(named: name).last.map { RawHeaderValue.of($0, in: raw) }
        }
        func addresses(_ name: String) -> [EnvelopeAddress]? {
            let lists = header.fields(named: name).compactMap { EnvelopeAddress.parseList(RawHeaderValue.of($0, in: raw)) }
            return lists.isEmpty ? nil : Array(lists.joined())
        }
        let from = addresses("From")
        writer.append("(")
        writer.appendUnfoldedString(last("Date"))
        writer.append(" ")
        if let subject = last("Subject") {
            writer.appendDisplayText(subject)
        } else {
            writer.append("NIL")
        }
        for list in [from, addresses("Sender") ?? from, addresses("Reply-To") ?? from, addresses("To"),
                     addresses("Cc"), addresses("Bcc")] {
            writer.append(" ")
            writeAddressList(list, to: &writer)
        }
        writer.append(" ")
        writer.appendUnfoldedString(last("In-Reply-To"))
        writer.append(" ")
        writer.appendUnfoldedString(last("Message-ID"))
        writer.append(")")
    }

    // env-from = "(" 1*address ")" / nil
    private static func writeAddressList(_ list: [EnvelopeAddress]?, to writer: inout IMAPWriter) {
        guard let list, !list.isEmpty else {
            writer.append("NIL")
            return
        }
        writer.append("(")
        for address in list {
            writer.append("(")
            if let name = address.name {
                writer.appendDisplayText(name)
            } else {
                writer.append("NIL")
            }
            writer.append(" ")
            writer.appendHeaderString(address.route)
            writer.append(" ")
            writer.appendHeaderString(address.mailbox)
            writer.append(" ")
            writer.appendHeaderString(address.host)
            writer.append(")")
        }
        writer.append(")")
    }
}

/// A header field's value as written, the way ENVELOPE and BODYSTRUCTURE read it: from the
/// first non-blank byte after the colon to the end of the field, folding line breaks kept (the
/// writers remove them), trailing white space kept.
enum RawHeaderValue {
    static func of(_ field: HeaderField, in raw: [UInt8]) -> [UInt8] {
        var lower = field.valueRange.lowerBound
        let upper = min(field.valueRange.upperBound, raw.count)
        while lower < upper, raw[lower] == IMAPGrammar.space || raw[lower] == 0x09 { lower += 1 }
        return Array(raw[lower..<upper])
    }
}
