import MailMessage

/// The Content-* fields of one MIME part as BODYSTRUCTURE reports them (RFC 3501 §7.4.2,
/// RFC 9051 §7.5.2), read from the raw header the way Dovecot reads them, so that clients get
/// the same structure from both servers.
///
/// - Text is kept as written (case, RFC 2047 words); RFC 2231 continuations are joined.
/// - Each field counts once: the first occurrence wins, except that a Transfer-Encoding that
///   is not a single token, and a Disposition without parameters, leave room for a later one.
/// - A header that is not MIME (RFC 2045 §4: no MIME-Version, and no Content-Type either) has
///   no Content-* fields: its part is text/plain; charset=us-ascii, 7bit.
/// - A Content-Type that is not `type "/" subtype` followed by parameters or nothing keeps
///   what was readable (possibly empty) and no parameters.
struct BodyStructureFields {
    typealias Parameter = (name: [UInt8], value: [UInt8])

    /// nil when the part has no Content-Type: text/plain.
    var type: [UInt8]?
    var subtype: [UInt8] = []
    var typeParameters: [Parameter] = []
    var id: [UInt8]?
    var description: [UInt8]?
    var transferEncoding: [UInt8]?
    var md5: [UInt8]?
    var disposition: [UInt8]?
    var dispositionParameters: [Parameter] = []
    var languages: [[UInt8]] = []
    var location: [UInt8]?

    init(header: HeaderSection, in raw: [UInt8], inMultipart: Bool) {
        // RFC 2045 §4; a Content-Type alone is taken as MIME too, and every part of a multipart is.
        let isMIME = inMultipart || header.contains(named: "MIME-Version") || header.contains(named: "Content-Type")
        guard isMIME else { return }
        var sawDisposition = false
        for field in header.fields {
            let name = field.name.lowercased()
            guard name.hasPrefix("content-") else { continue }
            let value = RawHeaderValue.of(field, in: raw)
            switch name {
            case "content-type" where type == nil: readContentType(value)
            case "content-id" where id == nil: id = value
            case "content-description" where description == nil: description = value
            case "content-md5" where md5 == nil: md5 = value
            case "content-location" where location == nil: location = value
            case "content-transfer-encoding" where transferEncoding == nil: transferEncoding = Self.singleToken(value)
            case "content-language" where languages.isEmpty: languages = Self.languageTags(value)
            case "content-disposition" where !sawDisposition || dispositionParameters.isEmpty:
                var reader = StructuredHeaderReader(value)
                reader.skipWhitespaceAndComments()
                var token: [UInt8] = []
                guard reader.readToken(into: &token) != .failed else { continue }
                sawDisposition = true
                disposition = token
                dispositionParameters = MIMEParameterReader.read(&reader)
            default:
                continue
            }
        }
    }

    var isText: Bool { type.map { IMAPGrammar.uppercased($0) == "TEXT" } ?? true }

    // content := "Content-Type" ":" type "/" subtype *(";" parameter)     ; RFC 2045 §5.1
    private mutating func readContentType(_ value: [UInt8]) {
        var reader = StructuredHeaderReader(value)
        var text: [UInt8] = []
        let valid = Self.readTypeAndSubtype(&reader, into: &text)
        if let slash = text.firstIndex(of: UInt8(ascii: "/")) {
            type = Array(text[..<slash])
            subtype = Array(text[(slash + 1)...])
        } else {
            type = text
            subtype = []
        }
        if valid { typeParameters = MIMEParameterReader.read(&reader) }
    }

    /// Reads "type/subtype" into `text`; false (with whatever was readable in `text`) when the
    /// value does not have that form or is followed by anything but ";".
    private static func readTypeAndSubtype(_ reader: inout StructuredHeaderReader, into text: inout [UInt8]) -> Bool {
        guard reader.skipWhitespaceAndComments() == .more else { return false }
        guard reader.readToken(into: &text) == .more, !text.isEmpty else { return false }
        guard reader.current == UInt8(ascii: "/") else {
            text = []
            return false
        }
        reader.position += 1
        guard reader.skipWhitespaceAndComments() == .more else {
            text = []
            return false
        }
        text.append(UInt8(ascii: "/"))
        let length = text.count
        let outcome = reader.readToken(into: &text)
        guard outcome != .failed, text.count > length, reader.isAtEnd || reader.current == UInt8(ascii: ";") else {
            text = []
            return false
        }
        return true
    }

    // encoding := "Content-Transfer-Encoding" ":" mechanism               ; RFC 2045 §6.1
    private static func singleToken(_ value: [UInt8]) -> [UInt8]? {
        var reader = StructuredHeaderReader(value)
        reader.skipWhitespaceAndComments()
        var token: [UInt8] = []
        guard reader.readToken(into: &token) != .failed, reader.skipWhitespaceAndComments() == .atEnd,
            !token.isEmpty
        else { return nil }
        return token
    }

