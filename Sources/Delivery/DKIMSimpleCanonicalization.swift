/// RFC 6376 §3.4.1 and §3.4.3: the "simple" canonicalisations, which change nothing but line
/// ends (a bare LF is read as CRLF, §5.3) and, in the body, trailing empty lines.
enum DKIMSimpleCanonicalization {
    private static let crlf: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]

    /// §3.4.1: the field exactly as it is, name and value, ending in CRLF.
    static func header(name: [UInt8], value: [UInt8]) -> [UInt8] {
        name + [UInt8(ascii: ":")] + value + crlf
    }

    /// §3.4.3: every line ending in CRLF, empty lines at the end removed; an empty body is one CRLF.
    static func body(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count + 2)
        var emptyLinesPending = 0
        var position = body.startIndex
        while position < body.endIndex {
            let lineEnd = body[position...].firstIndex(of: UInt8(ascii: "\n")) ?? body.endIndex
            var contentEnd = lineEnd
            if lineEnd < body.endIndex, contentEnd > position, body[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            if contentEnd == position {
                emptyLinesPending += 1
            } else {
                for _ in 0..<emptyLinesPending { output.append(contentsOf: crlf) }
                emptyLinesPending = 0
                output.append(contentsOf: body[position..<contentEnd])
                output.append(contentsOf: crlf)
            }
            position = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
        }
        return output.isEmpty ? crlf : output
    }
}
