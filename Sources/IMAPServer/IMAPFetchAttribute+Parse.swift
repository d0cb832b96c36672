extension IMAPFetchAttribute {
    // fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    //             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    //             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary / "MODSEQ"
    //                                                       ; RFC 3501 §9, RFC 9051 §9, RFC 7162 §7
    static func parse(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPFetchAttribute {
        let nameBytes = reader.take { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || IMAPCommandReader.isDigit(byte)
                || byte == UInt8(ascii: ".")
        }
        guard !nameBytes.isEmpty else { throw IMAPSyntaxError("expected a FETCH item") }
        let name = IMAPGrammar.uppercased(nameBytes)
        let hasSection = reader.current == UInt8(ascii: "[")
        switch (name, hasSection) {
        case ("ENVELOPE", false): return .envelope
        case ("FLAGS", false): return .flags
        case ("INTERNALDATE", false): return .internalDate
        case ("RFC822", false): return .rfc822
        case ("RFC822.HEADER", false): return .rfc822Header
        case ("RFC822.SIZE", false): return .rfc822Size
        case ("RFC822.TEXT", false): return .rfc822Text
        case ("BODY", false): return .body
        case ("BODYSTRUCTURE", false): return .bodyStructure
        case ("UID", false): return .uid
        case ("MODSEQ", false): return .modSeq
        case ("BODY", true), ("BODY.PEEK", true):
            let section = try IMAPSection.parse(&reader)
            return .bodySection(section, partial: try IMAPPartial.parseIfPresent(&reader), peek: name == "BODY.PEEK")
        case ("BINARY", true), ("BINARY.PEEK", true):
            let part = try parseBinarySection(&reader)
            return .binary(part: part, partial: try IMAPPartial.parseIfPresent(&reader), peek: name == "BINARY.PEEK")
        case ("BINARY.SIZE", true):
            return .binarySize(part: try parseBinarySection(&reader))
        case ("BINARY", false), ("BINARY.PEEK", false), ("BINARY.SIZE", false):
            throw IMAPSyntaxError("\(name) needs a section")
        default:
            throw IMAPSyntaxError("unknown FETCH item \(name)")
        }
    }

    // section-binary = "[" [section-part] "]"                                  ; RFC 3516 §4.1
    private static func parseBinarySection(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> [Int] {
        try reader.expect(UInt8(ascii: "["), "\"[\"")
        var part: [Int] = []
        if !reader.skip(UInt8(ascii: "]")) {
            part = try IMAPSection.parsePart(&reader)
            try reader.expect(UInt8(ascii: "]"), "\"]\" after the section")
        }
        return part
    }
}

extension IMAPSection {
    // section = "[" [section-spec] "]"
    static func parse(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPSection {
        try reader.expect(UInt8(ascii: "["), "\"[\"")
        if reader.skip(UInt8(ascii: "]")) { return IMAPSection() }
        var part: [Int] = []
        if let byte = reader.current, IMAPCommandReader.isDigit(byte) {
            part = try parsePart(&reader)
            if reader.skip(UInt8(ascii: "]")) { return IMAPSection(part: part) }
            try reader.expect(UInt8(ascii: "."), "\".\" or \"]\" after the part number")
        }
        let textBytes = reader.take { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: ".")
        }
        let text = IMAPGrammar.uppercased(textBytes)
        let kind: Kind
        switch text {
        case "HEADER": kind = .header
        case "TEXT": kind = .text
        case "MIME":
            guard !part.isEmpty else { throw IMAPSyntaxError("MIME needs a part number") }
            kind = .mime
        case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
            try reader.space()
            let names = try parseHeaderList(&reader)
            kind = text == "HEADER.FIELDS" ? .headerFields(names) : .headerFieldsNot(names)
        default:
            throw IMAPSyntaxError("unknown section \"\(String(decoding: textBytes, as: UTF8.self))\"")
        }
        try reader.expect(UInt8(ascii: "]"), "\"]\" after the section")
        return IMAPSection(part: part, kind: kind)
    }

    // section-part = nz-number *("." nz-number)
    static func parsePart(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> [Int] {
        var part = [Int(try reader.nzNumber("a part number"))]
        while reader.current == UInt8(ascii: "."), reader.position + 1 < reader.bytes.count,
            IMAPCommandReader.isDigit(reader.bytes[reader.position + 1])
        {
            reader.position += 1
            part.append(Int(try reader.nzNumber("a part number")))
        }
        return part
    }

    // header-list = "(" header-fld-name *(SP header-fld-name) ")" ; header-fld-name = astring
    static func parseHeaderList(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> [String] {
        try reader.parenthesizedList(allowEmpty: false) { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
            let bytes = try r.astring("a header field name")
            // RFC 5322 §3.6.8: field names are printable US-ASCII except ":".
            guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw IMAPSyntaxError("invalid header field name")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension IMAPPartial {
    // partial = "<" number "." nz-number ">"
    static func parseIfPresent(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPPartial? {
        guard reader.skip(UInt8(ascii: "<")) else { return nil }
        let offset = try reader.number("a partial offset")
        try reader.expect(UInt8(ascii: "."), "\".\" in the partial range")
        let length = try reader.nzNumber("a partial length")
        try reader.expect(UInt8(ascii: ">"), "\">\" after the partial range")
        return IMAPPartial(offset: offset, length: length)
    }
}
