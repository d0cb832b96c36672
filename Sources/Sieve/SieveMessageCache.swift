import MailMessage

/// What tests read from the message, computed once per run and shared by every test of every
/// script of that run: a 50-rule script asks for the same few header fields over and over, and
/// each read otherwise scans the header, unfolds and RFC 2047-decodes again. Keys are header
/// names in ASCII lower case. Lives only inside one `SieveInterpreter.run` (one thread).
///
/// It also holds the message as `addheader`/`deleteheader` left it (RFC 5293 §3: later tests
/// see the edits), so every script and included script of the run reads the same edited header.
final class SieveMessageCache {
    /// The message as the run's header edits have left it.
    private(set) var message: Message
    /// Whether an edit changed the message.
    private(set) var edited = false
    private var decodedValues: [String: [String]] = [:]
    private var addresses: [String: [String]] = [:]
    private var bodies: [SieveBodyTransform: [String]] = [:]

    init(message: Message) {
        self.message = message
    }

    /// Puts the edited message in place and forgets what was read from the previous one.
    func replace(with edited: Message) {
        message = edited
        self.edited = true
        decodedValues = [:]
        addresses = [:]
        bodies = [:]
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
