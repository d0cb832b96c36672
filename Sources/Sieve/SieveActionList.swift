/// The explicit actions of a run as they accumulate over all scripts, with the rules for
/// combining them: duplicates collapse (RFC 5228 §2.10.3), which actions cancel the implicit
/// keep (§2.10.2, RFC 3894 §3 for `:copy`), which may not be combined (RFC 5429 §2.1, RFC 5230
/// §4.7), and the limits.
struct SieveActionList {
    private(set) var actions: [SieveAction] = []
    /// Whether some action cancelled the implicit keep (RFC 5228 §2.10.2).
    private(set) var implicitKeepCancelled = false
    let limits: SieveLimits

    init(limits: SieveLimits) {
        self.limits = limits
    }

    /// Adds an action, merging it with an earlier one of the same kind and target, as
    /// Pigeonhole does (RFC 5228 §2.10.3 leaves the details to the implementation):
    /// - `keep` twice is one keep, and `fileinto` twice into one mailbox is one; the later
    ///   action's flags are the ones stored, `:create` holds if either asked for it, and the
    ///   merged action is a `:copy` only if both were;
    /// - `redirect` twice to one address is one (local parts compared exactly, domains ignoring
    ///   ASCII case, RFC 5321 §2.4);
    /// - `discard` twice is one.
    /// Throws for a second `reject`/`ereject` (RFC 5429 §2.1 prohibits more than one), for
    /// `reject` together with `keep`, `fileinto` or `redirect` — with or without `:copy`, as
    /// Pigeonhole has it: a refused message must not be delivered anywhere (RFC 5429 §2.1) —
    /// and beyond the limits.
    mutating func add(_ action: SieveAction) throws(SieveActionError) {
        switch action {
        case .keep(let flags):
            try checkNoReject(action)
            if let index = actions.firstIndex(where: { if case .keep = $0 { true } else { false } }) {
                actions[index] = .keep(flags: flags)
            } else {
                try append(action)
            }
            implicitKeepCancelled = true
        case .fileInto(let mailbox, let flags, let create, let copy):
            try checkNoReject(action)
            if let index = actions.firstIndex(where: {
                if case .fileInto(mailbox, _, _, _) = $0 { true } else { false }
            }), case .fileInto(_, _, let earlierCreate, let earlierCopy) = actions[index] {
                actions[index] = .fileInto(
                    mailbox: mailbox, flags: flags, create: create || earlierCreate, copy: copy && earlierCopy)
            } else {
                try append(action)
            }
            if !copy { implicitKeepCancelled = true }
        case .redirect(let address, let copy):
            try checkNoReject(action)
            let key = SieveActionList.redirectKey(address)
            if let index = actions.firstIndex(where: {
                if case .redirect(let other, _) = $0 { SieveActionList.redirectKey(other) == key } else { false }
            }), case .redirect(let earlierAddress, let earlierCopy) = actions[index] {
                actions[index] = .redirect(address: earlierAddress, copy: copy && earlierCopy)
            } else {
                let redirects = actions.count { if case .redirect = $0 { true } else { false } }
                guard redirects < limits.redirects else {
                    throw SieveActionError("too many redirects (at most \(limits.redirects))")
                }
                try append(action)
            }
            if !copy { implicitKeepCancelled = true }
        case .discard:
            if !actions.contains(.discard) { try append(action) }
            implicitKeepCancelled = true
        case .reject:
            if actions.contains(where: { if case .reject = $0 { true } else { false } }) {
                throw SieveActionError("more than one reject")
            }
            for earlier in actions {
                switch earlier {
                case .keep, .fileInto, .redirect, .vacation:
                    throw SieveActionError("reject cannot be combined with \(SieveActionList.name(of: earlier))")
                case .discard, .reject: break
                }
            }
            try append(action)
            implicitKeepCancelled = true
        case .vacation:
            // RFC 5230 §4.7: one vacation response per message; it answers the sender, so it
            // cannot go with reject, which answers too (RFC 5429 §2.1, as Pigeonhole has it).
            // The implicit keep stays.
            try checkNoReject(action)
            if actions.contains(where: { if case .vacation = $0 { true } else { false } }) {
                throw SieveActionError("more than one vacation")
            }
            try append(action)
        }
    }

    private mutating func append(_ action: SieveAction) throws(SieveActionError) {
        guard actions.count < limits.actions else {
            throw SieveActionError("too many actions (at most \(limits.actions))")
        }
        actions.append(action)
    }

    private func checkNoReject(_ action: SieveAction) throws(SieveActionError) {
        if actions.contains(where: { if case .reject = $0 { true } else { false } }) {
            throw SieveActionError("\(SieveActionList.name(of: action)) cannot be combined with reject")
        }
    }

    /// The local part as written and the domain in ASCII lower case.
    static func redirectKey(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return address[..<at] + SieveFlags.key(String(address[at...]))
    }

    static func name(of action: SieveAction) -> String {
        switch action {
        case .keep: "keep"
        case .fileInto: "fileinto"
        case .redirect: "redirect"
        case .discard: "discard"
        case .reject(_, let extended): extended ? "ereject" : "reject"
        case .vacation: "vacation"
        }
    }
}

/// Why an action was refused; the interpreter adds the location.
struct SieveActionError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
