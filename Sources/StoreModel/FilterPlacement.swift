/// Where a content filter at the SMTP door (the spam or the virus scanner) sends a delivery it let
/// into the archive, kept in the delivery's envelope so that `recover()` places a journaled
/// delivery as the live one would have: the decision is part of the compliance record.
public enum FilterPlacement: String, Codable, Sendable, Hashable {
    /// Spam the scanner did not refuse (rspamd's `add header` or `rewrite subject`): what would
    /// go to a user's INBOX goes to their `Junk` folder instead.
    case junk
    /// Malware kept as evidence: archived and indexed, placed in no mailbox, sent nowhere.
    case quarantine
    /// Outgoing mail a DLP rule holds: filed for its local recipients as usual, but nothing is
    /// queued for a remote recipient or a redirect until a compliance operator releases it.
    case held
}
