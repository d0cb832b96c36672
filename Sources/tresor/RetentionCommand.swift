import ArgumentParser

/// `tresor retention` (scaffold; its issue fills it in).
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retention", abstract: "Retention policies.")
}
