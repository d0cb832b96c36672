/// A response code: the bracketed text after OK, NO, BAD, PREAUTH or BYE.
/// RFC 3501 §7.1, RFC 9051 §7.1, RFC 4315 (UIDPLUS), RFC 7162 (CONDSTORE), RFC 5530, RFC 4469.
public enum IMAPResponseCode: Hashable, Sendable {
    case alert
    case parse
    case readOnly
    case readWrite
    case tryCreate
    case uidValidity(UInt32)
    case uidNext(UInt32)
    /// RFC 3501 only: the first unseen message.
    case unseen(UInt32)
    case permanentFlags([IMAPFlag])
    case capability([String])
    case badCharset([String])
    /// RFC 4315 §3: the UIDs APPEND assigned (a set with MULTIAPPEND).
    case appendUID(uidValidity: UInt32, uids: SequenceSet)
    /// RFC 4315 §3: source and destination UIDs, paired by position.
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    case uidNotSticky
    /// RFC 7162 §3.1.2.1.
    case highestModSeq(UInt64)
    /// RFC 7162 §3.1.2.2.
    case noModSeq
    /// RFC 7162 §3.1.3: messages that failed the UNCHANGEDSINCE test.
    case modified(SequenceSet)
    /// RFC 7162 §3.2.11 / RFC 9051 §7.1: the previously selected mailbox is now closed.
    case closed
    /// RFC 4469 §5, RFC 7889: too large to accept.
    case tooBig
    // RFC 5530 §3
    case unavailable, authenticationFailed, authorizationFailed, expired, privacyRequired, contactAdmin
    case noPerm, inUse, expungeIssued, corruption, serverBug, clientBug, cannot, limit, overQuota
    case alreadyExists, nonExistent
    /// RFC 6154 §5: a special-use attribute the server does not support.
    case useAttr
    /// Any other code: an atom and optional text.
    case other(String, String?)
}

// MARK: - Encoding

extension IMAPResponseCode {
    // resp-text-code, RFC 3501 §9 and the extensions above
    func write(to writer: inout IMAPWriter) {
        writer.append("[")
        switch self {
        case .alert: writer.append("ALERT")
        case .parse: writer.append("PARSE")
        case .readOnly: writer.append("READ-ONLY")
        case .readWrite: writer.append("READ-WRITE")
        case .tryCreate: writer.append("TRYCREATE")
        case .uidValidity(let n): writer.append("UIDVALIDITY \(n)")
        case .uidNext(let n): writer.append("UIDNEXT \(n)")
        case .unseen(let n): writer.append("UNSEEN \(n)")
        case .permanentFlags(let flags):
            writer.append("PERMANENTFLAGS ")
            writer.appendFlags(flags)
        case .capability(let names): writer.append((["CAPABILITY"] + names).joined(separator: " "))
        case .badCharset(let names):
            writer.append("BADCHARSET")
            if !names.isEmpty {
                writer.append(" (")
                for (i, name) in names.enumerated() {
                    if i > 0 { writer.append(" ") }
                    writer.appendAString(Array(name.utf8))
                }
                writer.append(")")
            }
        case .appendUID(let validity, let uids): writer.append("APPENDUID \(validity) \(uids)")
        case .copyUID(let validity, let source, let destination):
            writer.append("COPYUID \(validity) \(source) \(destination)")
        case .uidNotSticky: writer.append("UIDNOTSTICKY")
        case .highestModSeq(let n): writer.append("HIGHESTMODSEQ \(n)")
        case .noModSeq: writer.append("NOMODSEQ")
        case .modified(let set): writer.append("MODIFIED \(set)")
        case .closed: writer.append("CLOSED")
        case .tooBig: writer.append("TOOBIG")
        case .unavailable: writer.append("UNAVAILABLE")
        case .authenticationFailed: writer.append("AUTHENTICATIONFAILED")
        case .authorizationFailed: writer.append("AUTHORIZATIONFAILED")
        case .expired: writer.append("EXPIRED")
        case .privacyRequired: writer.append("PRIVACYREQUIRED")
        case .contactAdmin: writer.append("CONTACTADMIN")
        case .noPerm: writer.append("NOPERM")
        case .inUse: writer.append("INUSE")
        case .expungeIssued: writer.append("EXPUNGEISSUED")
        case .corruption: writer.append("CORRUPTION")
        case .serverBug: writer.append("SERVERBUG")
        case .clientBug: writer.append("CLIENTBUG")
        case .cannot: writer.append("CANNOT")
        case .limit: writer.append("LIMIT")
        case .overQuota: writer.append("OVERQUOTA")
        case .alreadyExists: writer.append("ALREADYEXISTS")
        case .nonExistent: writer.append("NONEXISTENT")
        case .useAttr: writer.append("USEATTR")
        case .other(let atom, let text):
            writer.append(atom)
            if let text {
                writer.append(" ")
                // resp-text-code text: any TEXT-CHAR except "]"
                writer.append(String(text.unicodeScalars.filter { $0 != "]" && $0 != "\r" && $0 != "\n" }))
            }
        }
        writer.append("]")
    }
}
