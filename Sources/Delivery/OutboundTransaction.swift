/// One message for one connection: the envelope and the bytes as they will be sent (CRLF lines,
/// DKIM fields already prepended; dot-stuffing happens on the way out).
public struct OutboundTransaction: Sendable, Hashable {
    public var mailFrom: String
    public var recipients: [String]
    public var content: [UInt8]
    public init(mailFrom: String, recipients: [String], content: [UInt8]) {
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.content = MessageWireEncoding.canonicalLines(content)
    }
}

/// The answer for each recipient of one transaction, in the transaction's order.
public struct TransactionOutcome: Sendable, Hashable {
    public var replies: [SMTPClientReply]
}
