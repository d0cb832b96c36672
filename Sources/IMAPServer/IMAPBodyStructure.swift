import MailMessage

/// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) of a parsed message.
///
/// Text comes from the raw header fields as written (type and subtype keep their case,
/// parameters their order; RFC 2047 and RFC 2231 encodings are not decoded, except that RFC 2231
/// continuations are joined, as Dovecot does). Sizes and line counts come from the MIME tree.
// body = "(" (body-type-1part / body-type-mpart) ")"
// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
// body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
public enum IMAPBodyStructure {
    /// BODYSTRUCTURE when `extensible`, BODY otherwise.
    public static func encode(_ message: Message, extensible: Bool, utf8Enabled: Bool = false) -> [UInt8] {
        var writer = IMAPWriter(utf8Enabled: utf8Enabled)
        write(message.root, extensible: extensible, to: &writer)
        return writer.bytes
    }

    static func write(_ part: MIMEPart, extensible: Bool, to writer: inout IMAPWriter) {
        let contentType = RawContentType(part)
        writer.append("(")
        if part.isMultipart {
            if part.children.isEmpty {
                // A multipart needs at least one body; an empty one is shown as an empty text part.
                writer.append("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0")
                writer.append(extensible ? " NIL NIL NIL NIL)" : ")")
            }
            for child in part.children { write(child, extensible: extensible, to: &writer) }
            writer.append(" ")
            writer.appendString(contentType.subtype)
            if extensible {
                // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
                writer.append(" ")
                writeParameters(contentType.parameters, defaultCharset: false, to: &writer)
                writeExtension(part, to: &writer)
            }
            writer.append(")")
            return
        }
        let isText = part.contentType.type == "text"
        let isMessage = part.isEncapsulatedMessage && part.contentType.subtype == "rfc822" && !part.children.isEmpty
        writer.appendString(contentType.type)
        writer.append(" ")
        writer.appendString(contentType.subtype)
        writer.append(" ")
        writeParameters(contentType.parameters, defaultCharset: isText, to: &writer)
        writer.append(" ")
        writer.appendNString(part.header.first(named: "Content-ID"))
        writer.append(" ")
        writer.appendNString(part.header.first(named: "Content-Description"))
        writer.append(" ")
        writer.appendString(firstToken(part.header.first(named: "Content-Transfer-Encoding")) ?? Array("7bit".utf8))
        writer.append(" \(part.bodyRange.count)")
        if isMessage {
            // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
            let inner = part.children[0]
            writer.append(" ")
            IMAPEnvelope.write(header: part.encapsulatedHeader ?? inner.header, to: &writer)
            writer.append(" ")
            write(inner, extensible: extensible, to: &writer)
            writer.append(" \(part.lineCount)")
        } else if isText {
            // body-type-text = media-text SP body-fields SP body-fld-lines
            writer.append(" \(part.lineCount)")
        }
        if extensible {
            // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
            writer.append(" ")
            writer.appendNString(part.header.first(named: "Content-MD5"))
            writeExtension(part, to: &writer)
        }
        writer.append(")")
    }

    /// SP body-fld-dsp SP body-fld-lang SP body-fld-loc
    private static func writeExtension(_ part: MIMEPart, to writer: inout IMAPWriter) {
        // body-fld-dsp = "(" string SP body-fld-param ")" / nil
        writer.append(" ")
        if let value = part.header.first(named: "Content-Disposition"),
            let disposition = RawParameterList(value: value, hasType: true), let kind = disposition.type
        {
            writer.append("(")
            writer.appendString(kind)
            writer.append(" ")
            writeParameters(disposition.parameters, defaultCharset: false, to: &writer)
            writer.append(")")
        } else {
            writer.append("NIL")
        }
        // body-fld-lang = nstring / "(" string *(SP string) ")"
        writer.append(" ")
        let languages = (part.header.first(named: "Content-Language") ?? []).split { byte in
            byte == UInt8(ascii: ",") || byte == IMAPGrammar.space || byte == 0x09
        }
        if languages.isEmpty {
            writer.append("NIL")
        } else {
            writer.append("(")
            for (i, language) in languages.enumerated() {
                if i > 0 { writer.append(" ") }
                writer.appendString(language)
            }
            writer.append(")")
        }
        // body-fld-loc = nstring
        writer.append(" ")
        writer.appendNString(part.header.first(named: "Content-Location"))
    }

    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    private static func writeParameters(
        _ parameters: [(name: [UInt8], value: [UInt8])], defaultCharset: Bool, to writer: inout IMAPWriter
    ) {
        let hasCharset = parameters.contains { IMAPGrammar.uppercased($0.name) == "CHARSET" }
        guard !parameters.isEmpty || defaultCharset else {
            writer.append("NIL")
            return
        }
        writer.append("(")
        for (i, parameter) in parameters.enumerated() {
            if i > 0 { writer.append(" ") }
            writer.appendString(parameter.name)
            writer.append(" ")
            writer.appendString(parameter.value)
        }
        if defaultCharset, !hasCharset {
            // RFC 2045 §5.2: text without a charset is us-ascii.
            writer.append(parameters.isEmpty ? "\"charset\" \"us-ascii\"" : " \"charset\" \"us-ascii\"")
        }
        writer.append(")")
    }

    private static func firstToken(_ value: [UInt8]?) -> [UInt8]? {
        guard let value else { return nil }
        let token = value.split { $0 == IMAPGrammar.space || $0 == 0x09 || $0 == UInt8(ascii: "(") }.first
        return token.map(Array.init)
    }
}

