#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailMessage
import Sieve

/// Whether a script's `vacation` request may be answered at all, before the period is consulted
/// (RFC 5230 §4.5–4.6, RFC 3834 §2 and §3.1). Pure: the message and the addresses are given.
///
/// No reply:
/// - to the null reverse-path (RFC 3834 §2: it marks a message to which nobody may respond);
/// - to automatic mail: `Auto-Submitted` other than "no" (RFC 3834 §5), `Precedence` bulk, junk
///   or list (RFC 5230 §4.6, RFC 3834 §3.1.8), or list mail with `List-Id` (RFC 2919) or another
///   `List-*` field of RFC 2369 (RFC 5230 §4.6);
/// - to senders that are programs by their local part: MAILER-DAEMON, LISTSERV, majordomo,
///   `owner-*`, `*-request` (RFC 5230 §4.6, the list Pigeonhole uses too);
/// - to the user themselves (one of their addresses is the sender: a reply would be a loop);
/// - when none of the user's addresses — the account, the envelope recipient, `:addresses` — is in
///   To, Cc, Bcc, Resent-To, Resent-Cc or Resent-Bcc (RFC 5230 §4.5: the user was not addressed
///   directly, e.g. a Bcc from a list).
/// The reply goes to the envelope sender (RFC 5230 §4.5 and §5.5, RFC 3834 §4).
enum VacationDecision: Sendable, Hashable {
    case reply(to: String)
    case suppressed(reason: String)

    init(_ vacation: SieveVacation, message: Message, envelopeFrom: String, user: String, envelopeTo: String) {
        let sender = Self.bare(envelopeFrom)
        guard !sender.isEmpty else {
            self = .suppressed(reason: "the message came from the null reverse-path (RFC 3834 §2)")
            return
        }
        if let autoSubmitted = Self.value(of: "Auto-Submitted", in: message),
           Self.keyword(autoSubmitted) != "no" {
            self = .suppressed(reason: "the message is Auto-Submitted: \(autoSubmitted) (RFC 3834 §5)")
            return
        }
        if let precedence = Self.value(of: "Precedence", in: message),
           ["bulk", "junk", "list"].contains(Self.keyword(precedence)) {
            self = .suppressed(reason: "the message has Precedence: \(precedence) (RFC 5230 §4.6)")
            return
        }
        if let field = Self.listFields.first(where: { message.header.contains(named: $0) }) {
            self = .suppressed(reason: "the message came from a mailing list (\(field), RFC 5230 §4.6)")
            return
        }
        let local = Self.localPart(of: sender).lowercased()
        if ["mailer-daemon", "listserv", "majordomo"].contains(local) || local.hasPrefix("owner-")
            || local.hasSuffix("-request") {
            self = .suppressed(reason: "the sender <\(sender)> is a mail program (RFC 5230 §4.6)")
            return
        }
        var own = Set([user, envelopeTo, Self.withoutDetail(envelopeTo)].map(Self.fold))
        for address in vacation.addresses { own.insert(Self.fold(address)) }
        if own.contains(Self.fold(sender)) {
            self = .suppressed(reason: "the sender <\(sender)> is the user's own address")
            return
        }
        let recipients = Self.recipientFields.flatMap { message.addresses($0) }.map { Self.fold($0.mailbox) }
        guard recipients.contains(where: { own.contains($0) || own.contains(Self.withoutDetail($0)) }) else {
            self = .suppressed(reason: "none of the user's addresses is in To, Cc or Bcc (RFC 5230 §4.5)")
            return
        }
        self = .reply(to: sender)
    }

    /// RFC 2369 §3 and RFC 2919 §2: fields only list software adds.
    static let listFields = [
        "List-Id", "List-Help", "List-Subscribe", "List-Unsubscribe", "List-Post", "List-Owner", "List-Archive",
    ]

    /// RFC 5230 §4.5: where the user must be named.
    static let recipientFields = ["To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"]

    private static func value(of field: String, in message: Message) -> String? {
        message.header.first(named: field).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The keyword before any parameters or comment ("auto-replied; owner=…" → "auto-replied").
    private static func keyword(_ value: String) -> String {
        let end = value.firstIndex(where: { $0 == ";" || $0 == "(" || $0 == " " }) ?? value.endIndex
        return value[..<end].lowercased()
    }

    private static func localPart(of address: String) -> Substring {
        address.lastIndex(of: "@").map { address[..<$0] } ?? address[...]
    }

    /// The local part as written and the domain in lower case (RFC 5321 §2.4); local parts are
    /// compared without case too, as every mail system in practice treats them.
    static func fold(_ address: String) -> String {
        bare(address).lowercased()
    }

    /// Without surrounding spaces and angle brackets.
    static func bare(_ address: String) -> String {
        String(address.drop { $0 == " " || $0 == "<" }.reversed().drop { $0 == " " || $0 == ">" }.reversed())
    }

    /// "bob+lists@example.org" → "bob@example.org" (RFC 5233 subaddress).
    static func withoutDetail(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@"), let plus = address[..<at].firstIndex(of: "+") else { return address }
        return String(address[..<plus] + address[at...])
    }
}
