#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Sieve script as stored (schema "v3"): the catalog keeps source text only; compiling is the
/// caller's job (MailStore, with the Sieve module), so the catalog stays free of the language.
public struct StoredSieveScript: Sendable, Hashable {
    public var name: String
    public var source: String
    /// The user's one active script (RFC 5804 §1.1: at most one is active).
    public var active: Bool
    public var updated: Date

    public init(name: String, source: String, active: Bool, updated: Date) {
        self.name = name
        self.source = source
        self.active = active
        self.updated = updated
    }
}

/// What a script change did; the caller maps a refusal to its own error.
public enum SieveScriptChange: Sendable, Hashable {
    case done
    case unknownUser
    /// No script of the name given (RFC 5804 NONEXISTENT).
    case nonexistent
    /// DELETESCRIPT of the active script (RFC 5804 §2.10: ACTIVE).
    case active
    /// RENAMESCRIPT onto a name in use (RFC 5804 §2.11.1: ALREADYEXISTS).
    case alreadyExists
}