/// Content-Type as written, falling back to the parser's type where the header is missing or
/// unusable (RFC 2045 §5.2 defaults, message/rfc822 inside multipart/digest).
private struct RawContentType {
    var type: [UInt8]
    var subtype: [UInt8]
    var parameters: [(name: [UInt8], value: [UInt8])]

    init(_ part: MIMEPart) {
        type = Array(part.contentType.type.utf8)
        subtype = Array(part.contentType.subtype.utf8)
        parameters = []
        guard let value = part.header.first(named: "Content-Type"),
            let list = RawParameterList(value: value, hasType: true), let written = list.type
        else { return }
        let halves = written.split(separator: UInt8(ascii: "/"), maxSplits: 1)
        if halves.count == 2, IMAPGrammar.uppercased(halves[0]) == part.contentType.type.uppercased(),
            IMAPGrammar.uppercased(halves[1]) == part.contentType.subtype.uppercased()
        {
            type = Array(halves[0])
            subtype = Array(halves[1])
            parameters = list.parameters
        }
    }
}

/// `type *(";" attribute "=" value)` as written (RFC 2045 §5.1, RFC 2183 §2), parameters in
/// order, quoted values unquoted. RFC 2231 continuations (`name*0`, `name*1*`) are joined into
/// one parameter, named `name*` when any section was extended (`charset'lang'%XX`), after the
/// plain parameters.
struct RawParameterList {
    var type: [UInt8]?
    var parameters: [(name: [UInt8], value: [UInt8])]

    init?(value: [UInt8], hasType: Bool) {
        var segments = Self.splitSegments(value)
        guard !segments.isEmpty else { return nil }
        type = nil
        if hasType {
            let first = segments.removeFirst()
            let trimmed = Array(first.drop { Self.isSpace($0) }.reversed().drop { Self.isSpace($0) }.reversed())
            let withoutComment = trimmed.split(separator: UInt8(ascii: "("), maxSplits: 1, omittingEmptySubsequences: false)
            let typeText = Array(withoutComment[0].filter { !Self.isSpace($0) })
            type = typeText.isEmpty ? nil : typeText
        }
        var plain: [(name: [UInt8], value: [UInt8])] = []
        var sections: [(base: [UInt8], number: Int, extended: Bool, value: [UInt8])] = []
        for segment in segments {
            guard let equals = segment.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = Array(segment[..<equals].filter { !Self.isSpace($0) })
            guard !name.isEmpty else { continue }
            let value = Self.value(segment[(equals + 1)...])
            if let star = name.firstIndex(of: UInt8(ascii: "*")) {
                let base = Array(name[..<star])
                var rest = name[(star + 1)...]
                var extended = false
                if rest.last == UInt8(ascii: "*") {
                    extended = true
                    rest = rest.dropLast()
                }
                if rest.isEmpty {
                    sections.append((base, 0, true, value))  // name*=charset'lang'value
                } else if let number = IMAPGrammar.number(rest) {
                    sections.append((base, Int(number), extended, value))
                } else {
                    plain.append((name, value))
                }
            } else {
                plain.append((name, value))
            }
        }
        var bases: [[UInt8]] = []
        for section in sections where !bases.contains(where: { IMAPGrammar.uppercased($0) == IMAPGrammar.uppercased(section.base) }) {
            bases.append(section.base)
        }
        for base in bases {
            let parts = sections.filter { IMAPGrammar.uppercased($0.base) == IMAPGrammar.uppercased(base) }
                .sorted { $0.number < $1.number }
            let extended = parts.contains { $0.extended }
            plain.append((extended ? base + [UInt8(ascii: "*")] : base, Array(parts.map(\.value).joined())))
        }
        parameters = plain
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    /// Splits at ";" outside quoted strings and comments.
    private static func splitSegments(_ value: [UInt8]) -> [ArraySlice<UInt8>] {
        var segments: [ArraySlice<UInt8>] = []
        var start = 0
        var quoted = false
        var comment = 0
        var i = 0
        while i < value.count {
            let byte = value[i]
            if quoted {
                if byte == UInt8(ascii: "\\") { i += 1 } else if byte == UInt8(ascii: "\"") { quoted = false }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: "(") {
                comment += 1
            } else if byte == UInt8(ascii: ")"), comment > 0 {
                comment -= 1
            } else if byte == UInt8(ascii: ";"), comment == 0 {
                segments.append(value[start..<i])
                start = i + 1
            }
            i += 1
        }
        segments.append(value[min(start, value.count)...])
        return segments.filter { !$0.allSatisfy(isSpace) }
    }

    /// A token (up to white space or a comment) or a quoted string, unquoted.
    private static func value(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        let trimmed = bytes.drop { isSpace($0) }
        if trimmed.first == UInt8(ascii: "\"") {
            var out: [UInt8] = []
            var i = trimmed.index(after: trimmed.startIndex)
            while i < trimmed.endIndex, trimmed[i] != UInt8(ascii: "\"") {
                if trimmed[i] == UInt8(ascii: "\\"), trimmed.index(after: i) < trimmed.endIndex { i += 1 }
                out.append(trimmed[i])
                i += 1
            }
            return out
        }
        return Array(trimmed.prefix { !isSpace($0) && $0 != UInt8(ascii: "(") })
    }
}
