/// A Content-Type value (RFC 2045 §5.1), parameters per RFC 2045 and RFC 2231.
public struct MediaType: Hashable, Sendable {
    /// Lowercased, e.g. "text".
    public var type: String
    /// Lowercased, e.g. "plain".
    public var subtype: String
    /// Keys lowercased, values decoded (RFC 2231 sections joined, RFC 2047 words decoded).
    public var parameters: [String: String]

    public var mimeType: String { "\(type)/\(subtype)" }

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    // content := "Content-Type" ":" type "/" subtype *(";" parameter)     ; RFC 2045 §5.1
    /// Parses a Content-Type value; nil when there is no usable "type/subtype" ("text;
    /// charset=us-ascii", "application-x-gzip; name=x"). RFC 2045 §5.2 then makes the part
    /// text/plain; that default, and keeping the parameters as Python does, is the caller's choice.
    public static func parse(_ value: some Collection<UInt8>) -> MediaType? {
        var scanner = HeaderScanner(value)
        scanner.skipCFWS()
        let type = scanner.readToken()
        scanner.skipCFWS()
        guard !type.isEmpty, scanner.current == UInt8(ascii: "/") else { return nil }
        scanner.position += 1
        scanner.skipCFWS()
        let subtype = scanner.readToken()
        guard !subtype.isEmpty else { return nil }
        let parameters = MIMEParameters.parse(&scanner)
        return MediaType(
            type: type.lowercasedASCIIString(), subtype: subtype.lowercasedASCIIString(), parameters: parameters)
    }
}
