import ArchiveStore
import Catalog
import MailMessage
import StoreModel

/// What became of one SMTP delivery once it is durable.
public struct DeliveryOutcome: Sendable, Hashable {
    /// Where the archive journaled it.
    public var receipt: AppendReceipt
    /// One per mailbox a local user's copy was filed into (INBOX unless Sieve said otherwise),
    /// with its UID and flags; none for a user whose script discarded or rejected it.
    public var placements: [Placement]
    /// Remote recipients and Sieve redirect targets now in the outbound queue.
    public var queued: [String]
    /// Envelope recipients that reached nobody, and users removed between RCPT and commit: the
    /// message is archived with them in its envelope but placed for none of them.
    public var undeliverable: [String]
}

extension MailStore {
    /// The envelope sources whose deliveries are routed (placed and queued); recovery routes the
    /// journaled deliveries of these sources that were never routed. Compared case-insensitively.
    /// "sieve" is a rejection notice (RFC 5429 §2.1) sent by a user's script.
    public static let routedSources: Set<String> = ["smtp", "submission", "lmtp", "sieve"]

    /// SMTP delivery (DESIGN.md "The way a message travels"): parse → journal (group commit, fsync)
    /// → Sieve (the global script and each local recipient's active one decide its filings,
    /// redirects, rejections; see `applySieve`) → in ONE catalog transaction (shared with
    /// concurrent deliveries): index, file into each local recipient's mailboxes, queue each remote
    /// recipient and redirect. Returns only when all of it is durable. Then rejection notices.
    /// Recipients are expanded through aliases and subaddresses as `resolveRecipient` does.
    ///
    /// If this throws after the journal step, the delivery is in the archive and `recover()` completes
    /// it at the next start (at-least-once: a client told 4xx may send it again).
    public func deliver(message raw: [UInt8], envelope: Envelope) async throws -> DeliveryOutcome {
        let message = Message(parsing: raw)
        let routing = try await self.route(for: envelope.recipients)
        let receipt = try await archive.append(message: raw, envelope: envelope)
        let sieved = try await applySieve(routing, message: message, envelope: envelope, location: receipt.envelope)
        try await journalEvents(sieved.route.audit)
        let item = IndexItem(message: message, receipt: receipt, envelope: envelope)
        let result = try await committer.commit(RoutedDelivery(item: item, route: sieved.route))
        logFallbacks(result, location: receipt.envelope)
        await publishPlacements(result.placements)
        if !result.alreadyRouted && !sieved.rejections.isEmpty {
            await sendRejections(sieved.rejections, original: message, envelope: envelope)
        }
        return DeliveryOutcome(receipt: receipt, placements: result.placements, queued: result.queued,
                               undeliverable: routing.unknown + result.missingUsers)
    }

    // MARK: - Read side (IMAP and POP3 later)

    /// A user's mailboxes, INBOX first; empty for an unknown user.
    public func mailboxes(of user: String) async throws -> [MailboxInfo] {
        try await catalog.mailboxes.mailboxes(of: AccountAddress.fold(user))
    }

    /// The messages of one of a user's mailboxes, in UID order.
    public func messages(in mailbox: String, of user: String) async throws -> [MailboxMessage] {
        try await catalog.mailboxes.messages(in: mailbox, of: AccountAddress.fold(user))
    }

    /// Every remote recipient waiting in the outbound queue, oldest first.
    public func outboundQueue() async throws -> [QueuedMessage] {
        try await catalog.queue.outboundQueue()
    }
}
