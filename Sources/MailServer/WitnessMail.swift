import MailMessage
import MailStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The daily witness mail: a short explanation and the witness file (`tresor anchor export`'s
/// format) as an attachment, for an auditor's mailbox outside the machine. A MIME message
/// (RFC 2045, RFC 2046 §5.1.3 multipart/mixed) with CRLF lines; the JSON attachment is base64 in
/// 76-character lines (RFC 2045 §6.8), since a token's base64 in the JSON is one long line, longer
/// than RFC 5321 §4.5.3.1.6 allows on the wire.
enum WitnessMail {
    /// The message's bytes. `hostname` names the server in the sender, the subject and the
    /// Message-ID; the message goes out from the null reverse-path, like a DSN.
    static func make(witness: Witness, to recipients: [String], hostname: String, date: Date,
                     token: String = UniqueToken.random()) -> [UInt8] {
        let boundary = "tresor-witness-\(token)"
        let day = Timestamp.day(date)
        let fileName = "tresor-witness-\(day).json"
        let anchors = witness.anchors.map { "  \($0.genTime)  \($0.tsa)  record \($0.stamped)" }
        var text = """
            From: Tresor witness <postmaster@\(hostname)>
            To: \(recipients.map { "<\($0)>" }.joined(separator: ", "))
            Subject: Tresor witness of \(hostname), \(day): record \(witness.location)
            Date: \(DateWriter.utcDateTime(date))
            Message-ID: <\(token).witness@\(hostname)>
            Auto-Submitted: auto-generated
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="\(boundary)"

            This is a MIME-formatted message.

            --\(boundary)
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            The mail archive on \(hostname) held record \(witness.location) with chain value
            \(witness.chain)
            at \(witness.time) (\(witness.records) records), signed with archive key
            \(witness.key).

            Time stamps it carries:
            \(anchors.isEmpty ? "  none" : anchors.joined(separator: "\n"))

            Keep this mail, or the attached file, where the server's administrators cannot change
            it. To check later that the archive was neither rolled back nor rewritten since, run
              tresor verify --witness \(fileName)
            on the server or on a copy of its data directory.

            --\(boundary)
            Content-Type: application/json; name="\(fileName)"
            Content-Disposition: attachment; filename="\(fileName)"
            Content-Transfer-Encoding: base64


            """
        text += base64Lines(witness.encoded())
        text += "\n--\(boundary)--\n"
        return Array(text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n").utf8)
    }

    /// Base64 in lines of 76 characters, LF-separated.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: "\n")
    }
}
