import ArgumentParser

/// `tresor dkim` (scaffold; its issue fills it in).
struct DkimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dkim", abstract: "DKIM keys.")
}
