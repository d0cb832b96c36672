/// Messages as IMAP sends them: every line ending in CRLF (RFC 3501 §2.3.4 counts RFC822.SIZE
/// "in RFC 5322 format", whose lines end in CRLF). A message stored with bare LF gets a CR
/// before each LF, so that BODY[] and RFC822.SIZE always agree.
public enum IMAPMessageEncoding {
    /// The bytes with each bare LF turned into CRLF; a message already in CRLF is returned as is.
    public static func crlf(_ raw: [UInt8]) -> [UInt8] {
        guard hasBareLF(raw) else { return raw }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + raw.count / 32)
        var previous: UInt8 = 0
        for byte in raw {
            if byte == IMAPGrammar.lf, previous != IMAPGrammar.cr { out.append(IMAPGrammar.cr) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// The length of `crlf(raw)`, without building it: what RFC822.SIZE reports.
    public static func transmittedSize(of raw: [UInt8]) -> Int {
        var size = raw.count
        var previous: UInt8 = 0
        for byte in raw {
            if byte == IMAPGrammar.lf, previous != IMAPGrammar.cr { size += 1 }
            previous = byte
        }
        return size
    }

    private static func hasBareLF(_ raw: [UInt8]) -> Bool {
        var previous: UInt8 = 0
        for byte in raw {
            if byte == IMAPGrammar.lf, previous != IMAPGrammar.cr { return true }
            previous = byte
        }
        return false
    }
}
