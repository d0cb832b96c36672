import MailMessage
import StoreModel

/// One durable delivery to index: the parsed message, where the archive put it, and its envelope.
public struct IndexItem: Sendable {
    public var message: Message
    public var receipt: AppendReceipt
    public var envelope: Envelope

    public init(message: Message, receipt: AppendReceipt, envelope: Envelope) {
        self.message = message
        self.receipt = receipt
        self.envelope = envelope
    }
}
