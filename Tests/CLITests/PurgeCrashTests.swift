import Foundation
import Testing
import TestSupport

/// Crash safety of purging: a real `tresor-bench retention` purging half of a
/// 3,000-message archive is killed with SIGKILL at moments spread over its run — before its
/// record is journaled, while the catalog changes, while segments are compacted — and then:
/// `tresor verify` must pass on the files as the kill left them, and the benchmark's `--check`
/// (which reopens the store, lets `recover()` finish the interrupted purge, and checks every
/// message of the kept half for its bytes and catalog row, and that the purged half is gone
/// once the purge completed) must pass, and `verify` again after it.
@Suite(.serialized) struct PurgeCrashTests {
    static let messages = 3000
    /// Milliseconds the purge pauses at each compaction step (each MiB written, the fsynced file,
    /// the rename), so that a good share of the kills land inside the compaction.
    static let pause = 150

    func bench(_ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run("tresor-bench", ["retention"] + arguments)
    }

    func verify(_ directory: URL) throws -> CommandResult {
        try CommandRunner.run("tresor", ["verify", "--data-dir", directory.path])
    }

    /// When to kill: after some seconds, or as soon as the purge logs a line containing a text
    /// (plus a little jitter: each logged compaction step is followed by a pause).
    enum Moment {
        case after(seconds: Double)
        case onLog(String, jitter: Double)
    }

    /// Starts the purge, kills it at `moment` (unless it ended before), waits for it. Returns
    /// whether the kill came before it finished, and its log (the last line says which step the
    /// kill interrupted). Output goes through pipes, drained while it runs.
    func purgeKilled(_ directory: URL, at moment: Moment) throws -> (killed: Bool, log: String) {
        let process = SpawnedProcess()
        process.executableURL = CommandRunner.executable("tresor-bench")
        process.arguments = ["retention", "--data-dir", directory.path, "--compaction-pause", "\(Self.pause)"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let log = LogBuffer()
        let group = DispatchGroup()
        for (handle, keep) in [(out.fileHandleForReading, false), (err.fileHandleForReading, true)] {
            group.enter()
            DispatchQueue.global().async {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    if keep { log.append(data) }
                }
                group.leave()
            }
        }
        switch moment {
        case .after(let seconds):
            usleep(useconds_t(seconds * 1_000_000))
        case .onLog(let text, let jitter):
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && !log.text.contains(text) && Date() < deadline { usleep(2_000) }
            usleep(useconds_t(jitter * 1_000_000))
        }
        let killed = process.isRunning && kill(process.processIdentifier, SIGKILL) == 0
        process.waitUntilExit()
        group.wait()
        return (killed && process.terminationReason == .uncaughtSignal, log.text)
    }

    @Test func killingAPurgeAtRandomMomentsLosesNothingThatShouldStay() async throws {
        guard let corpus = try Corpus.locate() else { return }
        try await withTemporaryDirectory { root in
            let base = root.appendingPathComponent("base")
            let built = try bench(["--messages", "\(Self.messages)", "--corpus", corpus.path, "--data-dir", base.path,
                                   "--build-only"])
            try #require(built.status == 0, "build: \(built.stderr)")

            // One purge to the end: how long it takes, and that the check passes on it.
            let whole = root.appendingPathComponent("whole")
            try FileManager.default.copyItem(at: base, to: whole)
            let start = Date()
            let finished = try bench(["--data-dir", whole.path, "--compaction-pause", "\(Self.pause)"])
            let duration = Date().timeIntervalSince(start)
            try #require(finished.status == 0, "purge: \(finished.stderr)")
            #expect(finished.stdout.contains("segments rewritten"))
            let wholeCheck = try bench(["--data-dir", whole.path, "--check"])
            #expect(wholeCheck.status == 0, "\(wholeCheck.stdout)")
            #expect(wholeCheck.stdout.contains("purge finished                    yes"))

            var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
            func jitter(_ upTo: Double) -> Double { Double(generator.next() % 1000) / 1000 * upTo }
            let pause = Double(Self.pause) / 1000
            let moments: [Moment] = [
                .after(seconds: 0.05 + jitter(0.3)),                              // before or while journaling
                .onLog("journaled a purge", jitter: jitter(0.05)),                // catalog step
                .after(seconds: duration * (0.3 + jitter(0.3))),                  // anywhere in the middle
                .onLog("compaction step writing", jitter: jitter(pause * 0.8)),   // .compacting half written
                .onLog("compaction step written", jitter: jitter(pause * 0.8)),   // fsynced, not renamed
                .onLog("compaction step renamed", jitter: jitter(pause * 0.8)),   // renamed, catalog not done
            ]
            var killedCount = 0, compactionKills = 0
            for (round, moment) in moments.enumerated() {
                let directory = root.appendingPathComponent("round-\(round)")
                try FileManager.default.copyItem(at: base, to: directory)
                let (killed, log) = try purgeKilled(directory, at: moment)
                let lastStep = log.split(separator: "\n").last.map { String($0.suffix(90)) } ?? "(nothing logged)"
                if killed { killedCount += 1 }
                if killed && lastStep.contains("compaction step") { compactionKills += 1 }
                let afterKill = try verify(directory)
                #expect(afterKill.status == 0, "round \(round) (\(moment)): \(afterKill.stdout)")
                let check = try bench(["--data-dir", directory.path, "--check"])
                #expect(check.status == 0, "round \(round) (\(moment)): \(check.stdout)\(check.stderr)")
                let again = try verify(directory)
                #expect(again.status == 0, "round \(round): \(again.stdout)")
                print("round \(round) \(moment): \(killed ? "killed" : "finished"), last logged: \(lastStep); "
                    + (check.stdout.split(separator: "\n").first.map(String.init) ?? ""))
                try? FileManager.default.removeItem(at: directory)
            }
            #expect(killedCount >= 3, "the kills must land inside the purge")
            #expect(compactionKills >= 3, "the kills must land inside the compaction too")
        }
    }
}

/// The standard error of the killed process, filled by its reader thread.
private final class LogBuffer: @unchecked Sendable {  // all access goes through `lock`
    private let lock = NSLock()
    private var data = Data()
    func append(_ value: Data) { lock.lock(); data.append(value); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
