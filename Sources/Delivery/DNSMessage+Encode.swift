// Encoding DNS messages for the wire (RFC 1035 §4.1), compressing names (§4.1.4) in owner names,
// questions and the RDATA of CNAME and MX (the types §4.1.4 and RFC 3597 §4 allow it for).

extension DNSMessage {
    /// The message's bytes. Throws `.tooLong` when a record's data or the message passes 65,535
    /// bytes, the most a TCP length prefix can carry (RFC 1035 §4.2.2).
    public func encoded() throws(DNSMessageError) -> [UInt8] {
        var writer = DNSMessageWriter()
        writer.writeUInt16(id)
        var flags: UInt16 = UInt16(opcode & 0x0F) << 11 | UInt16(responseCode.rawValue & 0x0F)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        writer.writeUInt16(flags)
        for section in [questions.count, answers.count, authorities.count, additionals.count] {
            guard section <= Int(UInt16.max) else { throw .tooLong }
            writer.writeUInt16(UInt16(section))
        }
        for question in questions {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.questionClass)
        }
        for record in answers + authorities + additionals { try writer.writeRecord(record) }
        guard writer.bytes.count <= Int(UInt16.max) else { throw .tooLong }
        return writer.bytes
    }
}

/// Appends to a message, remembering where each name suffix was written so later names can
/// point to it (only offsets below 0x4000 fit in a pointer).
struct DNSMessageWriter {
    private(set) var bytes: [UInt8] = []
    private var suffixOffsets: [[[UInt8]]: Int] = [:]

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(value >> 16))
        writeUInt16(UInt16(value & 0xFFFF))
    }

    mutating func writeName(_ name: DNSName) {
        let key = name.canonicalLabels
        for index in name.labels.indices {
            let suffix = Array(key[index...])
            if let target = suffixOffsets[suffix] {
                writeUInt16(0xC000 | UInt16(target))
                return
            }
            if bytes.count < 0x4000 { suffixOffsets[suffix] = bytes.count }
            bytes.append(UInt8(name.labels[index].count))
            bytes.append(contentsOf: name.labels[index])
        }
        bytes.append(0)
    }

    mutating func writeRecord(_ record: DNSResourceRecord) throws(DNSMessageError) {
        writeName(record.name)
        writeUInt16(record.type.rawValue)
        writeUInt16(record.recordClass)
        writeUInt32(record.ttl)
        let lengthAt = bytes.count
        writeUInt16(0)
        switch record.data {
        case .a(let address), .aaaa(let address):
            bytes.append(contentsOf: address)
        case .cname(let name):
            writeName(name)
        case .mx(let preference, let exchange):
            writeUInt16(preference)
            writeName(exchange)
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else { throw .invalidRecordData(type: record.type.rawValue) }
                bytes.append(UInt8(string.count))
                bytes.append(contentsOf: string)
            }
        case .other(let raw):
            bytes.append(contentsOf: raw)
        }
        let length = bytes.count - lengthAt - 2
        guard length <= Int(UInt16.max) else { throw .tooLong }
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
