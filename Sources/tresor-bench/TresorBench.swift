import ArgumentParser

/// Benchmarks. Numbers from one run are compared as ratios against a baseline measured in the
/// same run (deflate alone, a peer server), never as absolute times: the machines are shared.
@main
struct TresorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tresor-bench",
        abstract: "Measure Tresor: archive appends, import, search, SMTP delivery, Sieve filtering, IMAP.",
        discussion: "Build with -c release for numbers that mean something: swift run -c release tresor-bench …",
        subcommands: [ArchiveBenchmark.self, ImportBenchmark.self, SearchBenchmark.self, SMTPBenchmark.self,
                      SieveBenchmark.self, IMAPBenchmark.self,
                      RetentionBenchmark.self, ExportBenchmark.self, StoreStallBenchmark.self, AttachmentCorpus.self]
    )
}
