/// Decoding a part's body on demand: transfer encoding (RFC 2045 §6), then charset (RFC 2046 §4.1.2).
extension MIMEPart {
    /// The body with its Content-Transfer-Encoding undone: base64 and quoted-printable are
    /// decoded; 7bit, 8bit, binary and unrecognised encodings give the bytes as they are
    /// (RFC 2045 §6.4 would have an unrecognised one treated as application/octet-stream,
    /// which for the raw bytes is the same thing).
    public func decodedBody(in raw: [UInt8]) -> [UInt8] {
        var problems: [ParseProblem] = []
        return decodedBody(in: raw, problems: &problems)
    }

    /// As `decodedBody(in:)`, appending `.invalidBase64` / `.invalidQuotedPrintable` when the
    /// body had to be repaired.
    public func decodedBody(in raw: [UInt8], problems: inout [ParseProblem]) -> [UInt8] {
        let range = bodyRange.clamped(to: 0..<raw.count)
        return raw.withUnsafeBufferPointer { bytes in
            let body = UnsafeBufferPointer(rebasing: bytes[range])
            switch transferEncoding {
            case "base64":
                let (decoded, clean) = Base64Decoder.decode(body)
                if !clean { problems.append(ParseProblem(offset: range.lowerBound, kind: .invalidBase64)) }
                return decoded
            case "quoted-printable":
                let (decoded, clean) = QuotedPrintableDecoder.decode(body)
                if !clean { problems.append(ParseProblem(offset: range.lowerBound, kind: .invalidQuotedPrintable)) }
                return decoded
            default:
                return Array(body)
            }
        }
    }

    /// For text/* parts: the decoded body as text, via the charset parameter (default us-ascii,
    /// RFC 2046 §4.1.2; undeclared 8-bit text is read as UTF-8, then Windows-1252, by
    /// `Charsets.decodeLossy`). Nil for other types.
    public func text(in raw: [UInt8]) -> String? {
        guard contentType.type == "text" else { return nil }
        return Charsets.decodeLossy(decodedBody(in: raw), charset: contentType.parameters["charset"])
    }
}
