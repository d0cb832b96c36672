/// One entity of the MIME tree (RFC 2045 §2.4): a header and a body, located by byte offsets
/// into `Message.raw`. Nothing is decoded at parse time; `decodedBody(in:)` and `text(in:)` do it
/// on demand.
///
/// Part numbers follow IMAP (RFC 3501 §6.4.5):
/// - the root of a message that is not multipart is "1";
/// - the root multipart of a message has no number of its own: "" (its children are "1", "2", …);
/// - child *i* (counted from 1) of a multipart numbered N is "N.i" (or "i" when N is "");
/// - the encapsulated message of a message/rfc822 part numbered N is represented by its root:
///   if that root is multipart it shares the number N (its children are "N.1", "N.2", …, as in
///   IMAP, where N.1 is the first part of the encapsulated message); otherwise it is "N.1".
public struct MIMEPart: Sendable {
    /// IMAP section number, see the type's documentation.
    public var partNumber: String
    /// The part's own header fields (for the root: the message header).
    public var header: HeaderSection
    /// Content-Type, defaulted per RFC 2045 §5.2 to text/plain; charset=us-ascii, and inside
    /// multipart/digest to message/rfc822 (RFC 2046 §5.1.5).
    public var contentType: MediaType
    /// Content-Disposition (RFC 2183), when present and parsable.
    public var disposition: ContentDisposition?
    /// Content-Transfer-Encoding (RFC 2045 §6.1), lowercased, default "7bit".
    public var transferEncoding: String
    /// The file name: Content-Disposition `filename` (RFC 2183 §2.3), else Content-Type `name`,
    /// with RFC 2231 and RFC 2047 encodings decoded.
    public var fileName: String?
    /// Content-ID (RFC 2045 §7) without angle brackets.
    public var contentID: String?
    /// Content-Description (RFC 2045 §8), RFC 2047 decoded.
    public var contentDescription: String?
    /// The header: its first byte through the empty line that ends it. `headerRange.upperBound`
    /// is always `bodyRange.lowerBound`.
    public var headerRange: Range<Int>
    /// The body, without the line break that RFC 2046 §5.1.1 attaches to the next boundary
    /// delimiter. IMAP serves BODY[n] from exactly these bytes.
    public var bodyRange: Range<Int>
    /// Children of a multipart; for message/rfc822 and message/global, one child: the
    /// encapsulated message's root entity. Empty otherwise.
    public var children: [MIMEPart]
    /// For message/rfc822 and message/global: the encapsulated message's header.
    public var encapsulatedHeader: HeaderSection?
    /// Lines of the body (IMAP BODYSTRUCTURE, RFC 3501 §7.4.2) for text/* and message/* parts;
    /// 0 for other types, which IMAP does not count.
    public var lineCount: Int

    /// Whether this is a multipart entity.
    public var isMultipart: Bool { contentType.type == "multipart" }

    /// Whether this entity encapsulates a message that was parsed into `children`.
    public var isEncapsulatedMessage: Bool { encapsulatedHeader != nil }

    /// Whether the body is the bytes themselves (7bit, 8bit or binary, RFC 2045 §6.2). A
    /// message/rfc822 part with such a body that has no `children` was cut off by
    /// `MIMELimits.nestingDepth`; one with another encoding was not parsed because of it.
    public var hasIdentityEncoding: Bool { MIMEParser.isIdentityEncoding(transferEncoding) }

    /// This part and all its descendants in depth-first pre-order (the order of Python's
    /// `Message.walk()` and of IMAP part numbers).
    public var allParts: [MIMEPart] {
        var result: [MIMEPart] = []
        collect(into: &result)
        return result
    }

    private func collect(into result: inout [MIMEPart]) {
        result.append(self)
        for child in children { child.collect(into: &result) }
    }

    /// The descendant (or self) with this IMAP part number. For an encapsulated multipart that
    /// shares its number with its message/rfc822 parent, the message/rfc822 part is returned.
    public func part(numbered number: String) -> MIMEPart? {
        if partNumber == number { return self }
        for child in children {
            let prefix = child.partNumber
            if number == prefix || number.hasPrefix(prefix + ".") || prefix.isEmpty || prefix == partNumber {
                if let found = child.part(numbered: number) { return found }
            }
        }
        return nil
    }
}
