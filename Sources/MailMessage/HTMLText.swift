/// Turns HTML into plain text for the search index (not for display): markup is dropped,
/// script and style contents and comments are removed, character references are decoded
/// (HTML Living Standard §13.2.5.72–80 in spirit; a small table of named references), block
/// elements become line breaks, and white space is collapsed.
public enum HTMLText {
    public static func extract(_ html: String) -> String {
        let input = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2)
        let n = input.count
        var i = 0
        while i < n {
            let byte = input[i]
            if byte == UInt8(ascii: "<") {
                i = skipMarkup(input, from: i, into: &out)
            } else if byte == UInt8(ascii: "&") {
                i = decodeReference(input, from: i, into: &out)
            } else {
                out.append(byte)
                i += 1
            }
        }
        return collapseWhitespace(out)
    }

    /// Elements after which the text continues on a new line.
    static let blockElements: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td",
        "th", "title", "tr", "ul",
    ]

    /// Elements whose content is not text (raw text elements, HTML §13.1.2).
    static let rawTextElements: Set<String> = ["script", "style", "template", "noscript"]

    /// Handles the markup starting at `input[start] == "<"` and returns the index after it.
    static func skipMarkup(_ input: [UInt8], from start: Int, into out: inout [UInt8]) -> Int {
        let n = input.count
        if hasPrefix(input, at: start, "<!--") {
            return index(of: Array("-->".utf8), in: input, from: start + 4).map { $0 + 3 } ?? n
        }
        var i = start + 1
        var closing = false
        if i < n, input[i] == UInt8(ascii: "/") {
            closing = true
            i += 1
        }
        if i < n, input[i] == UInt8(ascii: "!") || input[i] == UInt8(ascii: "?") {
            // <!DOCTYPE …>, <?xml …?>: declarations carry no text.
            return (input[i...].firstIndex(of: UInt8(ascii: ">")) ?? n - 1) + 1
        }
        let nameStart = i
        while i < n, isNameByte(input[i]) { i += 1 }
        guard i > nameStart, isASCIILetter(input[nameStart]) else {
            out.append(UInt8(ascii: "<"))  // "a < b": not a tag
            return start + 1
        }
        let name = String(decoding: input[nameStart..<i].map { $0 | 0x20 }, as: UTF8.self)
        let tagEnd = tagEnd(input, from: i)
        if !closing, rawTextElements.contains(name) {
            let close = Array("</\(name)".utf8)
            guard let closeStart = indexIgnoringCase(of: close, in: input, from: tagEnd) else { return n }
            return (input[closeStart...].firstIndex(of: UInt8(ascii: ">")) ?? n - 1) + 1
        }
        if blockElements.contains(name) {
            out.append(0x0A)
        } else if name == "img" || name == "td" {
            out.append(0x20)
        }
        return tagEnd
    }

    /// Index after the ">" that ends a tag, skipping quoted attribute values.
    static func tagEnd(_ input: [UInt8], from start: Int) -> Int {
        var i = start
        var quote: UInt8?
        while i < input.count {
            let byte = input[i]
            if let q = quote {
                if byte == q { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return i + 1
            }
            i += 1
        }
        return input.count
    }

    /// Decodes the character reference at `input[start] == "&"`, or copies the "&".
    static func decodeReference(_ input: [UInt8], from start: Int, into out: inout [UInt8]) -> Int {
        let n = input.count
        var i = start + 1
        if i < n, input[i] == UInt8(ascii: "#") {
            i += 1
            var radix: UInt32 = 10
            if i < n, input[i] | 0x20 == UInt8(ascii: "x") {
                radix = 16
                i += 1
            }
            var value: UInt32 = 0
            let digitsStart = i
            while i < n, i - digitsStart < 8, let digit = digitValue(input[i], radix: radix) {
                value = value * radix + digit
                i += 1
            }
            guard i > digitsStart else {
                out.append(UInt8(ascii: "&"))
                return start + 1
            }
            if i < n, input[i] == UInt8(ascii: ";") { i += 1 }
            let scalar = Unicode.Scalar(value == 0 ? 0xFFFD : value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            return i
        }
        let nameStart = i
        while i < n, i - nameStart < 10, isASCIILetter(input[i]) || (input[i] >= 0x30 && input[i] <= 0x39) {
            i += 1
        }
        let name = String(decoding: input[nameStart..<i], as: UTF8.self)
        guard let replacement = namedReferences[name] else {
            out.append(UInt8(ascii: "&"))
            return start + 1
        }
        if i < n, input[i] == UInt8(ascii: ";") { i += 1 }
        out.append(contentsOf: Array(replacement.utf8))
        return i
    }

    /// The named references that occur in mail in practice (HTML §13.5 has over 2000).
    static let namedReferences: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "shy": "",
        "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "sbquo": "‚", "bdquo": "„",
        "bull": "•", "middot": "·", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§",
        "para": "¶", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷", "laquo": "«", "raquo": "»",
        "iexcl": "¡", "iquest": "¿", "ordf": "ª", "ordm": "º", "micro": "µ", "frac12": "½", "frac14": "¼",
        "frac34": "¾", "sup2": "²", "sup3": "³", "zwnj": "", "zwj": "", "ensp": " ", "emsp": " ", "thinsp": " ",
        "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "auml": "ä", "ouml": "ö", "uuml": "ü", "szlig": "ß",
        "Aacute": "Á", "Eacute": "É", "Iacute": "Í", "Oacute": "Ó", "Uacute": "Ú",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú",
        "Agrave": "À", "Egrave": "È", "Igrave": "Ì", "Ograve": "Ò", "Ugrave": "Ù",
        "agrave": "à", "egrave": "è", "igrave": "ì", "ograve": "ò", "ugrave": "ù",
        "Acirc": "Â", "Ecirc": "Ê", "Icirc": "Î", "Ocirc": "Ô", "Ucirc": "Û",
        "acirc": "â", "ecirc": "ê", "icirc": "î", "ocirc": "ô", "ucirc": "û",
        "Atilde": "Ã", "Ntilde": "Ñ", "Otilde": "Õ", "atilde": "ã", "ntilde": "ñ", "otilde": "õ",
        "Ccedil": "Ç", "ccedil": "ç", "Aring": "Å", "aring": "å", "AElig": "Æ", "aelig": "æ",
        "Oslash": "Ø", "oslash": "ø", "euml": "ë", "iuml": "ï", "yuml": "ÿ", "Euml": "Ë", "Iuml": "Ï",
    ]

    /// Collapses runs of spaces and tabs to one space, trims each line, and keeps at most one
    /// empty line between paragraphs.
    static func collapseWhitespace(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var newlines = 0
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0C:
                pendingSpace = !out.isEmpty && newlines == 0
            case 0x0A:
                pendingSpace = false
                if !out.isEmpty { newlines += 1 }
            default:
                if newlines > 0 {
                    out.append(0x0A)
                    if newlines > 1 { out.append(0x0A) }
                } else if pendingSpace {
                    out.append(0x20)
                }
                newlines = 0
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Byte helpers

    static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-")
    }

    static func digitValue(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46 where radix == 16: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66 where radix == 16: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    static func hasPrefix(_ input: [UInt8], at start: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return input.count - start >= p.count && input[start..<start + p.count].elementsEqual(p)
    }

    static func index(of needle: [UInt8], in input: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, input.count >= needle.count, start <= input.count - needle.count else { return nil }
        var i = start
        while i <= input.count - needle.count {
            if input[i] == needle[0], input[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func indexIgnoringCase(of needle: [UInt8], in input: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, input.count >= needle.count, start <= input.count - needle.count else { return nil }
        var i = start
        while i <= input.count - needle.count {
            if input[i] == needle[0], LineScan.equalsIgnoringASCIICase(input[i..<i + needle.count], needle) {
                return i
            }
            i += 1
        }
        return nil
    }
}
