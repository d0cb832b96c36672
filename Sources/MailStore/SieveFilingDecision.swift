import Catalog
import Sieve
import StoreModel

/// What one user's Sieve outcome means for the store: where the message is filed, where copies
/// are redirected, which rejections to send, and what to warn about. Pure: the caller looked up
/// which mailboxes exist.
///
/// Rules (RFC 5228 §2.10, RFC 5232, RFC 5490, RFC 5429):
/// - `keep` and the implicit keep file into INBOX with their flags; `fileinto` into its mailbox.
/// - A run-time error files into INBOX (the interpreter already reduced the outcome to the
///   implicit keep); so does a `fileinto` whose mailbox does not exist without `:create`, or whose
///   name is unusable — the message is never lost, and a warning says why.
/// - `discard` and `reject` place nothing for the user (the archive keeps the message anyway).
/// - `vacation` places nothing itself (the implicit keep stays, RFC 5230 §4.7).
/// - Two filings into one mailbox are one placement with the union of their flags (§2.10.3).
struct SieveFilingDecision: Sendable, Hashable {
    var filings: [Filing] = []
    var redirects: [String] = []
    /// The reason text of each `reject`/`ereject`.
    var rejections: [String] = []
    /// The `vacation` request (RFC 5230), if the script made one; the delivery side decides
    /// whether it is answered (`VacationDecision`, the period in the catalog).
    var vacation: SieveVacation?
    var warnings: [String] = []

    init(outcome: SieveOutcome, mailboxExists: (String) -> Bool) {
        if let error = outcome.error {
            warnings.append("run-time error at \(error): filed into INBOX")
            add(Filing(mailbox: "INBOX", flags: Self.flags(outcome.implicitKeepFlags)))
            return
        }
        for action in outcome.actions {
            switch action {
            case .keep(let flags):
                add(Filing(mailbox: "INBOX", flags: Self.flags(flags)))
            case .fileInto(let mailbox, let flags, let create, _):
                let flags = Self.flags(flags)
                guard let name = Self.mailboxName(mailbox) else {
                    warnings.append("fileinto \"\(mailbox)\": not a usable mailbox name; filed into INBOX")
                    add(Filing(mailbox: "INBOX", flags: flags))
                    continue
                }
                if !create && !mailboxExists(name) {
                    warnings.append("fileinto \"\(mailbox)\": no such mailbox (and no :create); filed into INBOX")
                    add(Filing(mailbox: "INBOX", flags: flags))
                    continue
                }
                add(Filing(mailbox: name, flags: flags, create: create && name != "INBOX"))
            case .redirect(let address, _):
                guard let address = Self.redirectAddress(address) else {
                    warnings.append("redirect \"\(address)\": not an address; ignored")
                    continue
                }
                if !redirects.contains(address) { redirects.append(address) }
            case .discard:
                break
            case .reject(let reason, _):
                rejections.append(reason)
            case .vacation(let request):
                vacation = request
            }
        }
        if outcome.implicitKeep {
            add(Filing(mailbox: "INBOX", flags: Self.flags(outcome.implicitKeepFlags)))
        }
    }

    /// A filing to a mailbox already filed into merges its flags (RFC 5228 §2.10.3: one copy).
    private mutating func add(_ filing: Filing) {
        guard let index = filings.firstIndex(where: { $0.mailbox == filing.mailbox }) else {
            filings.append(filing)
            return
        }
        for flag in filing.flags where !filings[index].flags.contains(flag) { filings[index].flags.append(flag) }
        filings[index].create = filings[index].create || filing.create
    }

    // MARK: - Names, flags and addresses

    /// The stored name of the mailbox a script names, or nil if it is unusable. RFC 3501 §5.1:
    /// INBOX is case-insensitive; "/" separates levels, so no empty level and no leading or
    /// trailing "/"; no control characters; no LIST wildcards `*` `%` (RFC 3501 §6.3.8); at most
    /// 255 octets.
    static func mailboxName(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 255 else { return nil }
        if name.uppercased() == "INBOX" { return "INBOX" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) { return nil }
            if scalar == "*" || scalar == "%" { return nil }
        }
        let levels = name.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.allSatisfy({ !$0.isEmpty }) else { return nil }
        if levels[0].uppercased() == "INBOX" {
            return (["INBOX"] + levels.dropFirst().map(String.init)).joined(separator: "/")
        }
        return name
    }

    /// The flags to store (RFC 5232 §3 via RFC 3501 §2.3.2): system flags in their canonical case,
    /// keywords as atoms; `\Recent` (which only the server sets) and anything that is no flag are
    /// dropped; duplicates (case-insensitive) removed, order kept.
    static func flags(_ flags: [String]) -> [String] {
        var result: [String] = [], seen: Set<String> = []
        for flag in flags {
            let canonical: String
            if flag.hasPrefix("\\") {
                guard let system = systemFlags[flag.lowercased()] else { continue }
                canonical = system
            } else {
                guard isAtom(flag) else { continue }
                canonical = flag
            }
            if seen.insert(canonical.lowercased()).inserted { result.append(canonical) }
        }
        return result
    }

    private static let systemFlags: [String: String] = [
        "\\seen": "\\Seen", "\\answered": "\\Answered", "\\flagged": "\\Flagged", "\\deleted": "\\Deleted",
        "\\draft": "\\Draft",
    ]

    /// RFC 3501 §9: `atom = 1*ATOM-CHAR`, no specials `( ) { SP CTL % * " \ ]`, ASCII only.
    private static func isAtom(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 255 else { return false }
        return text.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"(){%*\"\\]".utf8.contains(byte)
        }
    }

    /// A redirect target (RFC 5228 §4.2: an RFC 5322 addr-spec): surrounding space and angle
    /// brackets dropped; one `@` with text on both sides, no space or control characters.
    static func redirectAddress(_ address: String) -> String? {
        var text = Substring(address)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        if text.hasPrefix("<"), text.hasSuffix(">"), text.count >= 2 { text = text.dropFirst().dropLast() }
        guard let at = text.lastIndex(of: "@"), at != text.startIndex, text.index(after: at) != text.endIndex,
            text.utf8.count <= 254,
            text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" })
        else { return nil }
        return String(text)
    }
}
