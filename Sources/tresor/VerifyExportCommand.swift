import ArgumentParser

/// `tresor verify-export` (scaffold; its issue fills it in).
struct VerifyExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify-export", abstract: "Verify an export.")
}
