import MailMessage

/// Where `spamtest` and `virustest` (RFC 5235) read their verdicts: header fields a scanner in
/// front of Tresor adds (SpamAssassin's X-Spam-Score, a virus scanner's X-Virus-Status). Off
/// unless configured (`[sieve]` in tresor.toml; MailStore applies it at delivery). Those fields are only as trustworthy as the
/// scanner that sets them: it must remove copies a sender wrote, or a sender can claim "clean".
public struct SieveScanHeaders: Sendable, Hashable {
    /// The field holding a spam score (a decimal number, the first one in the value); nil: off.
    public var spamScoreField: String?
    /// The score that counts as certainly spam (100 %, spamtest 10); 0 and below count as 0 %.
    public var spamScoreMaximum: Double
    /// The field saying whether a virus was found; nil: off.
    public var virusField: String?
    /// Values of `virusField` (compared by their first word, ignoring case) that mean infected
    /// (virustest 5); any other value means clean (1).
    public var infectedValues: [String]

    public init(spamScoreField: String? = nil, spamScoreMaximum: Double = 10, virusField: String? = nil,
                infectedValues: [String] = ["infected", "yes", "virus"]) {
        self.spamScoreField = spamScoreField
        self.spamScoreMaximum = spamScoreMaximum
        self.virusField = virusField
        self.infectedValues = infectedValues
    }

    public static let off = SieveScanHeaders()

    /// The verdicts for `message`: not tested where the field is not configured or absent, or
    /// holds no number.
    public func results(for message: Message) -> SieveScanResults {
        var results = SieveScanResults()
        if let field = spamScoreField, let value = message.header.first(named: field),
           let score = Self.firstNumber(in: String(decoding: value, as: UTF8.self)), spamScoreMaximum > 0 {
            results = SieveScanResults(spam: score / spamScoreMaximum)
        }
        if let field = virusField, let value = message.header.first(named: field) {
            let word = String(decoding: value, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" })
                .first.map { $0.lowercased() } ?? ""
            let infected = infectedValues.contains { $0.lowercased() == word }
            results = SieveScanResults(spam: results.spam, virus: infected ? 5 : 1)
        }
        return results
    }

    /// "4.2", "-1.5", "score=7.3 required=5.0" → the first decimal number.
    static func firstNumber(in text: String) -> Double? {
        var digits = ""
        for character in text {
            if character.isASCII, character.isNumber || (character == "." && !digits.isEmpty && !digits.contains("."))
                || (character == "-" && digits.isEmpty) {
                digits.append(character)
            } else if digits.contains(where: \.isNumber) {
                break
            } else {
                digits = ""
            }
        }
        return Double(digits)
    }
}
