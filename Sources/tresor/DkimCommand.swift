import ArgumentParser
import Delivery
import Foundation
import MailStore

/// `tresor dkim keygen|list|show`: the DKIM keys outbound mail is signed with (RFC 6376, RFC 8463),
/// kept in DATA/keys/dkim/<domain>/<selector>.<algorithm>.pem.
struct DkimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim",
        abstract: "DKIM signing keys: create them and print the DNS records to publish.",
        discussion: """
            Outbound mail from a domain is signed with every key the domain has. RFC 8463 suggests \
            one RSA and one Ed25519 key, each under its own selector.
            """,
        subcommands: [Keygen.self, List.self, Show.self]
    )

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: "Create a key for a domain and print the TXT record to publish.",
            discussion: """
                Prints the record as a zone file line on standard output. The key signs from the next \
                message on; publish the record first, or receivers will fail the signature.
                """)
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The signing domain (d=), e.g. example.org.", valueName: "domain"))
        var domain: String
        @Option(help: ArgumentHelp("The selector (s=).", discussion: "Default: the algorithm and the month, e.g. rsa-202611.",
                                   valueName: "selector"))
        var selector: String?
        @Option(help: ArgumentHelp("rsa (2048 bits, rsa-sha256) or ed25519 (ed25519-sha256).", valueName: "algorithm"))
        var algorithm: DKIMAlgorithm = .rsa

        func run() async throws {
            try await withStore(data) { store in
                let keys = DKIMKeyStore(directory: DKIMKeyStore.directory(in: store.dataDirectory))
                let selector = selector ?? DKIMKeyStore.defaultSelector(for: algorithm, at: store.clock.now())
                let key: DKIMKey
                do {
                    key = try keys.generateKey(domain: domain, selector: selector, algorithm: algorithm)
                } catch let error as DKIMError {
                    throw CommandError(error.description)
                }
                try await store.compliance.record("dkim keygen",
                                                  detail: "\(key.domain) \(key.selector) \(key.algorithm.rawValue)",
                                                  by: actor.auditActor)
                if try await !store.accounts.isLocalDomain(key.domain) {
                    FileHandle.standardError.write(Data("warning: \(key.domain) is not a local domain (tresor domain add)\n".utf8))
                }
                FileHandle.standardError.write(Data("created \(key.algorithm.rawValue) key \(key.selector) for \(key.domain); publish:\n".utf8))
                print(key.zoneFileLine)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the keys: domain, algorithm, selector and record name.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            try await withStore(data) { store in
                let keys = try DkimCommand.keys(in: store) { try $0.keys() }
                try await store.compliance.record("dkim list", detail: "", resultCount: keys.count, by: actor.auditActor)
                for key in keys {
                    print("\(key.domain)  \(key.algorithm.rawValue)  \(key.selector)  \(key.recordName)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print the TXT records to publish for a domain's keys.")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption
        @Argument(help: ArgumentHelp("The signing domain.", valueName: "domain")) var domain: String

        func run() async throws {
            try await withStore(data) { store in
                let keys = try DkimCommand.keys(in: store) { try $0.keys(for: domain) }
                try await store.compliance.record("dkim show", detail: domain.lowercased(), resultCount: keys.count,
                                                  by: actor.auditActor)
                guard !keys.isEmpty else {
                    throw CommandError("no DKIM key for \(domain.lowercased()): create one with `tresor dkim keygen \(domain.lowercased())`")
                }
                for key in keys { print(key.zoneFileLine) }
            }
        }
    }

    /// Reads keys, turning the store's errors into messages for the user.
    static func keys(in store: MailStore, _ read: (DKIMKeyStore) throws -> [DKIMKey]) throws -> [DKIMKey] {
        do {
            return try read(DKIMKeyStore(directory: DKIMKeyStore.directory(in: store.dataDirectory)))
        } catch let error as DKIMError {
            throw CommandError(error.description)
        }
    }
}

extension DKIMAlgorithm: ExpressibleByArgument {}
