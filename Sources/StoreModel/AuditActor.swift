#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who did something, as the audit trail records it: a person at the command line (by their OS
/// account, with the name they gave when it differs), an operator acting with their key, a mail
/// user through a protocol (with the client's address), or the server itself.
public struct AuditActor: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The OS account that ran a command.
        case osUser = "os"
        /// A person with an operator key (governance actions are signed with it).
        case `operator`
        /// A mail user over IMAP, POP3, SMTP submission or ManageSieve.
        case user
        /// The server's own work: recovery, the retention planner, a Sieve script.
        case system
    }

    public var kind: Kind
    public var name: String
    /// The IP address of the client, for protocol sessions.
    public var clientAddress: String?
    /// An operator's unlocked key: their audit entries are signed with it.
    public var signingKey: AuditSigningKey?

    public init(kind: Kind, name: String, clientAddress: String? = nil, signingKey: AuditSigningKey? = nil) {
        self.kind = kind
        self.name = name
        self.clientAddress = clientAddress
        self.signingKey = signingKey
    }

    /// "os:root", "operator:alice", "user:bob@example.com", "system:recovery".
    public var description: String { "\(kind.rawValue):\(name)" }

    public static func user(_ address: String, client: String?) -> AuditActor {
        AuditActor(kind: .user, name: address, clientAddress: client)
    }

    public static func system(_ what: String) -> AuditActor { AuditActor(kind: .system, name: what) }

    public static func `operator`(_ name: String) -> AuditActor { AuditActor(kind: .operator, name: name) }

    /// The OS account running this process; with `label` (a name the person gave, e.g. `--actor`)
    /// recorded beside it when it differs, never instead of it.
    public static func commandLine(label: String? = nil) -> AuditActor {
        let account = operatingSystemUser
        guard let label, !label.isEmpty, label != account else { return AuditActor(kind: .osUser, name: account) }
        return AuditActor(kind: .osUser, name: "\(account) (as \(label))")
    }

    /// The OS user name of this process (its effective uid).
    public static var operatingSystemUser: String {
        #if canImport(Glibc)
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid-\(geteuid())"
        #else
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        #endif
    }
}
