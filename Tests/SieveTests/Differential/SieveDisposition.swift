import Sieve

/// What a Sieve run decided for one message, reduced to what two implementations must agree
/// on: the mailboxes that get a copy (with its IMAP flags), the addresses it is redirected to,
/// whether it is rejected, and whether the run failed.
///
/// A message that ends up in no mailbox, redirected nowhere and not rejected is discarded; so
/// `discard` itself needs no field (RFC 5228 §4.4: it only cancels the implicit keep, and an
/// explicit `keep` beside it still stores the message).
struct SieveDisposition: Hashable, CustomStringConvertible {
    /// One copy stored into a mailbox. Flags are lower-cased: IMAP flags compare
    /// case-insensitively (RFC 3501 §2.3.2), and Pigeonhole prints system flags lower-cased.
    struct Store: Hashable, Comparable {
        var mailbox: String
        var flags: Set<String>

        init(mailbox: String, flags: [String]) {
            self.mailbox = mailbox
            self.flags = Set(flags.map { $0.lowercased() })
        }

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.mailbox, lhs.flags.sorted().joined(separator: " ")) < (rhs.mailbox, rhs.flags.sorted().joined(separator: " "))
        }
    }

    var stores: Set<Store> = []
    var redirects: Set<String> = []
    var rejected = false
    /// A run-time error (RFC 5228 §2.10.6). Both implementations then file the message into
    /// INBOX and nothing else; what they would have done is not compared.
    var failed = false
    /// Whether the run asked for a vacation reply (RFC 5230). Whether the reply is then sent
    /// depends on state (the period) and on the delivery side's rules, so only the request is compared.
    var vacation = false
    /// Actions this comparison does not model (vacation, notify, …), as printed; a difference
    /// here is a difference.
    var other: [String] = []

    /// The implicit keep (RFC 5228 §2.10.2) files into INBOX.
    static let inbox = "INBOX"

    var description: String {
        if failed { return "run-time error → INBOX" }
        var parts = stores.sorted().map { store in
            store.flags.isEmpty ? store.mailbox : "\(store.mailbox) [\(store.flags.sorted().joined(separator: " "))]"
        }
        parts += redirects.sorted().map { "redirect \($0)" }
        if rejected { parts.append("reject") }
        if vacation { parts.append("vacation") }
        parts += other
        return parts.isEmpty ? "discarded" : parts.joined(separator: ", ")
    }
}

extension SieveDisposition {
    /// Tresor's decision: explicit actions plus the implicit keep.
    init(_ outcome: SieveOutcome) {
        if outcome.error != nil {
            failed = true
            return
        }
        for action in outcome.actions {
            switch action {
            case .keep(let flags): stores.insert(Store(mailbox: Self.inbox, flags: flags))
            case .fileInto(let mailbox, let flags, _, _): stores.insert(Store(mailbox: mailbox, flags: flags))
            case .redirect(let address, _): redirects.insert(address)
            case .discard: break
            case .reject: rejected = true
            case .vacation: vacation = true
            }
        }
        if outcome.implicitKeep { stores.insert(Store(mailbox: Self.inbox, flags: outcome.implicitKeepFlags)) }
    }

    /// Pigeonhole's decision, read from what `sieve-test` prints: a "Performed actions:" and an
    /// "Implicit keep:" section of ` * action` lines, each followed by `   + detail` lines, and
    /// on stderr `final result: failed; resolved with successful implicit keep` after a
    /// run-time error.
    init(pigeonholeOutput output: String) {
        // Flags are printed under the ` * store` line they belong to.
        var pending: Store?
        func flush(_ disposition: inout SieveDisposition) {
            if let store = pending { disposition.stores.insert(store) }
            pending = nil
        }
        for rawLine in output.split(whereSeparator: \.isNewline) {
            // Only leading blanks are layout: a mailbox name may end in a space.
            let line = String(rawLine.drop { $0 == " " || $0 == "\t" })
            if line.contains("final result: failed") {
                self = SieveDisposition()
                failed = true
                return
            }
            if let flags = line.removingPrefix("+ add IMAP flags: "), pending != nil {
                pending?.flags.formUnion(flags.split(separator: " ").map { $0.lowercased() })
                continue
            }
            guard line.hasPrefix("* ") else { continue }
            flush(&self)
            if let mailbox = line.removingPrefix("* store message in folder: ") {
                pending = Store(mailbox: mailbox, flags: [])
            } else if let address = line.removingPrefix("* redirect message to: ") {
                redirects.insert(address.hasPrefix("<") && address.hasSuffix(">")
                                 ? String(address.dropFirst().dropLast()) : address)
            } else if line.hasPrefix("* reject message") || line.hasPrefix("* ereject") {
                rejected = true
            } else if line.hasPrefix("* send vacation message") {
                vacation = true
            } else if line != "* discard" && !line.hasPrefix("* track duplicate") {
                // `track duplicate` only remembers the message (RFC 7352); nothing to compare.
                other.append(String(line.dropFirst(2)))
            }
        }
        flush(&self)
    }
}

private extension StringProtocol {
    func removingPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
