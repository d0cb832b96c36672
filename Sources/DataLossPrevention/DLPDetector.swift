import MailMessage

/// One thing a DLP rule looks for in an outgoing message.
public enum DLPDetector: Sendable, Hashable {
    /// A payment card number with a valid Luhn check digit (`PaymentCardNumbers`).
    case paymentCard
    /// An IBAN of its country's length with valid check digits (`IBANs`).
    case iban
    /// A regular expression (Swift `Regex` syntax, the common Perl/ICU dialect) found in the text.
    case regex(pattern: String)
    /// An attachment whose file name ends in one of the extensions, or whose MIME type is one of
    /// the types (entries with a "/"), compared without case.
    case attachmentType([String])
    /// A recipient outside the server's local domains.
    case externalRecipient

    /// The word a rule file uses.
    public var word: String {
        switch self {
        case .paymentCard: "payment-card"
        case .iban: "iban"
        case .regex: "regex"
        case .attachmentType: "attachment-type"
        case .externalRecipient: "external-recipient"
        }
    }

    public static let words = ["payment-card", "iban", "regex", "attachment-type", "external-recipient"]
}

/// What the detectors look at: the message's text (subject and every text part, decoded), its
/// parts, and the envelope recipients outside the local domains (the caller knows the domains).
public struct OutgoingMessage: Sendable {
    public var message: Message
    public var text: String
    public var externalRecipients: [String]

    public init(message: Message, externalRecipients: [String]) {
        self.message = message
        self.externalRecipients = externalRecipients
        text = (message.subject ?? "") + "\n" + message.plainText()
    }
}

extension DLPDetector {
    /// Whether the detector finds something in `outgoing`. A regex that does not compile finds
    /// nothing (rule files are validated when loaded, so this is never reached from them).
    public func finds(in outgoing: OutgoingMessage) -> Bool {
        switch self {
        case .paymentCard:
            return PaymentCardNumbers.count(in: outgoing.text) > 0
        case .iban:
            return IBANs.count(in: outgoing.text) > 0
        case .regex(let pattern):
            guard let regex = try? Regex(pattern) else { return false }
            return outgoing.text.contains(regex)
        case .attachmentType(let types):
            return outgoing.message.parts.contains { Self.part($0, isOneOf: types) }
        case .externalRecipient:
            return !outgoing.externalRecipients.isEmpty
        }
    }

    static func part(_ part: MIMEPart, isOneOf types: [String]) -> Bool {
        guard !part.isMultipart else { return false }
        let mimeType = part.contentType.mimeType.lowercased()
        let fileExtension = part.fileName.flatMap { name -> String? in
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
            return name[name.index(after: dot)...].lowercased()
        }
        return types.contains { type in
            let type = type.lowercased()
            return type.contains("/") ? type == mimeType : type == fileExtension
        }
    }
}
