/// Gathers extracted text up to a byte limit; past it, further text is dropped.
struct TextSink {
    let limit: Int
    private(set) var text = ""
    private var size = 0

    init(limit: Int) { self.limit = limit }

    var isFull: Bool { size >= limit }

    mutating func append(_ piece: String) {
        guard !piece.isEmpty, !isFull else { return }
        let bytes = piece.utf8.count
        if size + bytes <= limit {
            text += piece
            size += bytes
            return
        }
        // Cut at a Unicode scalar boundary.
        var kept = String.UnicodeScalarView()
        var room = limit - size
        for scalar in piece.unicodeScalars {
            let length = String(scalar).utf8.count
            guard length <= room else { break }
            kept.append(scalar)
            room -= length
        }
        text += String(kept)
        size = limit
    }

    /// A line break, unless the text already ends with one (or is empty).
    mutating func endLine() {
        guard let last = text.last, last != "\n" else { return }
        append("\n")
    }
}

/// How character data of one XML file becomes text: which elements' data is text, which end a line
/// or stand for a tab or space.
struct MarkupTextRules {
    /// Character data counts only inside one of these elements (nil: anywhere).
    var textElements: Set<String>?
    /// Text is taken only while inside one of these (nil: the whole file).
    var within: Set<String>?
    /// Elements whose end (or whose empty form) ends a line.
    var lineBreaks: Set<String> = []
    /// Elements standing for a tab or a space.
    var separators: Set<String> = []
    /// Elements whose `name` attribute is text a reader sees (a spreadsheet's sheet names).
    var namedElements: Set<String> = []

    /// Appends the text of `xml` to `sink` by these rules.
    func collect(_ xml: [UInt8], into sink: inout TextSink, deadline: Deadline?) throws {
        var textDepth = 0
        var withinDepth = within == nil ? 1 : 0
        do {
        try MarkupScanner.scan(xml, deadline: deadline) { event in
            switch event {
            case .open(let name, let attributes, let selfClosing):
                if withinDepth > 0, namedElements.contains(name), let title = attributes["name"] {
                    sink.append(title)
                    sink.endLine()
                }
                if selfClosing {
                    if withinDepth > 0 {
                        if lineBreaks.contains(name) { sink.endLine() }
                        if separators.contains(name) { sink.append(" ") }
                    }
                    return
                }
                if within?.contains(name) == true { withinDepth += 1 }
                if textElements?.contains(name) == true { textDepth += 1 }
            case .close(let name):
                if withinDepth > 0, lineBreaks.contains(name) { sink.endLine() }
                if withinDepth > 0, separators.contains(name) { sink.append(" ") }
                if within?.contains(name) == true { withinDepth = max(0, withinDepth - 1) }
                if textElements?.contains(name) == true { textDepth = max(0, textDepth - 1) }
            case .text(let text):
                guard withinDepth > 0, textElements == nil || textDepth > 0 else { return }
                // Indentation between elements of pretty-printed XML is no text.
                if textElements == nil, text.allSatisfy(\.isWhitespace) { return }
                sink.append(text)
            }
            if sink.isFull { throw TextFull() }
        }
        } catch is TextFull {
            return
        }
    }
}

/// Thrown out of a scan once the sink is full: the rest would be dropped anyway.
struct TextFull: Error {}
