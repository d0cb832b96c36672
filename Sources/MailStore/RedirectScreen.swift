import MailMessage
import StoreModel
import Synchronization

/// The outgoing-mail rules (data-loss prevention) for Sieve `redirect`s to addresses outside the
/// local domains: a redirect carries a local user's mail out as submission does, so the same rules
/// decide. The server installs the check when `[dlp]` is configured; without one every redirect
/// leaves as before. The check answers whether the copy may be queued; a copy it keeps back it has
/// already audited (and put into the quarantine, where an operator may still release it).
public final class RedirectScreen: Sendable {
    /// (the message, its delivery's envelope, the delivery's envelope record, the message's
    /// SHA-256, the outside address) → whether the redirect may be queued.
    public typealias Check = @Sendable (Message, Envelope, RecordLocation, String, String) async -> Bool

    private let check = Mutex<Check?>(nil)

    public init() {}

    public func install(_ check: @escaping Check) {
        self.check.withLock { $0 = check }
    }

    var isActive: Bool { check.withLock { $0 != nil } }

    func mayLeave(_ message: Message, envelope: Envelope, location: RecordLocation, to address: String) async -> Bool {
        guard let check = check.withLock({ $0 }) else { return true }
        return await check(message, envelope, location, MailboxService.sha256Hex(message.raw), address)
    }
}
