import MailMessage
import StoreModel

/// One attachment to read: its name and declared type, and its decoded bytes.
public struct AttachmentDocument: Sendable {
    public var fileName: String?
    public var mediaType: String
    public var bytes: [UInt8]

    public init(fileName: String?, mediaType: String, bytes: [UInt8]) {
        self.fileName = fileName
        self.mediaType = mediaType
        self.bytes = bytes
    }
}

/// Reads attachment documents within `ExtractionLimits`. In-process formats run on
/// `BlockingWork.cpu`; PDFs through `PDFTextTool` in a child process.
public struct AttachmentExtractor: Sendable {
    public var limits: ExtractionLimits
    public var pdf: PDFTextTool
    /// The clock of the in-process readers' deadline; injected so a test can run out of time.
    public var now: @Sendable () -> ContinuousClock.Instant

    public init(limits: ExtractionLimits = .standard, pdf: PDFTextTool = PDFTextTool(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limits = limits
        self.pdf = pdf
        self.now = now
    }

    /// The text of one attachment, or the reason there is none.
    public func extract(_ document: AttachmentDocument) async -> ExtractedText {
        guard document.bytes.count <= limits.maximumAttachmentBytes else { return .failed(.tooLarge) }
        let kind = DocumentKind(mediaType: document.mediaType, fileName: document.fileName,
                                leadingBytes: document.bytes.prefix(8))
        switch kind {
        case .pdf:
            return await pdf.extract(document.bytes, limits: limits)
        case .other:
            return .failed(.unsupportedType)
        case .zip:
            return await extractArchive(document.bytes)
        default:
            let reader = self
            return await BlockingWork.cpu.perform { reader.extractInProcess(document.bytes, kind: kind) }
        }
    }

    private func deadline() -> Deadline {
        Deadline(end: now().advanced(by: limits.timeLimit), now: now)
    }

    /// Blocking: the formats read in this process.
    func extractInProcess(_ bytes: [UInt8], kind: DocumentKind) -> ExtractedText {
        let deadline = deadline()
        var sink = TextSink(limit: limits.maximumTextBytes)
        do {
            switch kind {
            case .rtf:
                return .text(try RTFText.extract(bytes, limit: limits.maximumTextBytes, deadline: deadline))
            case .text:
                sink.append(Charsets.decodeLossy(bytes.prefix(limits.maximumTextBytes), charset: nil))
                return .text(sink.text)
            case .html:
                sink.append(HTMLText.extract(Charsets.decodeLossy(bytes.prefix(limits.maximumAttachmentBytes), charset: nil)))
                return .text(sink.text)
            case .wordprocessing, .spreadsheet, .presentation, .openDocument:
                // Encrypted Office files are no ZIP but an OLE compound file holding the encrypted
                // package ([MS-OFFCRYPTO] §2.3.4); legacy binary .doc/.xls/.ppt share that signature.
                if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                    return .failed(kind == .openDocument ? .broken : .encrypted)
                }
                let zip = try ZipContainer(bytes, limits: limits, deadline: deadline)
                try Self.read(zip, as: DocumentKind.inZip(zip) == .zip ? kind : DocumentKind.inZip(zip), into: &sink)
                return .text(sink.text)
            case .pdf, .zip, .other:
                return .failed(.unsupportedType)
            }
        } catch {
            return .failed(error.reason)
        }
    }

    static func read(_ zip: ZipContainer, as kind: DocumentKind, into sink: inout TextSink) throws(ExtractionStop) {
        switch kind {
        case .wordprocessing: try OfficeOpenXMLText.word(zip, into: &sink)
        case .spreadsheet: try OfficeOpenXMLText.spreadsheet(zip, into: &sink)
        case .presentation: try OfficeOpenXMLText.presentation(zip, into: &sink)
        case .openDocument: try OpenDocumentText.document(zip, into: &sink)
        default: throw ExtractionStop(reason: .broken)
        }
    }

    /// A `.zip` attachment (or an Office/OpenDocument file, told by its members): the members one
    /// level deep, each read by its own kind; a ZIP inside is not opened. The archive's text is its
    /// members' names and texts; it counts as extracted only when every member that holds a
    /// document was, otherwise it carries the first member's reason (so the gap is visible).
    func extractArchive(_ bytes: [UInt8]) async -> ExtractedText {
        let deadline = deadline()
        let limits = self.limits
        let opened: Result<(DocumentKind, [(name: String, bytes: [UInt8])]), ExtractionStop> =
            await BlockingWork.cpu.perform {
                do {
                    let zip = try ZipContainer(bytes, limits: limits, deadline: deadline)
                    let kind = DocumentKind.inZip(zip)
                    guard kind == .zip else { return .success((kind, [])) }
                    var members: [(name: String, bytes: [UInt8])] = []
                    for member in zip.members { members.append((member.path, try zip.read(member))) }
                    return .success((.zip, members))
                } catch {
                    return .failure(ExtractionStop(reason: error.reason))
                }
            }
        switch opened {
        case .failure(let stop):
            return .failed(stop.reason)
        case .success((let kind, _)) where kind != .zip:
            let reader = self
            return await BlockingWork.cpu.perform { reader.extractInProcess(bytes, kind: kind) }
        case .success((_, let members)):
            var sink = TextSink(limit: limits.maximumTextBytes)
            var failure: UnextractedReason?
            for member in members {
                sink.append(member.name)
                sink.endLine()
                let kind = DocumentKind(mediaType: "application/octet-stream", fileName: member.name,
                                        leadingBytes: member.bytes.prefix(8))
                let result: ExtractedText
                switch kind {
                case .zip: result = .failed(.unsupportedType)  // one level deep only
                case .other: continue  // a member with no text to read (an image) hides nothing searchable
                case .pdf: result = await pdf.extract(member.bytes, limits: limits)
                default:
                    let reader = self
                    let bytes = member.bytes
                    result = await BlockingWork.cpu.perform { reader.extractInProcess(bytes, kind: kind) }
                }
                if case .notExtracted(let reason) = result.state, failure == nil { failure = reason }
                sink.append(result.text)
                sink.endLine()
            }
            if let failure { return ExtractedText(state: .notExtracted(failure), text: sink.text) }
            return .text(sink.text)
        }
    }
}

extension Error {
    /// The reason an extraction error stands for.
    var reason: UnextractedReason { (self as? ExtractionStop)?.reason ?? .broken }
}
