/// A Content-Disposition value (RFC 2183 §2), parameters per RFC 2045 and RFC 2231.
public struct ContentDisposition: Hashable, Sendable {
    /// Lowercased disposition type: "inline", "attachment", or an extension token; empty when the
    /// header gives parameters but no type (`Content-Disposition: ; filename=x`).
    public var kind: String
    /// Keys lowercased, values decoded (e.g. "filename", "size", "creation-date").
    public var parameters: [String: String]

    public init(kind: String, parameters: [String: String] = [:]) {
        self.kind = kind
        self.parameters = parameters
    }

    // disposition := "Content-Disposition" ":" disposition-type *(";" disposition-parm)  ; RFC 2183 §2
    /// Parses a Content-Disposition value; nil when it holds neither a type nor a parameter.
    public static func parse(_ value: some Collection<UInt8>) -> ContentDisposition? {
        var scanner = HeaderScanner(value)
        scanner.skipCFWS()
        let kind = scanner.readToken()
        // A type without its ";" ("attachment filename=x") still yields the parameters after it.
        let parameters = MIMEParameters.parse(&scanner)
        if kind.isEmpty, parameters.isEmpty { return nil }
        return ContentDisposition(kind: kind.lowercasedASCIIString(), parameters: parameters)
    }
}
