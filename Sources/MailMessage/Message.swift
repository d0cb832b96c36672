#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// MailMessage: Internet messages (RFC 5322) and their MIME structure (RFC 2045–2049), parsed
/// into byte offsets over the original bytes.
///
/// Invariants of the module:
/// - Parsing never throws and never rejects: any bytes give a `Message`. What had to be repaired
///   is listed in `Message.problems`.
/// - `Message.raw` is exactly the input; every range in the tree indexes into it, so a part can
///   be served byte-exact (IMAP BODY[n]) and the archive keeps the original untouched.
/// - The structural parse copies no bodies and builds no strings except field names and the few
///   MIME parameters that steer it; decoding (transfer encoding, charsets, RFC 2047) happens
///   on demand in the accessors.
/// - LF-only and CRLF input give the same tree (offsets differ by the CRs).
/// - Work is linear in the input size; nesting is capped by `MIMELimits`.
public struct Message: Sendable {
    /// Exactly the input bytes.
    public let raw: [UInt8]
    /// The top-level header fields (after an mbox "From " line, if the input starts with one).
    public let header: HeaderSection
    /// The MIME tree. A message without MIME fields is one text/plain part (RFC 2045 §5.2).
    public let root: MIMEPart
    /// What the parser repaired, in the order it was seen.
    public var problems: [ParseProblem]

    public init(parsing raw: [UInt8]) {
        self.init(parsing: raw, limits: MIMELimits())
    }

    public init(parsing raw: [UInt8], limits: MIMELimits) {
        self.raw = raw
        let (root, problems) = raw.withUnsafeBufferPointer { bytes in
            var parser = MIMEParser(bytes: bytes, raw: raw, limits: limits)
            let start = Message.headerStart(bytes)
            let entity = parser.parseEntity(
                start: start, limit: bytes.count, defaultType: MIMEParser.textPlain, numbering: .root, depth: 0)
            return (entity.part, parser.problems)
        }
        self.root = root
        self.header = root.header
        self.problems = problems
    }

    /// Skips an mbox separator line ("From " at the very start, RFC 4155 §2) that an import left
    /// in front of the header.
    static func headerStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let from: [UInt8] = [0x46, 0x72, 0x6F, 0x6D, 0x20]  // "From "
        guard bytes.count >= 5, bytes[0] == from[0], bytes[1] == from[1], bytes[2] == from[2], bytes[3] == from[3],
            bytes[4] == from[4]
        else { return 0 }
        return LineScan.lineEnd(bytes, from: 0, limit: bytes.count)
    }

    /// Every part of the tree in depth-first pre-order, the root first.
    public var parts: [MIMEPart] { root.allParts }
}
