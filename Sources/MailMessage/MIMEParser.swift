/// The structural parse: header sections and the MIME tree as byte offsets, in one pass over
/// the raw bytes (RFC 5322 §2.1, RFC 2045, RFC 2046 §5).
///
/// Invariants:
/// - every byte is visited a bounded number of times: lines are scanned once for their end, and
///   a line that starts with "--" is compared with each active boundary (at most
///   `MIMELimits.nestingDepth` of them);
/// - ranges never leave `0..<raw.count`, and for every part `headerRange.upperBound ==
///   bodyRange.lowerBound` and children lie inside their parent's body;
/// - nothing is decoded or copied except field names and the values of the few MIME fields
///   that steer the parse (Content-Type, -Transfer-Encoding, -Disposition, -ID, -Description).
struct MIMEParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let raw: [UInt8]
    let limits: MIMELimits
    var problems: [ParseProblem] = []
    /// Boundaries of the enclosing multiparts, outermost first.
    var boundaries: [[UInt8]] = []

    init(bytes: UnsafeBufferPointer<UInt8>, raw: [UInt8], limits: MIMELimits) {
        self.bytes = bytes
        self.raw = raw
        self.limits = limits
    }

    /// How an entity gets its IMAP part number (see `MIMEPart`).
    enum Numbering {
        case root
        case child(String)
        case encapsulated(parent: String)

        func number(isMultipart: Bool) -> String {
            switch self {
            case .root: return isMultipart ? "" : "1"
            case .child(let number): return number
            case .encapsulated(let parent): return isMultipart ? parent : parent + ".1"
            }
        }
    }

    /// A delimiter line of an active boundary.
    struct Delimiter {
        var lineStart: Int
        var lineEnd: Int
        /// Index into `boundaries`.
        var level: Int
        /// `--boundary--`, the close delimiter.
        var isClose: Bool
    }

    /// An entity and where it ended.
    struct Entity {
        var part: MIMEPart
        /// End of the entity's content (before the line break that belongs to `stop`).
        var end: Int
        /// The delimiter line that ended the entity, or nil if it ran to the limit.
        var stop: Delimiter?
    }

    mutating func problem(_ kind: ParseProblem.Kind, at offset: Int) {
        problems.append(ParseProblem(offset: offset, kind: kind))
    }

    // MARK: - Boundaries

    /// Whether the line at `lineStart` is a delimiter of an active boundary (RFC 2046 §5.1.1):
    /// "--" boundary, then "--" for the close delimiter, then only white space (transport
    /// padding). When several boundaries match (one a prefix of another, e.g. "abc" and
    /// "abc--"), the longest wins.
    func delimiter(at lineStart: Int, limit: Int) -> Delimiter? {
        guard !boundaries.isEmpty, limit - lineStart >= 2, bytes[lineStart] == LineScan.hyphen,
            bytes[lineStart + 1] == LineScan.hyphen
        else { return nil }
        let lineEnd = LineScan.lineEnd(bytes, from: lineStart, limit: limit)
        let contentEnd = LineScan.contentEnd(bytes, lineStart: lineStart, lineEnd: lineEnd)
        let start = lineStart + 2
        var best: Delimiter?
        var bestLength = -1
        for (level, boundary) in boundaries.enumerated() {
            let count = boundary.count
            guard count > bestLength, contentEnd - start >= count else { continue }
            var equal = true
            for k in 0..<count where bytes[start + k] != boundary[k] {
                equal = false
                break
            }
            guard equal else { continue }
            var p = start + count
            var isClose = false
            if contentEnd - p >= 2, bytes[p] == LineScan.hyphen, bytes[p + 1] == LineScan.hyphen {
                isClose = true
                p += 2
            }
            while p < contentEnd, LineScan.isWhitespace(bytes[p]) { p += 1 }
            guard p == contentEnd else { continue }
            best = Delimiter(lineStart: lineStart, lineEnd: lineEnd, level: level, isClose: isClose)
            bestLength = count
        }
        return best
    }

    /// The first delimiter line of an active boundary at or after `start` (a line start).
    func nextDelimiter(from start: Int, limit: Int) -> Delimiter? {
        guard !boundaries.isEmpty else { return nil }
        var lineStart = start
        while lineStart < limit {
            if bytes[lineStart] == LineScan.hyphen, let found = delimiter(at: lineStart, limit: limit) {
                return found
            }
            guard let lf = LineScan.firstLF(bytes, from: lineStart, to: limit) else { return nil }
            lineStart = lf + 1
        }
        return nil
    }

    // MARK: - Entities

    /// Parses the entity (header and body) that starts at `start` and ends at the next delimiter
    /// of an active boundary, or at `limit`.
    mutating func parseEntity(start: Int, limit: Int, defaultType: MediaType, numbering: Numbering, depth: Int)
        -> Entity
    {
        let (header, bodyStart) = parseHeader(from: start, limit: limit)
        var contentType = defaultType
        var fallbackParameters: [String: String] = [:]
        if let value = header.first(named: "Content-Type") {
            if let parsed = MediaType.parse(value) {
                contentType = parsed
            } else {
                problem(.invalidContentType, at: header.field(named: "Content-Type")?.range.lowerBound ?? start)
                contentType = MIMEParser.textPlain
                fallbackParameters = MIMEParser.parametersOfInvalidType(value)
            }
        }
        let transferEncoding = header.first(named: "Content-Transfer-Encoding").map(MIMEParser.lowercasedToken)
            ?? "7bit"
        let disposition = header.first(named: "Content-Disposition").flatMap { ContentDisposition.parse($0) }
        var part = MIMEPart(
            partNumber: "", header: header, contentType: contentType, disposition: disposition,
            transferEncoding: transferEncoding.isEmpty ? "7bit" : transferEncoding,
            fileName: MIMEParser.fileName(
                disposition: disposition, name: contentType.parameters["name"] ?? fallbackParameters["name"]),
            contentID: header.first(named: "Content-ID").flatMap { MessageID.parse($0) },
            contentDescription: header.first(named: "Content-Description").map { EncodedWords.decode($0) },
            headerRange: start..<bodyStart, bodyRange: bodyStart..<bodyStart, children: [],
            encapsulatedHeader: nil, lineCount: 0)

        let type = contentType.type
        if type == "multipart" {
            part.partNumber = numbering.number(isMultipart: true)
            guard depth < limits.nestingDepth else {
                problem(.nestingTooDeep, at: bodyStart)
                return leaf(part, bodyStart: bodyStart, limit: limit)
            }
            guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
                problem(.missingBoundary, at: start)
                return leaf(part, bodyStart: bodyStart, limit: limit)
            }
            return parseMultipart(
                part, boundary: Array(boundary.utf8), bodyStart: bodyStart, limit: limit, depth: depth)
        }
        part.partNumber = numbering.number(isMultipart: false)
        if type == "message", contentType.subtype == "rfc822" || contentType.subtype == "global",
            MIMEParser.isIdentityEncoding(part.transferEncoding)
        {
            guard depth < limits.nestingDepth else {
                problem(.nestingTooDeep, at: bodyStart)
                return leaf(part, bodyStart: bodyStart, limit: limit)
            }
            // RFC 2046 §5.2.1: the body is a complete message, parsed like the top level.
            let inner = parseEntity(
                start: bodyStart, limit: limit, defaultType: MIMEParser.textPlain,
                numbering: .encapsulated(parent: part.partNumber), depth: depth + 1)
            part.encapsulatedHeader = inner.part.header
            part.children = [inner.part]
            part.bodyRange = bodyStart..<inner.end
            part.lineCount = LineScan.countLines(bytes, in: part.bodyRange)
            return Entity(part: part, end: inner.end, stop: inner.stop)
        }
        return leaf(part, bodyStart: bodyStart, limit: limit)
    }

    /// A body without structure: it runs to the next delimiter of an active boundary.
    mutating func leaf(_ part: MIMEPart, bodyStart: Int, limit: Int) -> Entity {
        var part = part
        let stop = nextDelimiter(from: bodyStart, limit: limit)
        let end = stop.map { LineScan.beforePrecedingLineBreak(bytes, lineStart: $0.lineStart, floor: bodyStart) }
            ?? limit
        part.bodyRange = bodyStart..<end
        if part.contentType.type == "text" || part.contentType.type == "message" {
            part.lineCount = LineScan.countLines(bytes, in: part.bodyRange)
        }
        return Entity(part: part, end: end, stop: stop)
    }

    /// RFC 2046 §5.1.1: preamble, delimiter-separated body parts, close delimiter, epilogue.
    mutating func parseMultipart(_ part: MIMEPart, boundary: [UInt8], bodyStart: Int, limit: Int, depth: Int)
        -> Entity
    {
        var part = part
        let level = boundaries.count
        boundaries.append(boundary)
        let childType = part.contentType.subtype == "digest" ? MIMEParser.messageRFC822 : MIMEParser.textPlain
        let prefix = part.partNumber.isEmpty ? "" : part.partNumber + "."

        var end = limit
        var stop: Delimiter?
        var current = nextDelimiter(from: bodyStart, limit: limit)
        if current == nil || current?.level != level {
            problem(.boundaryNotFound, at: bodyStart)
        }
        while let delimiter = current {
            guard delimiter.level == level else {
                // An enclosing boundary: this multipart ends without its close delimiter.
                if !part.children.isEmpty { problem(.unterminatedMultipart, at: delimiter.lineStart) }
                end = LineScan.beforePrecedingLineBreak(bytes, lineStart: delimiter.lineStart, floor: bodyStart)
                // A last child whose header ended right at the delimiter keeps the line break
                // that the delimiter would claim; the body must still contain its children.
                end = Swift.max(end, part.children.last?.bodyRange.upperBound ?? bodyStart)
                stop = delimiter
                break
            }
            if delimiter.isClose {
                // Everything after the close delimiter is epilogue, up to an enclosing boundary.
                boundaries.removeLast()
                stop = nextDelimiter(from: delimiter.lineEnd, limit: limit)
                // With no epilogue, the close line's own line break is the enclosing delimiter's.
                let closeEnd = LineScan.contentEnd(bytes, lineStart: delimiter.lineStart, lineEnd: delimiter.lineEnd)
                end = stop.map {
                    LineScan.beforePrecedingLineBreak(bytes, lineStart: $0.lineStart, floor: closeEnd)
                } ?? limit
                part.bodyRange = bodyStart..<end
                return Entity(part: part, end: end, stop: stop)
            }
            if let next = self.delimiter(at: delimiter.lineEnd, limit: limit), next.level == level, !next.isClose {
                // A delimiter line right after a delimiter line: RFC 2046 §5.1.1 gives an empty
                // body part no room (the CRLF before a delimiter is its own), so, like Python's
                // email package, we take repeated delimiters as one. (Before the close
                // delimiter, an empty part is kept, as Python does: the multipart needs one.)
                current = next
                continue
            }
            if part.children.count >= limits.partsPerMultipart {
                // Treat the remaining delimiters as body bytes of the last child: skip to our close.
                current = nextDelimiter(from: delimiter.lineEnd, limit: limit)
                continue
            }
            let child = parseEntity(
                start: delimiter.lineEnd, limit: limit, defaultType: childType,
                numbering: .child(prefix + String(part.children.count + 1)), depth: depth + 1)
            part.children.append(child.part)
            current = child.stop
            if current == nil {
                problem(.unterminatedMultipart, at: limit)
            }
        }
        boundaries.removeLast()
        part.bodyRange = bodyStart..<max(bodyStart, end)
        return Entity(part: part, end: max(bodyStart, end), stop: stop)
    }

    // MARK: - Field values

    static let textPlain = MediaType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])
    static let messageRFC822 = MediaType(type: "message", subtype: "rfc822", parameters: [:])

    /// RFC 2045 §6.1 mechanism names are case-insensitive tokens; comments are not expected.
    static func lowercasedToken(_ value: [UInt8]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.count)
        for byte in value {
            if byte == LineScan.space || byte == LineScan.tab || byte == UInt8(ascii: ";")
                || byte == UInt8(ascii: "(")
            {
                if !bytes.isEmpty { break } else { continue }
            }
            bytes.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Encodings under which the body is the bytes themselves (RFC 2045 §6.2); RFC 2046 §5.2.1
    /// allows no other for message/rfc822.
    static func isIdentityEncoding(_ encoding: String) -> Bool {
        encoding == "7bit" || encoding == "8bit" || encoding == "binary"
    }

    /// The parameters of a Content-Type whose type is unusable ("BINARY; name=x"): RFC 2045 §5.2
    /// makes the part text/plain, but the `name` still tells what the sender attached.
    static func parametersOfInvalidType(_ value: [UInt8]) -> [String: String] {
        guard let semicolon = value.firstIndex(of: UInt8(ascii: ";")) else { return [:] }
        let placeholder = Array("application/octet-stream".utf8) + value[semicolon...]
        return MediaType.parse(placeholder)?.parameters ?? [:]
    }

    /// Content-Disposition `filename` (RFC 2183 §2.3), else the older Content-Type `name`
    /// (RFC 1341 §7.4.3), with encoded words decoded where senders put them (against RFC 2047 §5).
    static func fileName(disposition: ContentDisposition?, name: String?) -> String? {
        guard let name = disposition?.parameters["filename"] ?? name else { return nil }
        if name.utf8.count > 3, name.contains("=?") {
            return EncodedWords.decode(Array(name.utf8))
        }
        return name
    }
}
