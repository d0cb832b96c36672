/// Which header fields `address` may test (a compile-time check).
enum SieveAddressHeaders {
    /// Header fields known not to hold addresses (RFC 5322 §3.6, RFC 2045, RFC 2369, RFC 2919).
    /// RFC 5228 §5.1 restricts `address` to address headers; like Pigeonhole, headers this list
    /// does not know (X-Original-To, …) are allowed.
    static func isNonAddressHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return nonAddressHeaders.contains(lower) || lower.hasPrefix("content-") || lower.hasPrefix("list-")
    }

    private static let nonAddressHeaders: Set<String> = [
        "date", "subject", "comments", "keywords", "message-id", "in-reply-to", "references", "received",
        "resent-date", "resent-message-id", "mime-version",
    ]
}
