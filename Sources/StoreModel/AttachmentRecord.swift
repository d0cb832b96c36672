/// One attachment of a message as the catalog records it after the background indexer read it:
/// where it sits, what it claims to be, and whether its text is in the index (`state` is
/// "extracted", or the reason it is not: unsupported-type, encrypted, too-large, timed-out,
/// broken, tool-missing).
public struct AttachmentRecord: Sendable, Hashable, Codable {
    /// Position among the message's attachments, from 0.
    public var position: Int
    /// The MIME part number ("2", "1.3").
    public var part: String
    public var fileName: String?
    public var mediaType: String
    /// Decoded size in bytes.
    public var size: Int
    public var state: String

    public init(position: Int, part: String, fileName: String?, mediaType: String, size: Int, state: String) {
        self.position = position
        self.part = part
        self.fileName = fileName
        self.mediaType = mediaType
        self.size = size
        self.state = state
    }

    public var isExtracted: Bool { state == "extracted" }
}

/// How far the background attachment indexer is behind the archive.
public struct AttachmentIndexLag: Sendable, Hashable, Codable {
    /// Messages with attachments not read yet.
    public var messages: Int
    /// Seconds since the oldest of them was archived (0 when none waits).
    public var seconds: Double

    public init(messages: Int, seconds: Double) {
        self.messages = messages
        self.seconds = seconds
    }
}
