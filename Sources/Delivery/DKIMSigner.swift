#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto

/// Makes one DKIM-Signature header field (RFC 6376 §5) with relaxed/relaxed canonicalisation,
/// for one key of one domain and selector.
public struct DKIMSigner: Sendable {
    /// `d=`: the signing domain.
    public var domain: String
    /// `s=`: the selector; the key record is at `<selector>._domainkey.<domain>`.
    public var selector: String
    public var key: DKIMPrivateKey

    /// RFC 6376 §5.4.1's recommended fields, plus those that carry the content's meaning. Each is
    /// signed once per occurrence; absent ones are not listed (except `From`, see below).
    public static let signedHeaderNames: [String] = [
        "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
        "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
        "in-reply-to", "references",
        "resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-message-id",
        "list-id", "list-help", "list-unsubscribe", "list-unsubscribe-post", "list-subscribe", "list-post",
        "list-owner", "list-archive",
    ]

    /// Names listed once more than they occur (RFC 6376 §8.15), so that a field added later in
    /// transit breaks the signature: a second From is the classic spoof.
    public static let oversignedHeaderNames: Set<String> = ["from"]

    public init(domain: String, selector: String, key: DKIMPrivateKey) {
        self.domain = domain
        self.selector = selector
        self.key = key
    }

    /// The DKIM-Signature field for `message` (CRLF line ends), folded, ending in CRLF.
    public func signatureField(for message: [UInt8], at time: Date) throws -> [UInt8] {
        let parts = DKIMMessageParts(message)
        let present = parts.fields.map(\.lowercasedName)
        guard present.contains(Array("from".utf8)) else { throw DKIMError.missingFrom }

        // h=: every occurrence of each chosen name; §5.4.2 signs multiple instances bottom-up,
        // which `DKIMHeaderSelection` does when it reads this list.
        var signedNames: [String] = []
        for name in Self.signedHeaderNames {
            let count = present.filter { $0 == Array(name.utf8) }.count
            let times = count + (Self.oversignedHeaderNames.contains(name) ? 1 : 0)
            signedNames.append(contentsOf: repeatElement(name, count: times))
        }

        // bh= (§3.7): the body's hash after relaxed canonicalisation, the whole body (no l=).
        let bodyHash = SHA256.hash(data: DKIMCanonicalization.relaxedBody(message[parts.bodyStart...]))

        let tags: [(String, String)] = [
            ("v", "1"), ("a", key.algorithm.signatureAlgorithm), ("c", "relaxed/relaxed"),
            ("d", domain), ("s", selector), ("t", String(Int64(time.timeIntervalSince1970.rounded(.down)))),
            ("h", signedNames.joined(separator: ":")),
            ("bh", Data(bodyHash).base64EncodedString()),
        ]
        let unsigned = DKIMSignatureFieldFormatter.format(tags: tags, signature: "")

        // §3.7: the selected fields canonicalised, then this field with an empty b= canonicalised
        // and without its final CRLF.
        var data = DKIMHeaderSelection.canonicalFields(named: signedNames, in: parts.fields)
        var signatureField = DKIMCanonicalization.relaxedHeader(name: Array("DKIM-Signature".utf8),
                                                                value: Array(unsigned.dropFirst("DKIM-Signature:".utf8.count).utf8))
        signatureField.removeLast(2)
        data.append(contentsOf: signatureField)
        let signature = try key.sign(data)
        return Array(DKIMSignatureFieldFormatter.format(tags: tags, signature: Data(signature).base64EncodedString()).utf8)
    }
}

/// RFC 6376 §5.4.2: for each name in h=, the next instance of it counted from the bottom of the
/// header; a name with no instance left contributes nothing (that is what makes oversigning work).
enum DKIMHeaderSelection {
    static func canonicalFields(named names: [String], in fields: [DKIMHeaderField]) -> [UInt8] {
        var used: [[UInt8]: Int] = [:]   // per name, how many instances from the bottom are taken
        var output: [UInt8] = []
        for name in names {
            let key = Array(name.utf8).map(DNSName.lowercased)
            let skip = used[key, default: 0]
            let instances = fields.reversed().filter { $0.lowercasedName == key }
            used[key] = skip + 1
            guard skip < instances.count else { continue }
            let field = instances[skip]
            output.append(contentsOf: DKIMCanonicalization.relaxedHeader(name: field.name, value: field.value))
        }
        return output
    }
}

/// Lays out the DKIM-Signature field: tags separated by "; ", a tag moved to a new line (CRLF
/// TAB) when it would pass 78 columns (RFC 5322 §2.1.1), long values broken where RFC 6376 §3.5
/// allows FWS: before a ":" in h=, anywhere in base64 (bh=, b=).
enum DKIMSignatureFieldFormatter {
    static let lineWidth = 78

    static func format(tags: [(String, String)], signature: String) -> String {
        var writer = FieldWriter()
        for (tag, value) in tags {
            let pieces: [String] = switch tag {
            case "h": value.split(separator: ":").enumerated().map { $0 == 0 ? String($1) : ":" + $1 }
            case "bh": value.chunked(width: 16)
            default: [value]
            }
            writer.write(tag: tag, pieces: pieces, terminator: ";")
        }
        writer.write(tag: "b", pieces: signature.chunked(width: 16), terminator: "")
        return writer.text + "\r\n"
    }

    private struct FieldWriter {
        var text = "DKIM-Signature:"
        var column = "DKIM-Signature:".count

        mutating func write(tag: String, pieces: [String], terminator: String) {
            let head = "\(tag)=" + (pieces.first ?? "") + (pieces.count <= 1 ? terminator : "")
            if column + 1 + head.count > DKIMSignatureFieldFormatter.lineWidth { newLine() } else { add(" ") }
            add(head)
            for (index, piece) in pieces.enumerated().dropFirst() {
                let piece = index == pieces.count - 1 ? piece + terminator : piece
                if column + piece.count > DKIMSignatureFieldFormatter.lineWidth { newLine() }
                add(piece)
            }
        }

        private mutating func newLine() {
            text += "\r\n\t"
            column = 1
        }

        private mutating func add(_ piece: String) {
            text += piece
            column += piece.count
        }
    }
}

extension String {
    fileprivate func chunked(width: Int) -> [String] {
        var chunks: [String] = []
        var rest = Substring(self)
        while !rest.isEmpty {
            chunks.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        return chunks
    }
}
