import ArgumentParser

/// `tresor-bench export` (scaffold; its issue fills it in).
struct ExportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Scaffold.")
}
