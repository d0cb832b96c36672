#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The part of rspamd's `/checkv2` JSON reply Tresor uses (protocol page, "Rspamd HTTP reply"):
/// the recommended `action`, the `score` and the `required_score` it is compared with, and the
/// names of the `symbols` (rules) that matched, for the header field and the log.
struct RspamdResult: Sendable, Hashable {
    var action: RspamdAction
    var score: Double
    var requiredScore: Double?
    /// Sorted by name, so the header field and the log line are the same for the same result.
    var symbols: [String]

    /// Reads a reply body; throws `FilterFailure` when it is no JSON object with an action and a score.
    init(json bytes: [UInt8]) throws(FilterFailure) {
        struct Reply: Decodable {
            var action: String
            var score: Double
            var required_score: Double?
            var symbols: [String: Symbol]?
        }
        struct Symbol: Decodable {}
        let reply: Reply
        do {
            reply = try JSONDecoder().decode(Reply.self, from: Data(bytes))
        } catch {
            throw FilterFailure("rspamd's reply is not a scan result: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        action = RspamdAction(reply.action)
        score = reply.score
        requiredScore = reply.required_score
        symbols = (reply.symbols ?? [:]).keys.sorted()
    }

    init(action: RspamdAction, score: Double, requiredScore: Double? = nil, symbols: [String] = []) {
        self.action = action
        self.score = score
        self.requiredScore = requiredScore
        self.symbols = symbols
    }
}
