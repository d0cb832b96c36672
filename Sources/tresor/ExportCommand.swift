import ArgumentParser

/// `tresor export` (scaffold; its issue fills it in).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export messages.")
}
