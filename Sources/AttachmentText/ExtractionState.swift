/// Why an attachment's text is not in the index. Stored in the catalog by its raw value, so the
/// values never change meaning.
public enum UnextractedReason: String, Sendable, Hashable, CaseIterable {
    /// A format Tresor does not read (images, audio, legacy binary Office files, a ZIP inside a ZIP).
    case unsupportedType = "unsupported-type"
    /// Password-protected: an encrypted PDF, an encrypted Office file, encrypted ZIP members.
    case encrypted
    /// Over a size limit: the attachment itself, a member, the bytes a ZIP expands to, the
    /// expansion ratio (a ZIP bomb), or the number of members.
    case tooLarge = "too-large"
    /// The time limit ran out (the PDF tool was killed).
    case timedOut = "timed-out"
    /// The file could not be read as the format it claims (truncated, corrupt).
    case broken
    /// The tool that reads this format is not installed (`pdftotext` from poppler-utils).
    case toolMissing = "tool-missing"
}

/// What became of one attachment.
public enum ExtractionState: Sendable, Hashable {
    /// Its text was read (possibly empty: a document without words).
    case extracted
    case notExtracted(UnextractedReason)

    /// The catalog's spelling: "extracted", or the reason.
    public var name: String {
        switch self {
        case .extracted: "extracted"
        case .notExtracted(let reason): reason.rawValue
        }
    }

    public init?(name: String) {
        if name == "extracted" {
            self = .extracted
        } else if let reason = UnextractedReason(rawValue: name) {
            self = .notExtracted(reason)
        } else {
            return nil
        }
    }
}

/// The outcome of reading one document: text, or the reason there is none.
public struct ExtractedText: Sendable, Hashable {
    public var state: ExtractionState
    public var text: String

    public init(state: ExtractionState, text: String = "") {
        self.state = state
        self.text = text
    }

    public static func failed(_ reason: UnextractedReason) -> ExtractedText {
        ExtractedText(state: .notExtracted(reason))
    }

    public static func text(_ text: String) -> ExtractedText { ExtractedText(state: .extracted, text: text) }
}

/// Extraction stopped early; carries the state to record.
struct ExtractionStop: Error {
    let reason: UnextractedReason
}
