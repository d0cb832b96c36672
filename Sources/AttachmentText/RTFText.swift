import MailMessage

/// Text of RTF documents (Rich Text Format Specification 1.9.1): a small tokenizer over groups,
/// control words and text. Destinations that hold no readable text (font, colour and style tables,
/// document info, pictures, embedded objects, field instructions, and every `{\*\…}` destination
/// the reader does not know, §"Destinations") are skipped with their groups; `\'hh` is a byte in
/// the document's code page (`\ansicpgN`, Windows-1252 by default) and `\uN` a UTF-16 code unit
/// followed by `\ucN` fallback characters that are skipped.
struct RTFText {
    private let bytes: [UInt8]
    private var index = 0
    private var sink: TextSink
    private var pending: [UInt8] = []
    private var codePage = "windows-1252"
    private var highSurrogate: UInt16?
    /// Per group: whether its text is skipped, and how many fallback characters follow `\uN`.
    private var groups: [(skip: Bool, unicodeSkip: Int)] = [(false, 1)]
    /// Fallback characters of the last `\uN` still to be dropped.
    private var fallbackLeft = 0
    private let deadline: Deadline?

    private static let skippedDestinations: Set<String> = [
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "objdata", "fldinst", "listtable",
        "listoverridetable", "rsidtbl", "themedata", "colorschememapping", "datastore", "latentstyles",
        "generator", "xmlnstbl", "mmathPr", "filetbl", "revtbl", "bkmkstart", "bkmkend", "pgdsctbl",
        "nonshppict", "blipuid", "userprops", "wgrffmtfilter", "pnseclvl", "listtext", "template",
    ]

    init(_ bytes: [UInt8], limit: Int, deadline: Deadline?) {
        self.bytes = bytes
        self.sink = TextSink(limit: limit)
        self.deadline = deadline
    }

    static func extract(_ bytes: [UInt8], limit: Int, deadline: Deadline?) throws(ExtractionStop) -> String {
        guard bytes.starts(with: Array("{\\rtf".utf8)) else { throw ExtractionStop(reason: .broken) }
        var reader = RTFText(bytes, limit: limit, deadline: deadline)
        try reader.run()
        return reader.sink.text
    }

    private var skipping: Bool { groups.last?.skip ?? false }

    private mutating func run() throws(ExtractionStop) {
        var steps = 0
        while index < bytes.count, !sink.isFull {
            steps += 1
            if steps & 0xFFF == 0 { try deadline?.check() }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                flush()
                groups.append((skipping, groups.last?.unicodeSkip ?? 1))
                fallbackLeft = 0
                index += 1
                // `{\*\dest …}`: an ignorable destination, skipped unless known (none is, for text).
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "*") {
                    groups[groups.count - 1].skip = true
                    index += 2
                }
            case UInt8(ascii: "}"):
                flush()
                if groups.count > 1 { groups.removeLast() }
                fallbackLeft = 0
                index += 1
            case UInt8(ascii: "\\"):
                controlWord()
            case 0x0D, 0x0A:
                index += 1
            default:
                index += 1
                if fallbackLeft > 0 {
                    fallbackLeft -= 1
                } else if !skipping {
                    pending.append(byte)
                }
            }
        }
        flush()
    }

    private mutating func controlWord() {
        index += 1
        guard index < bytes.count else { return }
        let first = bytes[index]
        guard Self.isLetter(first) else {
            // A control symbol (§"Control symbols").
            index += 1
            switch first {
            case UInt8(ascii: "'"):
                let hex = bytes[min(index, bytes.count)..<min(index + 2, bytes.count)]
                index += hex.count
                if let value = UInt8(String(decoding: hex, as: UTF8.self), radix: 16) { emitByte(value) }
            case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"): emitByte(first)
            case UInt8(ascii: "~"): emit(" ")
            case UInt8(ascii: "_"): emit("-")
            case 0x0D, 0x0A: emit("\n")
            default: break  // \- optional hyphen, \: index subentry, \| formula
            }
            return
        }
        let start = index
        while index < bytes.count, Self.isLetter(bytes[index]) { index += 1 }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        var parameter: Int?
        let numberStart = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        while index < bytes.count, index - numberStart < 11, (0x30...0x39).contains(bytes[index]) { index += 1 }
        if index > numberStart { parameter = Int(String(decoding: bytes[numberStart..<index], as: UTF8.self)) }
        // One space delimits the control word and belongs to it.
        if index < bytes.count, bytes[index] == 0x20 { index += 1 }
        handle(word, parameter)
    }

    private mutating func handle(_ word: String, _ parameter: Int?) {
        if Self.skippedDestinations.contains(word) {
            groups[groups.count - 1].skip = true
            return
        }
        switch word {
        case "par", "line", "sect", "page", "row": emit("\n")
        case "tab", "cell": emit("\t")
        case "emdash": emit("\u{2014}")
        case "endash": emit("\u{2013}")
        case "bullet": emit("\u{2022}")
        case "lquote": emit("\u{2018}")
        case "rquote": emit("\u{2019}")
        case "ldblquote": emit("\u{201C}")
        case "rdblquote": emit("\u{201D}")
        case "ansicpg":
            if let parameter, parameter > 0 { codePage = "windows-\(parameter)" }
        case "uc":
            groups[groups.count - 1].unicodeSkip = max(0, parameter ?? 1)
        case "u":
            guard let parameter else { return }
            emitUnit(UInt16(truncatingIfNeeded: parameter < 0 ? parameter + 65536 : parameter))
            fallbackLeft = groups.last?.unicodeSkip ?? 1
        case "bin":
            // Binary data of the given length follows (§"Pictures"): never text.
            index = min(bytes.count, index + max(0, parameter ?? 0))
        default:
            break
        }
    }

    private mutating func emitByte(_ byte: UInt8) {
        if fallbackLeft > 0 {
            fallbackLeft -= 1
            return
        }
        if !skipping { pending.append(byte) }
    }

    private mutating func emit(_ text: String) {
        guard !skipping else { return }
        flush()
        sink.append(text)
    }

    /// A UTF-16 code unit of `\uN`; surrogate pairs come as two.
    private mutating func emitUnit(_ unit: UInt16) {
        guard !skipping else { return }
        flush()
        if UTF16.isLeadSurrogate(unit) {
            highSurrogate = unit
            return
        }
        var units = [unit]
        if let high = highSurrogate, UTF16.isTrailSurrogate(unit) { units = [high, unit] }
        highSurrogate = nil
        sink.append(String(decoding: units, as: UTF16.self))
    }

    private mutating func flush() {
        guard !pending.isEmpty else { return }
        sink.append(Charsets.decodeLossy(pending, charset: codePage))
        pending.removeAll(keepingCapacity: true)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
