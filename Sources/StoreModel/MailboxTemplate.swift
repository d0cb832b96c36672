#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A folder to create for a new user: its name and RFC 6154 SPECIAL-USE attribute (e.g. `\Sent`).
public struct MailboxTemplate: Sendable, Hashable {
    public var name: String
    public var specialUse: String?

    public init(name: String, specialUse: String? = nil) {
        self.name = name
        self.specialUse = specialUse
    }
}
