/// What the spam and virus scanners said about a message, for `spamtest`, `spamtestplus` and
/// `virustest` (RFC 5235). The delivery side fills it (from header fields the administrator
/// names, `SieveScanHeaders` in MailStore); nil means the message was not tested.
public struct SieveScanResults: Sendable, Hashable {
    /// How likely spam, 0 (certainly not) to 100 (certainly).
    public var spamPercent: Int?
    /// RFC 5235 §3.3: 1 no virus; 2 a virus was removed; 3 probably clean; 4 probably infected;
    /// 5 infected and not cleaned.
    public var virus: Int?

    public init(spamPercent: Int? = nil, virus: Int? = nil) {
        self.spamPercent = spamPercent.map { min(max($0, 0), 100) }
        self.virus = virus.map { min(max($0, 1), 5) }
    }

    /// RFC 5235 §3.1: "0" not tested, "1" certainly not spam … "10" certainly spam.
    var spamtestValue: String {
        guard let percent = spamPercent else { return "0" }
        return String(1 + (percent * 9 + 50) / 100)
    }

    /// RFC 5235 §3.2 (`:percent`): "0" to "100". A message that was not tested also gives "0",
    /// which without `:percent` would tell the two apart.
    var spamtestPercentValue: String {
        String(spamPercent ?? 0)
    }

    /// RFC 5235 §3.3: "0" not tested, else 1–5.
    var virustestValue: String {
        String(virus ?? 0)
    }
}
