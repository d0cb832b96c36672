import MailMessage

/// The attachments of a message, in tree order: every leaf part that is an attachment by
/// disposition (RFC 2183 §2.2) or carries a file name, except message/* parts: encapsulated
/// messages and reports are part of the message text already (`Message.plainText`).
public struct MessageAttachment: Sendable {
    /// The part's number in the tree (IMAP's section numbering, "1.2").
    public var partNumber: String
    public var document: AttachmentDocument
}

extension Message {
    public var attachmentDocuments: [MessageAttachment] {
        parts.compactMap { part in
            guard !part.isMultipart, !part.isEncapsulatedMessage, part.contentType.type != "message",
                part.disposition?.kind == "attachment" || part.fileName != nil
            else { return nil }
            let type = part.contentType.type + "/" + part.contentType.subtype
            return MessageAttachment(
                partNumber: part.partNumber,
                document: AttachmentDocument(fileName: part.fileName, mediaType: type, bytes: part.decodedBody(in: raw)))
        }
    }
}
