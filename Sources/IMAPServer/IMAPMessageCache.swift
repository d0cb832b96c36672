import MailMessage

/// The last few messages of the selected mailbox, parsed (with CRLF line ends), so that a FETCH
/// or SEARCH parses each message once and a client that fetches the same message item by item
/// does not parse it again. Bounded by count and by bytes; emptied when the mailbox changes.
struct IMAPMessageCache: Sendable {
    /// Messages kept at most; a FETCH or SEARCH batch (`batchSize`) always fits.
    static let capacity = 128
    /// Raw bytes kept at most (one large message may exceed it alone and is still kept until the
    /// next insertion).
    static let byteCapacity = 64 << 20
    /// Messages asked from the backend at once.
    static let batchSize = 64

    private var entries: [UInt32: Message] = [:]
    /// UIDs from least to most recently used.
    private var order: [UInt32] = []
    private var bytes = 0

    subscript(uid: UInt32) -> Message? { entries[uid] }

    func contains(_ uid: UInt32) -> Bool { entries[uid] != nil }

    /// Parses and keeps a message's stored bytes.
    @discardableResult
    mutating func insert(uid: UInt32, stored: [UInt8]) -> Message {
        let message = Message(parsing: IMAPMessageEncoding.crlf(stored))
        if let old = entries[uid] {
            bytes -= old.raw.count
            order.removeAll { $0 == uid }
        }
        while !order.isEmpty, order.count >= Self.capacity || bytes + message.raw.count > Self.byteCapacity {
            let evicted = order.removeFirst()
            bytes -= entries.removeValue(forKey: evicted)?.raw.count ?? 0
        }
        entries[uid] = message
        order.append(uid)
        bytes += message.raw.count
        return message
    }

    mutating func removeAll() {
        entries = [:]
        order = []
        bytes = 0
    }
}
