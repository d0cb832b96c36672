/// Text of Office Open XML documents (ECMA-376 Part 1; ISO/IEC 29500): the parts that hold what a
/// reader sees, each through the markup pass.
enum OfficeOpenXMLText {
    /// WordprocessingML (§17): the body, headers and footers, footnotes, endnotes and comments.
    /// Text runs are `w:t`, and `w:delText` (deleted text of tracked changes, still in the file and
    /// readable by anyone who opens it); `w:p` ends a paragraph, `w:br`/`w:cr` break lines,
    /// `w:tab` separates. Field codes (`w:instrText`) are no text.
    static func word(_ zip: ZipContainer, into sink: inout TextSink) throws(ExtractionStop) {
        let rules = MarkupTextRules(textElements: ["t", "delText"], lineBreaks: ["p", "br", "cr", "tr"],
                                    separators: ["tab", "tc"])
        let parts = zip.members { path in
            guard path.hasPrefix("word/"), path.hasSuffix(".xml"), !path.contains("/_rels/") else { return false }
            let name = path.dropFirst("word/".count)
            return name == "document.xml" || name.hasPrefix("header") || name.hasPrefix("footer")
                || name == "footnotes.xml" || name == "endnotes.xml" || name == "comments.xml"
        }
        guard !parts.isEmpty else { throw ExtractionStop(reason: .broken) }
        // The body first, then headers, footers and notes in name order.
        let ordered = parts.filter { $0.path == "word/document.xml" } + parts.filter { $0.path != "word/document.xml" }
        for part in ordered {
            try collect(zip.read(part), rules, into: &sink, zip: zip)
            sink.endLine()
        }
    }

    /// SpreadsheetML (§18): sheet names, the shared strings table (§18.4), and each sheet's cells:
    /// values (`c/v`: numbers, booleans, formula results) and inline strings (`c/is/t`); a cell of
    /// type "s" holds only an index into the shared strings, which are taken whole.
    static func spreadsheet(_ zip: ZipContainer, into sink: inout TextSink) throws(ExtractionStop) {
        guard zip.member("xl/workbook.xml") != nil else { throw ExtractionStop(reason: .broken) }
        if let workbook = zip.member("xl/workbook.xml") {
            try scan(zip.read(workbook), zip: zip) { event in
                if case .open("sheet", let attributes, _) = event, let name = attributes["name"] {
                    sink.append(name)
                    sink.endLine()
                }
            }
        }
        if let strings = zip.member("xl/sharedStrings.xml") {
            let rules = MarkupTextRules(textElements: ["t"], lineBreaks: ["si"])
            try collect(zip.read(strings), rules, into: &sink, zip: zip)
        }
        let sheets = zip.members { $0.hasPrefix("xl/worksheets/") && $0.hasSuffix(".xml") && !$0.contains("/_rels/") }
        for sheet in sheets {
            var cellType: String?
            var inValue = false, inInline = false
            try scan(zip.read(sheet), zip: zip) { event in
                switch event {
                case .open("c", let attributes, _): cellType = attributes["t"]
                case .open("v", _, false): inValue = cellType != "s"
                case .open("t", _, false): inInline = true
                case .close("v"): inValue = false
                case .close("t"): inInline = false
                case .close("c"): sink.append("\t")
                case .close("row"): sink.endLine()
                case .text(let text) where inValue || inInline: sink.append(text)
                default: break
                }
            }
            sink.endLine()
        }
    }

    /// PresentationML (§19): every slide, then every slide's notes; DrawingML text runs are `a:t`
    /// and `a:p` ends a paragraph.
    static func presentation(_ zip: ZipContainer, into sink: inout TextSink) throws(ExtractionStop) {
        let rules = MarkupTextRules(textElements: ["t"], lineBreaks: ["p", "br"])
        let slides = zip.members { $0.hasPrefix("ppt/slides/slide") && $0.hasSuffix(".xml") }
        let notes = zip.members { $0.hasPrefix("ppt/notesSlides/notesSlide") && $0.hasSuffix(".xml") }
        guard zip.member("ppt/presentation.xml") != nil || !slides.isEmpty else { throw ExtractionStop(reason: .broken) }
        for part in slides + notes {
            try collect(zip.read(part), rules, into: &sink, zip: zip)
            sink.endLine()
        }
    }

    static func collect(_ xml: [UInt8], _ rules: MarkupTextRules, into sink: inout TextSink, zip: ZipContainer)
        throws(ExtractionStop)
    {
        do {
            try rules.collect(xml, into: &sink, deadline: zip.deadline)
        } catch let stop as ExtractionStop {
            throw stop
        } catch {
            throw ExtractionStop(reason: .broken)
        }
    }

    static func scan(_ xml: [UInt8], zip: ZipContainer, _ handle: (MarkupScanner.Event) -> Void) throws(ExtractionStop) {
        do {
            try MarkupScanner.scan(xml, deadline: zip.deadline) { handle($0) }
        } catch let stop as ExtractionStop {
            throw stop
        } catch {
            throw ExtractionStop(reason: .broken)
        }
    }
}
