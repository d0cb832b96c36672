import Catalog
@testable import MailStore
import Testing

/// Where a message (by Message-ID) ended up: how many catalog entries the archive's messages
/// have, its bytes in the archive, and the `user/mailbox` names that hold it.
struct FilterPlacements {
    var archived: Int
    var raw: [UInt8]?
    var mailboxes: [String]

    static func of(_ messageID: String, in store: MailStore,
                   users: [String] = ["alice@localhost", "bob@localhost"]) async throws -> FilterPlacements {
        let hits = try await store.catalog.messages.search(try SearchQuery(parsing: "message-id:\(messageID)"))
        var mailboxes: [String] = []
        for user in users {
            for mailbox in try await store.mailboxes.mailboxes(of: user) {
                let messages = try await store.mailboxes.messages(in: mailbox.name, of: user)
                if messages.contains(where: { message in hits.contains { $0.id == message.sha256 } }) {
                    mailboxes.append("\(user)/\(mailbox.name)")
                }
            }
        }
        let raw = try hits.first.flatMap { try store.archive.readBody(sha256: $0.id) }
        return FilterPlacements(archived: hits.count, raw: raw, mailboxes: mailboxes)
    }
}
