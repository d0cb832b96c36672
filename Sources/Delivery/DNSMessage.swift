// DNS messages (RFC 1035 §4.1): the values this client sends and reads, and the test server
// answers with. Decoding is in DNSMessage+Decode.swift, encoding in DNSMessage+Encode.swift.
//
// Invariants: decoding never traps on hostile bytes (every read is bounds-checked and ends in a
// DNSMessageError); counts in the header are never trusted for allocation; names are at most
// 255 octets and compression pointers only point backwards.

/// One DNS message: header, question and the three record sections (RFC 1035 §4.1).
public struct DNSMessage: Sendable, Hashable {
    /// RFC 1035 §4.1.1: matches a response to its query.
    public var id: UInt16
    /// QR: false in a query, true in a response.
    public var isResponse: Bool
    /// OPCODE: 0 is a standard query.
    public var opcode: UInt8
    /// AA
    public var isAuthoritative: Bool
    /// TC: the answer did not fit in the datagram; ask again over TCP (RFC 1035 §4.2.1, RFC 7766 §5).
    public var isTruncated: Bool
    /// RD
    public var recursionDesired: Bool
    /// RA
    public var recursionAvailable: Bool
    /// RCODE (the header's four bits; EDNS extended codes are not combined in).
    public var responseCode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    public var additionals: [DNSResourceRecord]

    public init(id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
                isTruncated: Bool = false, recursionDesired: Bool = true, recursionAvailable: Bool = false,
                responseCode: DNSResponseCode = .noError, questions: [DNSQuestion] = [],
                answers: [DNSResourceRecord] = [], authorities: [DNSResourceRecord] = [],
                additionals: [DNSResourceRecord] = []) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// A recursive query for one question, with an EDNS(0) OPT record offering `udpPayloadSize`
    /// (RFC 6891 §6.1.2; 1232 is the DNS Flag Day 2020 size that avoids IP fragmentation).
    public static func query(id: UInt16, name: DNSName, type: DNSRecordType, udpPayloadSize: UInt16 = 1232) -> DNSMessage {
        DNSMessage(id: id, recursionDesired: true,
                   questions: [DNSQuestion(name: name, type: type)],
                   additionals: [DNSResourceRecord(name: .root, type: .opt, recordClass: udpPayloadSize, ttl: 0,
                                                   data: .other([]))])
    }
}

/// RFC 1035 §4.1.1 RCODE (with the RFC 6895 names).
public struct DNSResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    /// NXDOMAIN: the name does not exist (authoritative; RFC 2308 §2.1).
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE \(rawValue)"
        }
    }
}

/// RFC 1035 §3.2.2 TYPE / §3.2.3 QTYPE.
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let mx = DNSRecordType(rawValue: 15)
    public static let txt = DNSRecordType(rawValue: 16)
    /// RFC 3596 §2.1.
    public static let aaaa = DNSRecordType(rawValue: 28)
    /// RFC 6891 §6.1.1: the EDNS(0) pseudo-record.
    public static let opt = DNSRecordType(rawValue: 41)

    public var description: String {
        switch rawValue {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 41: "OPT"
        default: "TYPE\(rawValue)"
        }
    }
}

/// RFC 1035 §4.1.2.
public struct DNSQuestion: Sendable, Hashable {
    public var name: DNSName
    public var type: DNSRecordType
    /// QCLASS; 1 is IN, the Internet.
    public var questionClass: UInt16

    public init(name: DNSName, type: DNSRecordType, questionClass: UInt16 = DNSResourceRecord.internetClass) {
        self.name = name
        self.type = type
        self.questionClass = questionClass
    }
}

/// RFC 1035 §4.1.3: a resource record.
public struct DNSResourceRecord: Sendable, Hashable {
    /// CLASS IN.
    public static let internetClass: UInt16 = 1

    public var name: DNSName
    public var type: DNSRecordType
    /// CLASS; in an OPT record the requester's UDP payload size (RFC 6891 §6.1.2).
    public var recordClass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: DNSRecordType, recordClass: UInt16 = internetClass, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    /// A record whose type follows from its data (A, AAAA, CNAME, MX, TXT).
    public init(name: DNSName, ttl: UInt32 = 300, data: DNSRecordData) {
        let type: DNSRecordType = switch data {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .mx: .mx
        case .txt: .txt
        case .other: DNSRecordType(rawValue: 0)
        }
        self.init(name: name, type: type, ttl: ttl, data: data)
    }
}

/// RDATA of the types mail delivery reads; anything else is kept as raw bytes.
public enum DNSRecordData: Sendable, Hashable {
    /// RFC 1035 §3.4.1: four octets.
    case a([UInt8])
    /// RFC 3596 §2.2: sixteen octets.
    case aaaa([UInt8])
    /// RFC 1035 §3.3.1.
    case cname(DNSName)
    /// RFC 1035 §3.3.9; an exchange of "." is the null MX of RFC 7505.
    case mx(preference: UInt16, exchange: DNSName)
    /// RFC 1035 §3.3.14: one or more character-strings of at most 255 octets each.
    case txt([[UInt8]])
    /// Any other type, uninterpreted (names inside it are not decompressed).
    case other([UInt8])
}
