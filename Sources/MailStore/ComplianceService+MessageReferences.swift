import Catalog
import QueryLanguage
import StoreModel

/// Naming messages the ways people meet them: the archive's id (a SHA-256 or a unique prefix), a
/// Message-ID from a mail client, or the SMTP transaction id from the server's log; and the date,
/// sender and subject that make a list of ids readable.
extension ComplianceService {
    /// The SHA-256 of the one message `reference` names: 8 to 64 hex digits of its id, else a
    /// Message-ID (`<id@host>`, brackets optional) or an SMTP transaction id. Throws
    /// `unknownMessage` when none matches, or several do (naming them). Not audited: it reveals no
    /// more than that the message exists; what is then read of it is.
    public func messageID(for reference: String) async throws(ComplianceError) -> String {
        try await catching {
            let text = reference.trimmingWhitespace()
            let isHex = (8...64).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isHexDigit }
            if isHex, let entry = try await catalog.messages.message(id: text) { return entry.id }
            let ids = try await catalog.messages.messages(reference: text)
            switch ids.count {
            case 0:
                throw ComplianceError.unknownMessage(
                    "no archived message with the id, Message-ID or SMTP transaction id \(reference)")
            case 1:
                return ids[0]
            default:
                throw ComplianceError.unknownMessage(
                    "\(reference) names \(ids.count) messages; give one of their ids: " + ids.joined(separator: ", "))
            }
        }
    }

    /// Date, sender and subject of each message in `ids`, by id. For listing the messages a
    /// retention run, plan or purge covers: that run's own audit entry records the reading, so this
    /// adds none.
    public func headlines(of ids: [String]) async throws(ComplianceError) -> [String: MessageHeadline] {
        try await catching { try await catalog.messages.headlines(of: ids) }
    }
}
