/// A DMARC policy record (RFC 7489 §6.3), the tags this receiver acts on. `pct` is read but
/// not applied (every failing message gets the policy: sampling would make the archive's
/// handling of equal messages differ at random); reporting tags (rua, ruf, fo, rf, ri) are
/// not acted on, as Tresor sends no DMARC reports.
public struct DMARCRecord: Sendable, Hashable {
    /// §6.3 p= and sp=.
    public enum Policy: String, Sendable, Hashable {
        case none, quarantine, reject
    }

    /// §6.3 adkim= and aspf=: relaxed (organizational domains equal) or strict (names equal).
    public enum Alignment: String, Sendable, Hashable {
        case relaxed = "r", strict = "s"
    }

    public var policy: Policy
    public var subdomainPolicy: Policy?
    public var dkimAlignment: Alignment
    public var spfAlignment: Alignment
    public var percent: Int

    /// Whether a TXT record is a DMARC record: "v=DMARC1" as the first tag (§6.4, §6.6.3).
    public static func isDMARC(_ text: String) -> Bool {
        let first = text.split(separator: ";", maxSplits: 1).first ?? ""
        return first.filter { !$0.isWhitespace } == "v=DMARC1"
    }

    /// nil for a record that is not DMARC or whose p= is missing or unknown (§6.6.3: such a
    /// record is as if there were none).
    public init?(parsing text: String) {
        guard Self.isDMARC(text) else { return nil }
        var tags: [String: String] = [:]
        for entry in text.split(separator: ";") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].filter { !$0.isWhitespace }.lowercased()
            if tags[key] == nil { tags[key] = parts[1].filter { !$0.isWhitespace } }
        }
        guard let policy = tags["p"].flatMap({ Policy(rawValue: $0.lowercased()) }) else { return nil }
        self.policy = policy
        subdomainPolicy = tags["sp"].flatMap { Policy(rawValue: $0.lowercased()) }
        dkimAlignment = tags["adkim"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        spfAlignment = tags["aspf"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        percent = tags["pct"].flatMap { Int($0) }.map { min(100, max(0, $0)) } ?? 100
    }
}
