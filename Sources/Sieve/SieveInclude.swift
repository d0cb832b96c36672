/// Where an included script is stored (RFC 6609 §3.2: `:personal`, the default, or `:global`).
public enum SieveIncludeLocation: String, Sendable, Hashable {
    case personal, global
}

/// A script by location and name, as `include` names it.
public struct SieveIncludeKey: Sendable, Hashable, CustomStringConvertible {
    public var location: SieveIncludeLocation
    public var name: String

    public init(_ location: SieveIncludeLocation, _ name: String) {
        self.location = location
        self.name = name
    }

    public var description: String { "\(location) script \"\(name)\"" }
}

/// One `include` command of a script (RFC 6609 §3.2), as written.
public struct SieveIncludeReference: Sendable, Hashable {
    public var key: SieveIncludeKey
    /// `:optional`: a missing script is skipped instead of being an error.
    public var optional: Bool
    /// `:once`: skipped when the script was already included in this run.
    public var once: Bool
}

/// Where a script includes another: the reference and the place of its `include` command.
public struct SieveIncludeSite: Sendable, Hashable {
    public var reference: SieveIncludeReference
    public var location: SourceLocation
}

/// The scripts `include` may reach in one run, compiled: the delivery side loads them (the user's
/// scripts for `:personal`, the global ones for `:global`) and the interpreter only looks them up,
/// so a run stays free of I/O. A script that no longer compiles is kept with its error.
public struct SieveIncludeLibrary: Sendable {
    public var scripts: [SieveIncludeKey: Result<SieveScript, SieveError>]

    public init(_ scripts: [SieveIncludeKey: Result<SieveScript, SieveError>] = [:]) {
        self.scripts = scripts
    }

    /// Loads every script reachable from `roots` through `include`, transitively, with `load`
    /// (nil: no such script; a throw: it does not compile). Bounded by `limits.includes` scripts.
    public static func resolve(_ roots: [SieveScript], limits: SieveLimits = SieveLimits(),
                               load: (SieveIncludeKey) -> Result<SieveScript, SieveError>?) -> SieveIncludeLibrary {
        var library = SieveIncludeLibrary()
        var pending = roots.flatMap(\.includes).map(\.key)
        var seen: Set<SieveIncludeKey> = []
        while let key = pending.popLast(), library.scripts.count < limits.includes {
            guard seen.insert(key).inserted, let loaded = load(key) else { continue }
            library.scripts[key] = loaded
            if case .success(let script) = loaded { pending += script.includes.map(\.key) }
        }
        return library
    }

    /// The problems RFC 6609 §3.2 makes errors, found before any message arrives (ManageSieve
    /// PUTSCRIPT and CHECKSCRIPT, `tresor rules set`): a script included without `:optional` that
    /// does not exist or does not compile, and a script that includes itself through any chain
    /// (a loop, which would fail every run). `root` is the script being stored, under `key`.
    /// Throws the first problem, at the `include` that leads to it.
    public func check(_ root: SieveScript, as key: SieveIncludeKey) throws(SieveError) {
        var stack = [key]
        try check(root, stack: &stack)
    }

    private func check(_ script: SieveScript, stack: inout [SieveIncludeKey]) throws(SieveError) {
        for reference in script.includeSites {
            let key = reference.reference.key
            if stack.contains(key) {
                throw SieveError("include: \(key) includes itself (a loop through \(stack.map(\.name).joined(separator: " → ")))",
                                 at: reference.location)
            }
            switch scripts[key] {
            case nil:
                if reference.reference.optional { continue }
                throw SieveError("include: \(key) does not exist", at: reference.location)
            case .failure(let error)?:
                throw SieveError("include: \(key) does not compile: \(error)", at: reference.location)
            case .success(let included)?:
                stack.append(key)
                try check(included, stack: &stack)
                stack.removeLast()
            }
        }
    }
}
