/// The header fields of a message or a MIME part, in order (RFC 5322 §2.2, RFC 2045 §3).
///
/// Keeps a reference to the message's raw bytes (an array shares its storage, so this costs a
/// retain, not a copy) so that lookups can return unfolded values without being handed `raw`.
public struct HeaderSection: Sendable {
    /// The fields in the order they appear; lines that are not fields are not listed.
    public let fields: [HeaderField]
    /// The header: from its first line through the empty line that ends it (when there is one).
    /// The body starts at `range.upperBound`.
    public let range: Range<Int>
    let raw: [UInt8]

    init(fields: [HeaderField], range: Range<Int>, raw: [UInt8]) {
        self.fields = fields
        self.range = range
        self.raw = raw
    }

    /// An empty section at `offset` (for a body that has no header, e.g. a truncated part).
    static func empty(at offset: Int, raw: [UInt8]) -> HeaderSection {
        HeaderSection(fields: [], range: offset..<offset, raw: raw)
    }

    /// The first field with this name (ASCII case-insensitive).
    public func field(named name: String) -> HeaderField? {
        fields.first { LineScan.equalsIgnoringASCIICase($0.name.utf8, name.utf8) }
    }

    /// Every field with this name (ASCII case-insensitive), in order.
    public func fields(named name: String) -> [HeaderField] {
        fields.filter { LineScan.equalsIgnoringASCIICase($0.name.utf8, name.utf8) }
    }

    /// The unfolded value of the first field with this name, or nil.
    public func first(named name: String) -> [UInt8]? {
        field(named: name).map { $0.unfoldedValue(in: raw) }
    }

    /// The unfolded values of every field with this name, in order.
    public func all(named name: String) -> [[UInt8]] {
        fields(named: name).map { $0.unfoldedValue(in: raw) }
    }

    /// Whether a field with this name is present.
    public func contains(named name: String) -> Bool { field(named: name) != nil }
}
