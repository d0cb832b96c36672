import Foundation
import MailMessage

/// What a script is run against: the message, its envelope, the time, and what the store can
/// tell about the recipient's mailboxes. No I/O happens during a run.
public struct SieveInput: Sendable {
    public var message: Message
    /// The envelope sender (MAIL FROM), "" for the null reverse-path.
    public var envelopeFrom: String
    /// The envelope recipient this run is for, as the client gave it (RCPT TO), e.g. "bob+lists@example.org".
    public var envelopeTo: String
    /// "now" for `currentdate` and relative dates.
    public var currentDate: Date
    /// The zone `date`/`currentdate` use when no `:zone`/`:originalzone` says otherwise.
    public var timeZone: TimeZone
    /// Whether the recipient has a mailbox of this name (RFC 5490 `mailboxexists`, and
    /// `fileinto` without `:create`); names are as the script writes them ("/" hierarchy).
    public var mailboxExists: @Sendable (String) -> Bool
    /// The `environment` items (RFC 5183 §4.1), by lower-case name; an item not here makes the
    /// test false. Starts with what holds everywhere: name, version, location "MDA" and phase
    /// "during" (Sieve runs at delivery); the delivery side adds "domain", "host" and the
    /// client's "remote-host"/"remote-ip" where it knows them.
    public var environment: [String: String] = SieveInput.fixedEnvironment

    /// The `duplicate` keys (`SieveDuplicateCheck.key`) the store has seen within their period
    /// (RFC 7352 §3); the delivery side reads them, possibly running the script again once it
    /// knows which keys the script asks about.
    public var seenDuplicates: Set<String> = []

    /// The spam and virus verdicts for `spamtest` and `virustest` (RFC 5235); not tested by default.
    public var scan = SieveScanResults()

    /// RFC 5183 §4.1 items that do not depend on the delivery.
    public static let fixedEnvironment = ["name": "Tresor", "version": "1", "location": "MDA", "phase": "during"]

    public init(message: Message, envelopeFrom: String, envelopeTo: String, currentDate: Date = Date(),
                timeZone: TimeZone = .current, mailboxExists: @escaping @Sendable (String) -> Bool = { $0 == "INBOX" }) {
        self.message = message
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.currentDate = currentDate
        self.timeZone = timeZone
        self.mailboxExists = mailboxExists
    }
}

/// An explicit action a script took (RFC 5228 §4, and the extensions).
public enum SieveAction: Sendable, Hashable {
    /// `keep` (RFC 5228 §4.3), with the flags in effect (RFC 5232 §3: `:flags` or the internal variable).
    case keep(flags: [String])
    /// `fileinto` (RFC 5228 §4.1); `create` is RFC 5490 `:create`, `copy` RFC 3894 `:copy`.
    case fileInto(mailbox: String, flags: [String], create: Bool, copy: Bool)
    /// `redirect` (RFC 5228 §4.2), `copy` RFC 3894 `:copy`.
    case redirect(address: String, copy: Bool)
    /// `discard` (RFC 5228 §4.4).
    case discard
    /// `reject` / `ereject` (RFC 5429), with the reason text.
    case reject(reason: String, extended: Bool)
    /// `vacation` (RFC 5230 §4): a reply to ask the delivery side for; it keeps the implicit keep.
    case vacation(SieveVacation)
}

/// What running one or more scripts decided.
public struct SieveOutcome: Sendable, Hashable {
    /// Explicit actions, in order, duplicates removed (RFC 5228 §2.10.3).
    public var actions: [SieveAction]
    /// True when the implicit keep was not cancelled (RFC 5228 §2.10.2): the message also goes
    /// to INBOX with `implicitKeepFlags`.
    public var implicitKeep: Bool
    /// The imap4flags internal variable at the end (RFC 5232 §3), for the implicit keep.
    public var implicitKeepFlags: [String]
    /// A run-time error (RFC 5228 §2.10.6); when set, `actions` is empty and `implicitKeep` true,
    /// so the message is filed into INBOX and nothing is lost.
    public var error: SieveError?
    /// Every `duplicate` test evaluated (RFC 7352), in order — also when the run failed, so that
    /// the caller learns which keys to look up; it remembers them only for a successful run.
    public var duplicateChecks: [SieveDuplicateCheck]
    /// The message as `addheader`/`deleteheader` (RFC 5293) left it — the copy the user's
    /// filings are to hold; nil when the run edited nothing (or failed: RFC 5228 §2.10.6 keeps
    /// the message as it came).
    public var editedMessage: [UInt8]?

    public init(actions: [SieveAction] = [], implicitKeep: Bool = true, implicitKeepFlags: [String] = [],
                error: SieveError? = nil, duplicateChecks: [SieveDuplicateCheck] = [], editedMessage: [UInt8]? = nil) {
        self.editedMessage = editedMessage
        self.actions = actions
        self.implicitKeep = implicitKeep
        self.implicitKeepFlags = implicitKeepFlags
        self.error = error
        self.duplicateChecks = duplicateChecks
    }
}
