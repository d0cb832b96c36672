/// What a DLP rule does with an outgoing message it matches.
public enum DLPAction: Sendable, Hashable {
    /// Refused at the end of DATA (550 5.7.1) with the rule's name; nothing is stored.
    case reject
    /// Accepted (250) and journaled, but held from the outbound queue until a compliance
    /// operator releases or rejects it (`tresor quarantine`).
    case quarantine
    /// Delivered, and a notice (rule, sender, recipients, subject — never the matched text) sent
    /// to `address`.
    case notify(address: String)
    /// Delivered, and a copy filed to the compliance mailbox `address`.
    case copy(address: String)

    public var word: String {
        switch self {
        case .reject: "reject"
        case .quarantine: "quarantine"
        case .notify: "notify"
        case .copy: "copy"
        }
    }

    /// The more severe actions first: when several rules match, the most severe decides whether
    /// the message leaves (reject before quarantine); notices and copies of every match are made.
    var severity: Int {
        switch self {
        case .reject: 3
        case .quarantine: 2
        case .notify, .copy: 1
        }
    }
}
