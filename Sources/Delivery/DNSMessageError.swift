/// Why bytes are not a DNS message this client can use (RFC 1035 §4). Every malformed input ends
/// in one of these, never in a crash: the bytes come from the network.
public enum DNSMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message ends inside a header, question, record or name.
    case truncated
    /// A label length with the reserved high bits 01 or 10 (RFC 1035 §4.1.4, RFC 6891 §5).
    case reservedLabelType
    /// A compression pointer that does not point strictly backwards, so could loop
    /// (RFC 1035 §4.1.4 says pointers refer to a prior occurrence).
    case compressionLoop
    /// A name over 255 octets, a label over 63, an empty label in text.
    case invalidName
    /// A record's data does not match its type (an A record of 5 bytes, an MX whose name runs past
    /// its RDLENGTH, …).
    case invalidRecordData(type: UInt16)
    /// A record's data over 65,535 bytes or a message over 65,535 bytes: it cannot be encoded.
    case tooLong

    public var description: String {
        switch self {
        case .truncated: "DNS message truncated"
        case .reservedLabelType: "DNS name uses a reserved label type"
        case .compressionLoop: "DNS name compression pointer does not point backwards"
        case .invalidName: "invalid DNS name"
        case .invalidRecordData(let type): "invalid data for DNS record type \(type)"
        case .tooLong: "DNS message or record too long"
        }
    }
}
