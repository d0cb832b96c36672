import MailMessage

/// The octets FETCH BODY[section]<partial> returns (RFC 3501 §6.4.5, RFC 9051 §6.4.5), taken
/// from the raw message by the offsets the MIME parser kept.
///
/// Part numbering (RFC 3501 §6.4.5): the parts of a multipart are 1, 2, …; a message that is
/// not multipart has one part, 1, its body. The parts of a message/rfc822 part N are N.1, N.2,
/// … (N.1 being the body when the encapsulated message is not multipart), and HEADER, TEXT and
/// HEADER.FIELDS apply to the message itself (no part number) or to a message/rfc822 part.
public enum IMAPBodySection {
    /// The section's octets, or nil when the section does not exist in this message (the
    /// response then carries NIL, or an empty string for HEADER/TEXT of a non-message part, as
    /// the RFC's grammar leaves it to the server).
    public static func extract(_ section: IMAPSection, from message: Message) -> [UInt8]? {
        let raw = message.raw
        if section.part.isEmpty {
            let root = message.root
            switch section.kind {
            case .complete: return Array(raw[clamped(root.headerRange.lowerBound..<raw.count, raw)])
            case .header: return Array(raw[clamped(root.headerRange, raw)])
            case .text: return Array(raw[clamped(root.bodyRange, raw)])
            case .headerFields(let names): return fields(of: root.header, in: raw, names: names, keep: true)
            case .headerFieldsNot(let names): return fields(of: root.header, in: raw, names: names, keep: false)
            case .mime: return nil
            }
        }
        guard let part = resolve(section.part, in: message.root) else { return nil }
        switch section.kind {
        case .complete:
            return Array(raw[clamped(part.bodyRange, raw)])
        case .mime:
            return Array(raw[clamped(part.headerRange, raw)])
        case .header, .text, .headerFields, .headerFieldsNot:
            guard part.isEncapsulatedMessage, let inner = part.children.first else { return [] }
            let header = part.encapsulatedHeader ?? inner.header
            switch section.kind {
            case .header: return Array(raw[clamped(header.range.lowerBound..<inner.bodyRange.lowerBound, raw)])
            case .text: return Array(raw[clamped(inner.bodyRange.lowerBound..<part.bodyRange.upperBound, raw)])
            case .headerFields(let names): return fields(of: header, in: raw, names: names, keep: true)
            case .headerFieldsNot(let names): return fields(of: header, in: raw, names: names, keep: false)
            case .complete, .mime: return nil
            }
        }
    }

    /// `<offset.length>`: the octets from `offset`, at most `length` of them; empty when the
    /// offset is past the end (RFC 3501 §6.4.5).
    public static func apply(_ partial: IMAPPartial?, to data: [UInt8]) -> [UInt8] {
        guard let partial else { return data }
        let start = min(Int(partial.offset), data.count)
        let end = min(start + Int(partial.length), data.count)
        return Array(data[start..<end])
    }

    /// BINARY[part] (RFC 3516 §4.2): the part's body with its transfer encoding undone; nil
    /// when the part does not exist or is a multipart, or its encoding is unknown (the session
    /// answers NO [UNKNOWN-CTE]).
    public static func binary(part path: [Int], from message: Message) -> [UInt8]? {
        if path.isEmpty { return message.raw }
        guard let part = resolve(path, in: message.root), !part.isMultipart else { return nil }
        guard ["7bit", "8bit", "binary", "base64", "quoted-printable"].contains(part.transferEncoding) else { return nil }
        return part.decodedBody(in: message.raw)
    }

    /// The entity a part path names, or nil.
    static func resolve(_ path: [Int], in root: MIMEPart) -> MIMEPart? {
        // `container` is the entity whose parts the next number counts: a message (the root,
        // or an encapsulated one) or a multipart.
        var container = root
        var insideMessage = true
        var selected: MIMEPart? = nil
        for (position, number) in path.enumerated() {
            if position > 0 {
                guard let current = selected else { return nil }
                if current.isEncapsulatedMessage, let inner = current.children.first {
                    container = inner
                    insideMessage = true
                } else if current.isMultipart {
                    container = current
                    insideMessage = false
                } else {
                    return nil
                }
            }
            if container.isMultipart {
                guard number >= 1, number <= container.children.count else { return nil }
                selected = container.children[number - 1]
            } else if insideMessage, number == 1 {
                selected = container
            } else {
                return nil
            }
        }
        return selected
    }

    /// HEADER.FIELDS / HEADER.FIELDS.NOT: the matching fields as written, in message order,
    /// then the empty line that ends a header (RFC 3501 §6.4.5).
    static func fields(of header: HeaderSection, in raw: [UInt8], names: [String], keep: Bool) -> [UInt8] {
        let wanted = Set(names.map { $0.uppercased() })
        let lineEnd: [UInt8] = usesCRLF(raw, header) ? [IMAPGrammar.cr, IMAPGrammar.lf] : [IMAPGrammar.lf]
        var out: [UInt8] = []
        for field in header.fields where wanted.contains(field.name.uppercased()) == keep {
            let bytes = raw[clamped(field.range, raw)]
            out += bytes
            if bytes.last != IMAPGrammar.lf { out += lineEnd }
        }
        out += lineEnd
        return out
    }

    private static func usesCRLF(_ raw: [UInt8], _ header: HeaderSection) -> Bool {
        let range = clamped(header.range, raw)
        guard let lf = raw[range].firstIndex(of: IMAPGrammar.lf) else { return true }
        return lf > range.lowerBound && raw[lf - 1] == IMAPGrammar.cr
    }

    private static func clamped(_ range: Range<Int>, _ raw: [UInt8]) -> Range<Int> {
        let lower = max(0, min(range.lowerBound, raw.count))
        return lower..<max(lower, min(range.upperBound, raw.count))
    }
}
