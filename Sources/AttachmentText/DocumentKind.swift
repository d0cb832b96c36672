/// The formats Tresor reads, told from the media type, the file name's extension and the first
/// bytes (mail clients often send documents as application/octet-stream).
public enum DocumentKind: String, Sendable, Hashable {
    case pdf, wordprocessing, spreadsheet, presentation, openDocument, rtf, zip, text, html
    /// Nothing Tresor reads.
    case other

    public init(mediaType: String, fileName: String?, leadingBytes bytes: some Collection<UInt8>) {
        let type = mediaType.lowercased()
        let name = (fileName ?? "").lowercased()
        let ext = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!) : ""
        let head = Array(bytes.prefix(8))
        let isZip = head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06])
        switch true {
        case head.starts(with: Array("%PDF-".utf8)), type == "application/pdf", ext == "pdf":
            self = .pdf
        case head.starts(with: Array("{\\rtf".utf8)), type == "application/rtf", type == "text/rtf", ext == "rtf":
            self = .rtf
        case type.contains("wordprocessingml"), ["docx", "docm", "dotx", "dotm"].contains(ext):
            self = .wordprocessing
        case type.contains("spreadsheetml"), ["xlsx", "xlsm", "xltx", "xltm"].contains(ext):
            self = .spreadsheet
        case type.contains("presentationml"), ["pptx", "pptm", "potx", "ppsx"].contains(ext):
            self = .presentation
        case type.hasPrefix("application/vnd.oasis.opendocument."),
             ["odt", "ods", "odp", "ott", "ots", "otp", "odg"].contains(ext):
            self = .openDocument
        case ["application/zip", "application/x-zip-compressed", "application/x-zip"].contains(type), ext == "zip":
            self = .zip
        case isZip:
            // A ZIP under another name: its members tell (`DocumentKind.inZip`).
            self = .zip
        case type == "text/html", ["htm", "html"].contains(ext):
            self = .html
        case type.hasPrefix("text/"), ["txt", "text", "csv", "tsv", "md", "log", "xml", "json", "ics", "vcf"].contains(ext):
            self = .text
        default:
            self = .other
        }
    }

    /// What a ZIP container is, by its members: an Office Open XML package names its main part
    /// (ECMA-376 Part 2), an OpenDocument package starts with a `mimetype` member (ODF 1.2 Part 3 §3.3).
    static func inZip(_ zip: ZipContainer) -> DocumentKind {
        if zip.member("word/document.xml") != nil { return .wordprocessing }
        if zip.member("xl/workbook.xml") != nil { return .spreadsheet }
        if zip.member("ppt/presentation.xml") != nil { return .presentation }
        if zip.member("content.xml") != nil, zip.member("mimetype") != nil { return .openDocument }
        return .zip
    }
}
