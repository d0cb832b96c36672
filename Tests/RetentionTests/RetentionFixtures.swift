import ArchiveStore
import Catalog
import Foundation
import MailMessage
import MailStore
import Retention
import TestSupport

/// Stores in temporary directories, messages with chosen dates, and policies written inline.
enum RetentionFixtures {
    static func withStore(_ body: (MailStore, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let keys = dir.appendingPathComponent("keys", isDirectory: true)
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            _ = try ArchiveKey.create(inKeysDirectory: keys)
            let store = try MailStore(dataDirectory: dir)
            defer { store.close() }
            try await body(store, dir)
        }
    }

    /// Two operators of `store`: alice, its first admin, and bob, a compliance officer she added.
    static func operators(_ store: MailStore) async throws -> (alice: GovernanceSigner, bob: GovernanceSigner) {
        let alice = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("alice", role: .admin))
        let bob = GovernanceSigner.operatorKey(try await store.compliance.enrolOperator("bob", role: .compliance, by: alice))
        return (alice, bob)
    }

    /// `2020-03-15` at `hour`:00 UTC.
    static func day(_ text: String, hour: Int = 0) -> Date {
        RetentionDate.parse(text)!.addingTimeInterval(Double(hour) * 3600)
    }

    /// RFC 5322 date-time of `date` in UTC.
    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// A message; `date` nil leaves the Date header out.
    static func message(_ tag: String, from: String = "alice@example.com", to: String = "bob@example.org",
                        subject: String? = nil, date: Date?) -> [UInt8] {
        var text = "From: <\(from)>\r\nTo: <\(to)>\r\nSubject: \(subject ?? tag)\r\nMessage-ID: <\(tag)@example.com>\r\n"
        if let date { text += "Date: \(rfc5322(date))\r\n" }
        text += "\r\nThe body of \(tag).\r\n"
        return Array(text.utf8)
    }

    /// Journals and indexes one delivery, archived at `archivedAt`; returns the message id (SHA-256).
    @discardableResult
    static func deliver(_ raw: [UInt8], to recipients: [String] = ["bob@example.org"], archivedAt: Date,
                        store: MailStore) async throws -> String {
        let envelope = Envelope(mailFrom: "alice@example.com", recipients: recipients, receivedAt: archivedAt,
                                direction: .inbound, source: MessageSource("smtp"))
        let items = [(message: Message(parsing: raw), envelope: envelope)]
        let journaled = try await store.delivery.journal(items)
        try await store.delivery.index(journaled)
        return journaled[0].receipt.sha256
    }

    /// Parses policy text as one file `name` (the test's expectations name it).
    static func policies(_ text: String, file: String = "policies.toml") throws -> PolicySet {
        PolicySet(policies: try PolicyFile.parse(text, file: file))
    }

    static func policy(_ name: String, match: String = "*", retain: String, countFrom: String = "message-date",
                       action: String = "purge", locked: Bool = false) -> String {
        """
        [[policy]]
        name = "\(name)"
        match = "\(match)"
        retain = "\(retain)"
        count_from = "\(countFrom)"
        action = "\(action)"
        locked = \(locked)

        """
    }
}
