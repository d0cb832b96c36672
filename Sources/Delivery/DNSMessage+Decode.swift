// Decoding DNS messages from the wire (RFC 1035 §4.1), with name compression (§4.1.4).

extension DNSMessage {
    /// Decodes a whole message; throws for anything malformed, never traps. Trailing bytes after
    /// the last record are ignored (RFC 1035 does not forbid padding; servers never send it).
    public init(decoding bytes: [UInt8]) throws(DNSMessageError) {
        var reader = DNSMessageReader(bytes: bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let counts = (try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16())
        self.init(id: id,
                  isResponse: flags & 0x8000 != 0,
                  opcode: UInt8((flags >> 11) & 0x0F),
                  isAuthoritative: flags & 0x0400 != 0,
                  isTruncated: flags & 0x0200 != 0,
                  recursionDesired: flags & 0x0100 != 0,
                  recursionAvailable: flags & 0x0080 != 0,
                  responseCode: DNSResponseCode(rawValue: UInt8(flags & 0x000F)))
        // The counts are not trusted for allocation: each entry is read, or the message is short.
        for _ in 0..<counts.0 { questions.append(try reader.readQuestion()) }
        for _ in 0..<counts.1 { answers.append(try reader.readRecord()) }
        for _ in 0..<counts.2 { authorities.append(try reader.readRecord()) }
        for _ in 0..<counts.3 { additionals.append(try reader.readRecord()) }
    }

    /// The header's ID and flags alone, for a datagram whose records do not decode: a truncated
    /// answer (TC=1) may be cut anywhere after the header (RFC 2181 §9).
    static func header(of bytes: [UInt8]) -> (id: UInt16, isResponse: Bool, isTruncated: Bool)? {
        guard bytes.count >= 12 else { return nil }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        return (id, bytes[2] & 0x80 != 0, bytes[2] & 0x02 != 0)
    }
}

/// A bounds-checked cursor over a whole message (names may point anywhere before them).
struct DNSMessageReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readUInt8() throws(DNSMessageError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DNSMessageError) -> UInt16 {
        guard bytes.count - offset >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(DNSMessageError) -> UInt32 {
        UInt32(try readUInt16()) << 16 | UInt32(try readUInt16())
    }

    mutating func readBytes(_ count: Int) throws(DNSMessageError) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// RFC 1035 §4.1.4: labels, ending in a zero length or a pointer (two bytes, high bits 11,
    /// 14-bit offset from the message start). Each pointer must point strictly before the
    /// previous jump's start, so that following pointers always ends; the name is at most 255
    /// octets however it was compressed.
    mutating func readName() throws(DNSMessageError) -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var position = offset
        var lowestJump = offset   // every pointer must land before this
        var resumeAt: Int?        // where the reader continues after the first pointer
        while true {
            guard position < bytes.count else { throw .truncated }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? position + 1
                    return DNSName(validatedLabels: labels)
                }
                let start = position + 1, end = start + Int(length)
                guard end <= bytes.count else { throw .truncated }
                wireLength += 1 + Int(length)
                guard wireLength <= DNSName.maximumWireLength else { throw .invalidName }
                labels.append(Array(bytes[start..<end]))
                position = end
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < lowestJump else { throw .compressionLoop }
                if resumeAt == nil { resumeAt = position + 2 }
                lowestJump = target
                position = target
            default:
                throw .reservedLabelType
            }
        }
    }

    mutating func readQuestion() throws(DNSMessageError) -> DNSQuestion {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        return DNSQuestion(name: name, type: type, questionClass: try readUInt16())
    }

    mutating func readRecord() throws(DNSMessageError) -> DNSResourceRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let recordClass = try readUInt16()
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        guard bytes.count - offset >= length else { throw .truncated }
        let end = offset + length
        let data = try readRecordData(type: type, end: end)
        offset = end
        return DNSResourceRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: data)
    }

    /// Reads RDATA that must end exactly at `end`.
    private mutating func readRecordData(type: DNSRecordType, end: Int) throws(DNSMessageError) -> DNSRecordData {
        let length = end - offset
        let invalid = DNSMessageError.invalidRecordData(type: type.rawValue)
        let data: DNSRecordData
        switch type {
        case .a:
            guard length == 4 else { throw invalid }
            data = .a(try readBytes(4))
        case .aaaa:
            guard length == 16 else { throw invalid }
            data = .aaaa(try readBytes(16))
        case .cname:
            data = .cname(try readName())
        case .mx:
            guard length >= 3 else { throw invalid }
            data = .mx(preference: try readUInt16(), exchange: try readName())
        case .txt:
            guard length >= 1 else { throw invalid }
            var strings: [[UInt8]] = []
            while offset < end {
                let count = Int(try readUInt8())
                guard end - offset >= count else { throw invalid }
                strings.append(try readBytes(count))
            }
            data = .txt(strings)
        default:
            data = .other(try readBytes(length))
        }
        guard offset == end else { throw invalid }
        return data
    }
}
