import ArgumentParser
import MailServer
import MailStore

extension UserCommand {
    /// `tresor user quota NAME [SIZE|none|default]`: a user's storage quota (RFC 9208 STORAGE).
    struct Quota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quota",
            abstract: "Show or set a user's storage quota.",
            discussion: """
                What counts is the size of the messages in the user's mailboxes. SIZE is octets or \
                a size like 500M or 2G (powers of 1024); "none" sets no limit whatever the default; \
                "default" goes back to [quota] default_storage of tresor.toml. Without SIZE, shows \
                the setting and what the mailboxes hold. Over quota, IMAP APPEND and COPY are \
                refused; delivered mail is still journaled and placed.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The user's address.", valueName: "email")) var email: String
        @Argument(help: ArgumentHelp("The new limit: a size, none or default.", valueName: "size")) var size: String?

        func run() async throws {
            let setting = try size.map(Self.setting)
            try await withStore(data) { store in
                let address = email.lowercased()
                if let setting {
                    try await store.accounts.setStorageQuota(setting, of: email, by: actor.auditActor)
                    print("storage quota of \(address): \(Self.describe(setting))")
                    return
                }
                let current = try await store.accounts.storageQuota(of: email)
                let used = try await store.accounts.storageUsed(by: email)
                print("storage quota of \(address): \(Self.describe(current))")
                print("used: \(ByteSize.text(UInt64(max(0, used)))) (\(used) octets)")
            }
        }

        static func setting(_ text: String) throws -> StorageQuota {
            switch text.lowercased() {
            case "none": return .unlimited
            case "default": return .inherited
            default:
                guard let octets = TresorConfiguration.QuotaSettings.parseSize(text), octets > 0 else {
                    throw ValidationError("size must be octets, a size like 500M or 2G, none, or default; not \"\(text)\"")
                }
                return .octets(Int64(octets))
            }
        }

        static func describe(_ setting: StorageQuota) -> String {
            switch setting {
            case .inherited: "default ([quota] default_storage of tresor.toml)"
            case .unlimited: "none (no limit)"
            case .octets(let octets): "\(ByteSize.text(UInt64(octets))) (\(octets) octets)"
            }
        }
    }
}
