/// A domain name as DNS carries it: a sequence of labels of raw bytes (RFC 1035 §3.1).
///
/// Names compare and hash case-insensitively for ASCII letters only (RFC 4343 §3): "MX.Example"
/// and "mx.example" are the same name, other bytes compare exactly. The root is the empty label
/// list. Text form has no trailing dot ("mx.example.com"), the root is ".". Escapes (`\.`, `\DDD`)
/// are not supported: mail domains never need them.
public struct DNSName: Sendable, CustomStringConvertible {
    /// The labels, leftmost first, without the final empty (root) label.
    public private(set) var labels: [[UInt8]]

    /// RFC 1035 §2.3.4: a label is 63 octets or less, a name 255 octets or less on the wire.
    public static let maximumLabelLength = 63
    public static let maximumWireLength = 255

    public static let root = DNSName(validatedLabels: [])

    init(validatedLabels: [[UInt8]]) { labels = validatedLabels }

    /// Parses "mx.example.com" or "mx.example.com." ("." or "" is the root); throws for an empty
    /// label ("a..b") or a label or name over the RFC 1035 §2.3.4 limits.
    public init(_ text: String) throws(DNSMessageError) {
        var body = Array(text.utf8)
        if body.last == UInt8(ascii: ".") { body.removeLast() }
        guard !body.isEmpty else { self = .root; return }
        let labels = body.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
        try self.init(labels: labels)
    }

    /// Checks the RFC 1035 §2.3.4 limits.
    public init(labels: [[UInt8]]) throws(DNSMessageError) {
        for label in labels {
            guard !label.isEmpty, label.count <= Self.maximumLabelLength else { throw .invalidName }
        }
        self.labels = labels
        guard wireLength <= Self.maximumWireLength else { throw .invalidName }
    }

    /// Length bytes plus label bytes plus the root's zero byte.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    public var isRoot: Bool { labels.isEmpty }

    public var description: String {
        isRoot ? "." : labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
    }

    /// The labels with ASCII letters lowered: the key for comparison and compression.
    var canonicalLabels: [[UInt8]] { labels.map { $0.map(Self.lowercased) } }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}

extension DNSName: Hashable {
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.canonicalLabels == rhs.canonicalLabels
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalLabels)
    }
}