    // Content-Language = "Content-Language" ":" 1#Language-tag              ; RFC 3282 §2
    private static func languageTags(_ value: [UInt8]) -> [[UInt8]] {
        var reader = StructuredHeaderReader(value)
        reader.skipWhitespaceAndComments()
        var tags: [[UInt8]] = []
        while true {
            var tag: [UInt8] = []
            guard reader.readAtom(into: &tag) != .failed else { break }
            tags.append(tag)
            guard reader.current == UInt8(ascii: ",") else { break }
            reader.position += 1
            reader.skipWhitespaceAndComments()
        }
        return tags
    }
}

/// `*(";" parameter)` after a Content-Type or Content-Disposition value (RFC 2045 §5.1,
/// RFC 2183 §2), values unquoted, with RFC 2231 §3 continuations joined: `name*0`, `name*1`, …
/// become one `name` (or `name*` when any section is extended, its plain sections then
/// %-escaped and the value given an empty charset and language when the first is plain).
/// Plain parameters come first, in order; joined ones follow, sorted by name. Sections with a
/// gap in their numbers are listed one by one as written. A parameter that cannot be read is
/// skipped up to the next ";".
enum MIMEParameterReader {
    private struct Section {
        var name: [UInt8]
        var value: [UInt8]
        var number: Int
        var extended: Bool
    }

    static func read(_ reader: inout StructuredHeaderReader) -> [BodyStructureFields.Parameter] {
        var plain: [BodyStructureFields.Parameter] = []
        var sections: [Section] = []
        while !reader.isAtEnd {
            guard let (name, value) = readParameter(&reader) else {
                if reader.isAtEnd { break }
                reader.position += 1
                continue
            }
            guard let star = name.firstIndex(of: UInt8(ascii: "*")) else {
                plain.append((name, value))
                continue
            }
            var rest = name[(star + 1)...]
            var number = 0  // "name*=" is section 0 (RFC 2231 §4)
            if !rest.isEmpty {
                while let digit = rest.first, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
                    number = number &* 10 &+ Int(digit - UInt8(ascii: "0"))
                    rest = rest.dropFirst()
                }
            } else {
                rest = name[star...]
            }
            let extended = rest.first == UInt8(ascii: "*")
            if extended { rest = rest.dropFirst() }
            if rest.isEmpty {
                sections.append(Section(name: Array(name[..<star]), value: value, number: number, extended: extended))
            } else {
                plain.append((name, value))
            }
        }
        return plain + joined(sections)
    }

    // parameter := attribute "=" value ; value := token / quoted-string   ; RFC 2045 §5.1
    private static func readParameter(_ reader: inout StructuredHeaderReader) -> ([UInt8], [UInt8])? {
        guard reader.current == UInt8(ascii: ";") else { return nil }
        reader.position += 1
        guard reader.skipWhitespaceAndComments() == .more else { return nil }
        var name: [UInt8] = []
        guard reader.readToken(into: &name) == .more, reader.current == UInt8(ascii: "=") else { return nil }
        reader.position += 1
        var value: [UInt8] = []
        let beforeValue = reader.skipWhitespaceAndComments()
        guard beforeValue == .more else { return beforeValue == .atEnd ? (name, value) : nil }
        if reader.current == UInt8(ascii: "\"") {
            guard reader.readQuotedString(into: &value) != .failed else { return nil }
        } else if reader.current == UInt8(ascii: "=") {
            // An unquoted RFC 2047 word (name==?utf-8?b?…?=): taken up to ";" or white space.
            while let byte = reader.current, byte != UInt8(ascii: ";"), !IMAPWriter.isLineWhitespace(byte) {
                value.append(byte)
                reader.position += 1
            }
        } else {
            guard reader.readToken(into: &value) != .failed else { return nil }
        }
        return (name, value)
    }

    private static func joined(_ sections: [Section]) -> [BodyStructureFields.Parameter] {
        let sorted = sections.enumerated().sorted { a, b in
            if a.element.name != b.element.name { return a.element.name.lexicographicallyPrecedes(b.element.name) }
            if a.element.number != b.element.number { return a.element.number < b.element.number }
            return a.offset < b.offset
        }.map(\.element)
        var result: [BodyStructureFields.Parameter] = []
        var i = 0
        while i < sorted.count {
            let key = IMAPGrammar.uppercased(sorted[i].name)
            var end = i
            while end < sorted.count, IMAPGrammar.uppercased(sorted[end].name) == key { end += 1 }
            let group = sorted[i..<end]
            let complete = group.enumerated().allSatisfy { $0.offset == $0.element.number }
            let anyExtended = group.contains { $0.extended }
            if !complete {
                for section in group {
                    let name = section.name + Array("*\(section.number)".utf8) + (section.extended ? [UInt8(ascii: "*")] : [])
                    result.append((name, section.value))
                }
            } else {
                var value: [UInt8] = []
                if anyExtended, !sorted[i].extended { value += Array("''".utf8) }
                for section in group {
                    if anyExtended, !section.extended {
                        for byte in section.value {
                            if byte == UInt8(ascii: "%") { value += Array("%25".utf8) } else { value.append(byte) }
                        }
                    } else {
                        value += section.value
                    }
                }
                result.append((anyExtended ? sorted[i].name + [UInt8(ascii: "*")] : sorted[i].name, value))
            }
            i = end
        }
        return result
    }
}
