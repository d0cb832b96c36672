/// Where a record starts: its segment number and the byte offset of its frame in that segment
/// file. Written `"segment:offset"`, e.g. `"3:1048576"`, in envelopes, the catalog and the CLI.
public struct RecordLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    LosslessStringConvertible
{
    public var segment: UInt32
    public var offset: UInt64

    public init(segment: UInt32, offset: UInt64) {
        self.segment = segment
        self.offset = offset
    }

    /// Parses `"segment:offset"`; nil for anything else (no signs, no spaces).
    public init?(_ description: String) {
        let parts = description.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
            let segment = UInt32(Substring(parts[0])), let offset = UInt64(Substring(parts[1]))
        else { return nil }
        self.init(segment: segment, offset: offset)
    }

    public var description: String { "\(segment):\(offset)" }

    public static func < (lhs: RecordLocation, rhs: RecordLocation) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }

    // Encoded as its string form so that envelope payloads and JSON exports read "3:1048576".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let location = RecordLocation(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a record location: \(text)")
        }
        self = location
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
