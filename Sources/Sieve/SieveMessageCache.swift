import MailMessage

/// What tests read from the message, computed once per run and shared by every test of every
/// script of that run: a 50-rule script asks for the same few header fields over and over, and
/// each read otherwise scans the header, unfolds and RFC 2047-decodes again. Keys are header
/// names in ASCII lower case. Lives only inside one `SieveInterpreter.run` (one thread).
final class SieveMessageCache {
    private let message: Message
    private var decodedValues: [String: [String]] = [:]
    private var addresses: [String: [String]] = [:]
    private var bodies: [SieveBodyTransform: [String]] = [:]

    init(message: Message) {
        self.message = message
    }

    /// Every field of this name, unfolded and RFC 2047-decoded.
    func headerValues(_ name: String) -> [String] {
        let key = name.lowercased()
        if let cached = decodedValues[key] { return cached }
        let values = message.header.all(named: name).map { EncodedWords.decode($0) }
        decodedValues[key] = values
        return values
    }

    /// The addr-specs of every field of this name (group members included, names never).
    func headerAddresses(_ name: String) -> [String] {
        let key = name.lowercased()
        if let cached = addresses[key] { return cached }
        let values = message.header.all(named: name).flatMap { AddressParser.parseList($0) }.map(\.mailbox)
        addresses[key] = values
        return values
    }

    /// The texts the `body` test compares for this transform.
    func bodyTexts(_ transform: SieveBodyTransform) -> [String] {
        if let cached = bodies[transform] { return cached }
        let texts = SieveBodyExtractor.texts(of: message, transform: transform)
        bodies[transform] = texts
        return texts
    }
}
