/// What the spam and virus scanners said about a message, for `spamtest`, `spamtestplus` and
/// `virustest` (RFC 5235). The delivery side fills it (from header fields the administrator
/// names, `SieveScanHeaders` in MailStore); nil means the message was not tested.
public struct SieveScanResults: Sendable, Hashable {
    /// How likely spam, 0 (certainly not) to 1 (certainly): the score over the score that counts
    /// as certain spam.
    public var spam: Double?
    /// RFC 5235 §3.3: 1 no virus; 2 a virus was removed; 3 probably clean; 4 probably infected;
    /// 5 infected and not cleaned.
    public var virus: Int?

    public init(spam: Double? = nil, virus: Int? = nil) {
        self.spam = spam.map { $0.isNaN ? 0 : min(max($0, 0), 1) }
        self.virus = virus.map { min(max($0, 1), 5) }
    }

    /// RFC 5235 §3.1: "0" not tested, "1" certainly not spam … "10" certainly spam; the steps
    /// between are rounded down, as Pigeonhole does (a score of 75 % is 7).
    var spamtestValue: String {
        guard let spam else { return "0" }
        return String(1 + Int((spam * 9).rounded(.down)))
    }

    /// RFC 5235 §3.2 (`:percent`): "0" to "100", rounded down as in Pigeonhole. A message that
    /// was not tested also gives "0" (Pigeonhole's answer too); without `:percent` the two differ.
    var spamtestPercentValue: String {
        String(Int(((spam ?? 0) * 100).rounded(.down)))
    }

    /// RFC 5235 §3.3: "0" not tested, else 1–5.
    var virustestValue: String {
        String(virus ?? 0)
    }
}
