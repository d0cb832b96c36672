import ArgumentParser

/// `tresor hold` (scaffold; its issue fills it in).
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold", abstract: "Legal holds.")
}
