/// Something the parser found wrong with a message and worked around. The parser never rejects
/// input (see `Message`); it records what it repaired so that callers can report or count it.
public struct ParseProblem: Hashable, Sendable {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// A header line that is neither a field (`name:`) nor a continuation; it was skipped
        /// (RFC 5322 §2.2 requires a colon after the field name).
        case invalidHeaderLine
        /// A continuation line (leading white space) before any field; it was skipped
        /// (RFC 5322 §2.2.3 folding only continues an existing field).
        case continuationWithoutField
        /// The header ended without the empty line that RFC 5322 §2.1 puts before the body:
        /// a line that is not a field was taken as the first line of the body.
        case missingHeaderSeparator
        /// A multipart entity has no `boundary` parameter (RFC 2046 §5.1.1 makes it mandatory);
        /// its body was kept as one opaque part without children.
        case missingBoundary
        /// A multipart entity's body contains no delimiter line for its boundary
        /// (RFC 2046 §5.1.1); its body was kept without children.
        case boundaryNotFound
        /// A multipart entity ended (at the end of its enclosing entity or at an enclosing
        /// boundary) without its close delimiter `--boundary--` (RFC 2046 §5.1.1).
        case unterminatedMultipart
        /// Multiparts and encapsulated messages nest deeper than `MIMELimits.nestingDepth`;
        /// the entity at the limit was kept opaque.
        case nestingTooDeep
        /// A Content-Type field is present but unparsable; the default type was used
        /// (RFC 2045 §5.2).
        case invalidContentType
        /// A base64 body holds bytes outside the alphabet or lacks its padding (RFC 2045 §6.8);
        /// they were skipped. Reported by `MIMEPart.decodedBody(in:problems:)`.
        case invalidBase64
        /// A quoted-printable body holds an `=` that starts no valid escape or soft line break
        /// (RFC 2045 §6.7); it was kept literally. Reported by `MIMEPart.decodedBody(in:problems:)`.
        case invalidQuotedPrintable
    }

    /// Byte offset into `Message.raw` where the problem was seen.
    public var offset: Int
    public var kind: Kind

    public init(offset: Int, kind: Kind) {
        self.offset = offset
        self.kind = kind
    }
}
