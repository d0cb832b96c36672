import MailMessage

/// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) of a parsed message.
///
/// The fields come from the raw header (`BodyStructureFields`); sizes are the body's octets and
/// line counts its line ends (RFC 5322 §2.1: a line ends with CRLF, so a last line without one
/// is not counted). The answers are the ones Dovecot gives for the same bytes, byte for byte,
/// so that a client that cached a structure from one server finds it unchanged on the other.
// body = "(" (body-type-1part / body-type-mpart) ")"
// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
// body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
public enum IMAPBodyStructure {
    /// BODYSTRUCTURE when `extensible`, BODY otherwise.
    public static func encode(_ message: Message, extensible: Bool, utf8Enabled: Bool = false) -> [UInt8] {
        var writer = IMAPWriter(utf8Enabled: utf8Enabled)
        let root = message.root
        let fields = BodyStructureFields(header: root.header, in: message.raw, inMultipart: false)
        if !root.isMultipart, !root.isEncapsulatedMessage, fields.isPlainSevenBitText {
            writePlainSevenBitText(bodyRange: root.bodyRange, in: message.raw, extensible: extensible, to: &writer)
        } else {
            write(root, fields: fields, in: message.raw, extensible: extensible, depth: 0, inCopy: false,
                  to: &writer)
        }
        return writer.bytes
    }

    /// How deep the structure may nest, counted in entities from the root: the parser's own
    /// bound (`MIMELimits.nestingDepth`), so that a message the parser cut off is not parsed again
    /// below the cut, and the writer's recursion stays as shallow as the parse.
    static let nestingDepth = MIMELimits().nestingDepth

    /// The encapsulated message of a message/rfc822 part at `depth`, or nil when it is opaque.
    ///
    /// A part the parser already descended into has it as its one child. One whose body the
    /// parser left unparsed because of its transfer encoding (e.g. base64) is still shown as a
    /// message, read from the body as it stands, with only the nesting depth that is left; this
    /// copies the body, so it happens once on a path from the root (`inCopy`), keeping memory
    /// to twice the message. One the parser left unparsed because it nested too deep stays opaque.
    private static func encapsulated(_ part: MIMEPart, in raw: [UInt8], depth: Int, inCopy: Bool)
        -> (header: HeaderSection, root: MIMEPart, raw: [UInt8])?
    {
        if let inner = part.children.first {
            return (part.encapsulatedHeader ?? inner.header, inner, raw)
        }
        let remaining = nestingDepth - depth - 1
        guard remaining > 0, !inCopy, !part.hasIdentityEncoding else { return nil }
        var limits = MIMELimits()
        limits.nestingDepth = remaining
        let message = Message(parsing: Array(raw[part.bodyRange]), limits: limits)
        return (message.header, message.root, message.raw)
    }

    static func write(
        _ part: MIMEPart, fields: BodyStructureFields, in raw: [UInt8], extensible: Bool, depth: Int, inCopy: Bool,
        to writer: inout IMAPWriter
    ) {
        writer.append("(")
        if part.isMultipart {
            writeMultipart(part, fields: fields, in: raw, extensible: extensible, depth: depth, inCopy: inCopy,
                           to: &writer)
            writer.append(")")
            return
        }
        let isMessage = isEncapsulatedMessage(part)
        let isText = !isMessage && fields.isText
        if isMessage {
            writer.append("\"message\" \"rfc822\"")
        } else if let type = fields.type {
            writer.appendHeaderString(type)
            writer.append(" ")
            writer.appendHeaderString(fields.subtype)
        } else {
            writer.append("\"text\" \"plain\"")
        }
        writer.append(" ")
        writeParameters(fields.typeParameters, defaultCharset: isText, to: &writer)
        writer.append(" ")
        writer.appendUnfoldedString(fields.id)
        writer.append(" ")
        writer.appendUnfoldedString(fields.description)
        writer.append(" ")
        if let encoding = fields.transferEncoding {
            writer.appendHeaderString(encoding)
        } else {
            writer.append("\"7bit\"")
        }
        writer.append(" \(part.bodyRange.count)")
        if isMessage {
            // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
            writer.append(" ")
            if let inner = encapsulated(part, in: raw, depth: depth, inCopy: inCopy) {
                IMAPEnvelope.write(header: inner.header, in: inner.raw, to: &writer)
                writer.append(" ")
                let innerFields = BodyStructureFields(header: inner.root.header, in: inner.raw, inMultipart: false)
                write(inner.root, fields: innerFields, in: inner.raw, extensible: extensible, depth: depth + 1,
                      inCopy: inCopy || part.children.isEmpty, to: &writer)
            } else {
                // Nested past the bound: the grammar still needs an envelope and a body, so the
                // rest is shown as opaque content: an envelope of NILs and an empty text part
                // (what Dovecot writes when its parser stopped at its own limit).
                writer.append("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ")
                writeEmptyTextPart(extensible: extensible, to: &writer)
            }
            writer.append(" \(lineCount(part.bodyRange, in: raw))")
        } else if isText {
            // body-type-text = media-text SP body-fields SP body-fld-lines
            writer.append(" \(lineCount(part.bodyRange, in: raw))")
        }
        if extensible {
            // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
            writer.append(" ")
            writer.appendUnfoldedString(fields.md5)
            writeExtension(fields, to: &writer)
        }
        writer.append(")")
    }

