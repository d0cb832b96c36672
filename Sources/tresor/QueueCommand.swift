import ArgumentParser

/// `tresor queue` (scaffold; its issue fills it in).
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "The outbound queue.")
}
