/// RFC 6376 §3.4: the "relaxed" canonicalisations, for header fields (§3.4.2) and the body
/// (§3.4.4). Only relaxed/relaxed is produced here: it survives the re-folding and trailing
/// whitespace changes relays make, which "simple" does not.
enum DKIMCanonicalization {
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    private static let crlf: [UInt8] = [cr, lf]

    private static func isWSP(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// §3.4.2: the name in lower case, then ":", then the value unfolded (CRLF removed), runs of
    /// WSP made one SP, WSP at both ends of the value and before the colon removed; ends in CRLF.
    static func relaxedHeader(name: [UInt8], value: [UInt8]) -> [UInt8] {
        var output = name.map(DNSName.lowercased)
        while let last = output.last, isWSP(last) { output.removeLast() }
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: relaxedHeaderValue(value))
        output.append(contentsOf: crlf)
        return output
    }

    static func relaxedHeaderValue(_ value: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var pendingSpace = false
        for byte in value {
            if byte == cr || byte == lf { continue }  // unfold
            if isWSP(byte) {
                pendingSpace = true
                continue
            }
            if pendingSpace, !output.isEmpty { output.append(space) }  // leading WSP dropped
            pendingSpace = false
            output.append(byte)
        }
        return output  // trailing WSP never written
    }

    /// §3.4.4: per line, WSP at the line's end removed and other runs of WSP made one SP; empty
    /// lines at the end removed; a non-empty body ends in CRLF, an empty one is empty. A bare LF
    /// ends a line like CRLF does (§5.3).
    static func relaxedBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count + 2)
        var emptyLinesPending = 0   // empty lines are written only when text follows them
        var position = body.startIndex
        while position < body.endIndex {
            let lineEnd = body[position...].firstIndex(of: lf) ?? body.endIndex
            var contentEnd = lineEnd
            if lineEnd < body.endIndex, contentEnd > position, body[contentEnd - 1] == cr { contentEnd -= 1 }
            var line: [UInt8] = []
            var pendingSpace = false
            for byte in body[position..<contentEnd] {
                if isWSP(byte) {
                    pendingSpace = true
                    continue
                }
                if pendingSpace { line.append(space) }
                pendingSpace = false
                line.append(byte)
            }
            if line.isEmpty {
                emptyLinesPending += 1
            } else {
                for _ in 0..<emptyLinesPending { output.append(contentsOf: crlf) }
                emptyLinesPending = 0
                output.append(contentsOf: line)
                output.append(contentsOf: crlf)
            }
            position = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
        }
        return output
    }
}
