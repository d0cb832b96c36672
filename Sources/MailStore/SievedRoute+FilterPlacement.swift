import Catalog
import StoreModel

/// What a content filter's `FilterPlacement` does to a delivery's route; pure values.
extension SievedRoute {
    /// The folder spam goes to: the `\Junk` folder (RFC 6154 §2) every new user gets.
    static let junkMailbox = "Junk"

    /// Malware kept as evidence: every local user gets an empty filing list (placed nowhere,
    /// as Sieve `discard` does, and the archive keeps the delivery), nothing is queued for a
    /// remote recipient, and no script runs — so no redirect, vacation reply or rejection notice
    /// carries the message or answers its sender.
    static func quarantined(_ route: Route) -> SievedRoute {
        var route = route
        route.filings = Dictionary(uniqueKeysWithValues: route.localUsers.map { ($0, []) })
        route.remoteRecipients = []
        route.redirects = []
        return SievedRoute(route: route)
    }

    /// Outgoing mail a DLP rule holds: local users get what their scripts say, but nothing leaves
    /// the server — no remote recipient is queued and no redirect is sent (a redirect would carry
    /// the held message out). A release queues the remote recipients later.
    func heldFromOutbound() -> SievedRoute {
        var sieved = self
        sieved.route.remoteRecipients = []
        sieved.route.redirects = []
        return sieved
    }

    /// Spam the filter let through: each INBOX filing — a user without a script, `keep`, the
    /// implicit keep — goes to `Junk` with its flags, created if the user removed it. A script's
    /// `fileinto` elsewhere stands (the user chose it). No vacation reply answers spam: its
    /// sender is most likely forged, and the reply would be backscatter.
    func filedAsJunk() -> SievedRoute {
        var sieved = self
        for user in route.localUsers {
            sieved.route.filings[user] = route.filings(of: user).map { filing in
                guard filing.mailbox == "INBOX" else { return filing }
                return Filing(mailbox: Self.junkMailbox, flags: filing.flags, create: true)
            }
        }
        sieved.vacations = []
        return sieved
    }
}
