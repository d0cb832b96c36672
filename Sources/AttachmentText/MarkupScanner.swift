/// A tolerant pass over the XML of Office Open XML (ECMA-376) and OpenDocument (OASIS ODF 1.2)
/// files: start tags with their attributes, end tags and character data, entities decoded. It is no
/// validating parser — unbalanced or broken markup yields whatever text it can — and it links no XML
/// library: Foundation's XMLParser on Linux brings libxml2, which the package does not link. What
/// these formats need is small: no DTDs, no namespaces beyond the prefix (dropped: `w:t` is `t`).
struct MarkupScanner {
    enum Event {
        /// A start tag; `selfClosing` for `<x/>` (no end tag follows).
        case open(name: String, attributes: [String: String], selfClosing: Bool)
        case close(name: String)
        case text(String)
    }

    /// Calls `handle` for each event, in document order. XML 1.0 §2.4 (character data), §2.5
    /// (comments), §2.6 (processing instructions), §2.7 (CDATA sections), §3.1 (tags), §4.1
    /// (character and entity references).
    static func scan(_ bytes: [UInt8], deadline: Deadline?, _ handle: (Event) throws -> Void) throws {
        var index = 0
        let count = bytes.count
        var steps = 0
        while index < count {
            steps += 1
            if steps & 0x3FF == 0 { try deadline?.check() }
            if bytes[index] != UInt8(ascii: "<") {
                var end = index
                while end < count, bytes[end] != UInt8(ascii: "<") { end += 1 }
                try handle(.text(decodeEntities(bytes[index..<end])))
                index = end
                continue
            }
            if startsWith(bytes, at: index, "<!--") {
                index = find(bytes, "-->", from: index + 4).map { $0 + 3 } ?? count
            } else if startsWith(bytes, at: index, "<![CDATA[") {
                let end = find(bytes, "]]>", from: index + 9) ?? count
                try handle(.text(String(decoding: bytes[(index + 9)..<end], as: UTF8.self)))
                index = min(count, end + 3)
            } else if startsWith(bytes, at: index, "<?") {
                index = find(bytes, "?>", from: index + 2).map { $0 + 2 } ?? count
            } else if startsWith(bytes, at: index, "<!") {
                index = find(bytes, ">", from: index + 2).map { $0 + 1 } ?? count
            } else {
                index = try tag(bytes, from: index, handle)
            }
        }
    }

    /// One start or end tag from its `<`; returns the index after its `>`. Attribute values may
    /// hold `>`, so quotes are followed.
    private static func tag(_ bytes: [UInt8], from start: Int, _ handle: (Event) throws -> Void) throws -> Int {
        var index = start + 1
        let count = bytes.count
        let closing = index < count && bytes[index] == UInt8(ascii: "/")
        if closing { index += 1 }
        let nameStart = index
        while index < count, !isNameEnd(bytes[index]) { index += 1 }
        let name = localName(bytes[nameStart..<index])
        var attributes: [String: String] = [:]
        var selfClosing = false
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") { index += 1; break }
            if byte == UInt8(ascii: "/") { selfClosing = true; index += 1; continue }
            if isSpace(byte) { index += 1; continue }
            // name = "value" | name = 'value'
            let attributeStart = index
            while index < count, !isNameEnd(bytes[index]), bytes[index] != UInt8(ascii: "=") { index += 1 }
            let attribute = localName(bytes[attributeStart..<index])
            while index < count, isSpace(bytes[index]) { index += 1 }
            guard index < count, bytes[index] == UInt8(ascii: "=") else {
                if index == attributeStart { index += 1 }
                continue
            }
            index += 1
            while index < count, isSpace(bytes[index]) { index += 1 }
            guard index < count else { break }
            let quote = bytes[index]
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                let valueStart = index + 1
                var end = valueStart
                while end < count, bytes[end] != quote { end += 1 }
                attributes[attribute] = decodeEntities(bytes[valueStart..<end])
                index = min(count, end + 1)
            } else {
                let valueStart = index
                while index < count, !isNameEnd(bytes[index]) { index += 1 }
                attributes[attribute] = decodeEntities(bytes[valueStart..<index])
            }
        }
        if closing {
            try handle(.close(name: name))
        } else if !name.isEmpty {
            try handle(.open(name: name, attributes: attributes, selfClosing: selfClosing))
        }
        return index
    }

    /// The name without its namespace prefix: `w:t` → `t`.
    private static func localName(_ bytes: ArraySlice<UInt8>) -> String {
        let local = bytes.lastIndex(of: UInt8(ascii: ":")).map { bytes[($0 + 1)...] } ?? bytes
        return String(decoding: local, as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isNameEnd(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/")
    }

    private static func startsWith(_ bytes: [UInt8], at index: Int, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        return prefix.withUTF8Buffer { prefix in
            for offset in 0..<length where bytes[index + offset] != prefix[offset] { return false }
            return true
        }
    }

    private static func find(_ bytes: [UInt8], _ needle: StaticString, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        var index = start
        while index < bytes.count {
            if startsWith(bytes, at: index, needle) { return index }
            index += 1
        }
        return nil
    }

    /// Character data with the five predefined entities and character references decoded
    /// (XML 1.0 §4.1, §4.6); an unknown or malformed reference stays as written.
    static func decodeEntities(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        let text = String(decoding: bytes, as: UTF8.self)
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let after = rest[rest.index(after: ampersand)...]
            guard let semicolon = after.prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = after
                continue
            }
            let reference = after[..<semicolon]
            if let decoded = decodeReference(reference) {
                result += decoded
            } else {
                result += "&" + reference + ";"
            }
            rest = after[after.index(after: semicolon)...]
        }
        result += rest
        return result
    }

    private static func decodeReference(_ reference: Substring) -> String? {
        switch reference {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard reference.hasPrefix("#") else { return nil }
            let digits = reference.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }
}
