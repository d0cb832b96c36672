import ArgumentParser

/// `tresor-bench retention` (scaffold; its issue fills it in).
struct RetentionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retention", abstract: "Scaffold.")
}
