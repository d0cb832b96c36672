/// clamd's answer to one INSTREAM scan (clamd(8), "INSTREAM"): `stream: OK`, `stream: <name>
/// FOUND`, or an error line ending in `ERROR` — among them `INSTREAM size limit exceeded. ERROR`
/// when the message is longer than its `StreamMaxLength`, which says nothing about the content
/// and must never read as clean. With the `z` prefix the reply ends in NUL.
enum ClamdReply: Sendable, Hashable {
    case clean
    case infected(signature: String)
    /// Anything else, with clamd's text for the log.
    case error(String)

    init(parsing bytes: some Collection<UInt8>) {
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last == "\0" || last == "\n" || last == "\r" || last == " " { text.removeLast() }
        // The reply names the stream first ("stream: …"); a reply to a numbered session would
        // start with "<n>: ", which this client never asks for.
        guard text.hasPrefix("stream: ") else {
            self = .error(text)
            return
        }
        let verdict = text.dropFirst("stream: ".count)
        if verdict == "OK" {
            self = .clean
        } else if verdict.hasSuffix(" FOUND") {
            let signature = verdict.dropLast(" FOUND".count)
            self = signature.isEmpty ? .error(text) : .infected(signature: String(signature))
        } else {
            self = .error(text)
        }
    }
}
