/// Text of OpenDocument files (OASIS ODF 1.2 Part 1; odt, ods, odp and their templates): all
/// character data of `content.xml` (body text, tables, spreadsheet cells, slides, speaker notes,
/// annotations; sheet names), and the headers and footers of the master pages in `styles.xml` (§16.9).
/// `text:s` and `text:tab` separate, `text:p`, `text:h` and `text:line-break` end lines.
enum OpenDocumentText {
    static func document(_ zip: ZipContainer, into sink: inout TextSink) throws(ExtractionStop) {
        guard let content = zip.member("content.xml") else { throw ExtractionStop(reason: .broken) }
        // Encrypted members are stored as such in META-INF/manifest.xml (§3.4, `manifest:encryption-data`);
        // their bytes are ciphertext, not XML.
        if let manifest = zip.member("META-INF/manifest.xml") {
            let text = String(decoding: try zip.read(manifest), as: UTF8.self)
            if text.contains("encryption-data") { throw ExtractionStop(reason: .encrypted) }
        }
        let lines: Set<String> = ["p", "h", "line-break", "table-row", "list-item", "frame"]
        let separators: Set<String> = ["s", "tab", "table-cell"]
        var body = MarkupTextRules(textElements: nil, within: ["body"], lineBreaks: lines, separators: separators)
        body.namedElements = ["table"]
        try OfficeOpenXMLText.collect(zip.read(content), body, into: &sink, zip: zip)
        sink.endLine()
        if let styles = zip.member("styles.xml") {
            let pages = MarkupTextRules(
                textElements: nil,
                within: ["header", "footer", "header-left", "footer-left", "header-first", "footer-first"],
                lineBreaks: lines, separators: separators)
            try OfficeOpenXMLText.collect(zip.read(styles), pages, into: &sink, zip: zip)
        }
    }
}