    private static func writeMultipart(
        _ part: MIMEPart, fields: BodyStructureFields, in raw: [UInt8], extensible: Bool, depth: Int, inCopy: Bool,
        to writer: inout IMAPWriter
    ) {
        if part.children.isEmpty {
            // A multipart needs at least one body; an empty one (or one nested past the parser's
            // bound) is shown as an empty text part.
            writeEmptyTextPart(extensible: extensible, to: &writer)
        }
        for child in part.children {
            let childFields = BodyStructureFields(header: child.header, in: raw, inMultipart: true)
            write(child, fields: childFields, in: raw, extensible: extensible, depth: depth + 1, inCopy: inCopy,
                  to: &writer)
        }
        writer.append(" ")
        writer.appendHeaderString(fields.subtype)
        if extensible {
            // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
            writer.append(" ")
            writeParameters(fields.typeParameters, defaultCharset: false, to: &writer)
            writeExtension(fields, to: &writer)
        }
    }

    /// An empty text/plain body, where the grammar needs a body and the message has none to show.
    private static func writeEmptyTextPart(extensible: Bool, to writer: inout IMAPWriter) {
        writer.append("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0")
        writer.append(extensible ? " NIL NIL NIL NIL)" : ")")
    }

    /// message/rfc822 (RFC 2046 §5.2.1), also by default inside multipart/digest (§5.1.5).
    private static func isEncapsulatedMessage(_ part: MIMEPart) -> Bool {
        part.contentType.type == "message" && part.contentType.subtype == "rfc822"
    }

    /// A message that is text/plain in US-ASCII and 7bit with nothing else said about it is
    /// shown in its canonical form, as Dovecot caches it (type, subtype and charset in lower
    /// case, other parameters dropped).
    private static func writePlainSevenBitText(
        bodyRange: Range<Int>, in raw: [UInt8], extensible: Bool, to writer: inout IMAPWriter
    ) {
        writer.append("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" \(bodyRange.count)")
        writer.append(" \(lineCount(bodyRange, in: raw))")
        writer.append(extensible ? " NIL NIL NIL NIL)" : ")")
    }

    static func lineCount(_ range: Range<Int>, in raw: [UInt8]) -> Int {
        raw[range].reduce(0) { $1 == IMAPGrammar.lf ? $0 + 1 : $0 }
    }

    /// SP body-fld-dsp SP body-fld-lang SP body-fld-loc
    private static func writeExtension(_ fields: BodyStructureFields, to writer: inout IMAPWriter) {
        // body-fld-dsp = "(" string SP body-fld-param ")" / nil
        writer.append(" ")
        if let disposition = fields.disposition {
            writer.append("(")
            writer.appendHeaderString(disposition)
            writer.append(" ")
            writeParameters(fields.dispositionParameters, defaultCharset: false, to: &writer)
            writer.append(")")
        } else {
            writer.append("NIL")
        }
        // body-fld-lang = nstring / "(" string *(SP string) ")"
        writer.append(" ")
        if fields.languages.isEmpty {
            writer.append("NIL")
        } else {
            writer.append("(")
            for (i, language) in fields.languages.enumerated() {
                if i > 0 { writer.append(" ") }
                writer.appendHeaderString(language)
            }
            writer.append(")")
        }
        // body-fld-loc = nstring
        writer.append(" ")
        writer.appendUnfoldedString(fields.location)
    }

    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    private static func writeParameters(
        _ parameters: [BodyStructureFields.Parameter], defaultCharset: Bool, to writer: inout IMAPWriter
    ) {
        guard !parameters.isEmpty || defaultCharset else {
            writer.append("NIL")
            return
        }
        writer.append("(")
        for (i, parameter) in parameters.enumerated() {
            if i > 0 { writer.append(" ") }
            writer.appendHeaderString(parameter.name)
            writer.append(" ")
            writer.appendHeaderString(parameter.value)
        }
        if defaultCharset, !parameters.contains(where: { IMAPGrammar.uppercased($0.name) == "CHARSET" }) {
            // RFC 2045 §5.2: text without a charset is us-ascii.
            writer.append(parameters.isEmpty ? "\"charset\" \"us-ascii\"" : " \"charset\" \"us-ascii\"")
        }
        writer.append(")")
    }
}

extension BodyStructureFields {
    /// text/plain, charset us-ascii (or none) and no other parameter, 7bit (or none), and no
    /// other Content-* field.
    var isPlainSevenBitText: Bool {
        guard isText, type == nil || IMAPGrammar.uppercased(subtype) == "PLAIN" else { return false }
        if let first = typeParameters.first {
            guard typeParameters.count == 1, IMAPGrammar.uppercased(first.name) == "CHARSET",
                IMAPGrammar.uppercased(first.value) == "US-ASCII"
            else { return false }
        }
        if let encoding = transferEncoding, IMAPGrammar.uppercased(encoding) != "7BIT" { return false }
        return id == nil && description == nil && md5 == nil && disposition == nil && languages.isEmpty
            && location == nil
    }
}
