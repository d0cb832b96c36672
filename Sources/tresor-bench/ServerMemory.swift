import Foundation

/// Which server processes `tresor-bench imap` charges the IDLE sessions' memory to: one PID
/// (Tresor is one process) or every process with one of some names (Dovecot forks an `imap`
/// process per logged-in session, and `imap-login` processes while logging in).
enum ServerProcesses: Sendable {
    case pid(Int32)
    case named([String])

    /// The memory of the matching processes now, from /proc (Linux, proc(5)).
    func sample() -> ServerMemorySample {
        switch self {
        case .pid(let pid):
            return ServerMemorySample(processes: [ProcessMemory.read(pid: pid)].compactMap { $0 })
        case .named(let names):
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
            return ServerMemorySample(processes: pids.compactMap { pid in
                guard let memory = ProcessMemory.read(pid: pid), names.contains(memory.name) else { return nil }
                return memory
            })
        }
    }

    var label: String {
        switch self {
        case .pid(let pid): "pid \(pid)"
        case .named(let names): "processes named " + names.joined(separator: ", ")
        }
    }
}

/// One process's name and memory: VmRSS from /proc/PID/status, and Pss from
/// /proc/PID/smaps_rollup when readable (PSS divides shared pages among the processes that map
/// them, so summing it over Dovecot's many `imap` processes does not count libc 200 times).
struct ProcessMemory: Sendable {
    var pid: Int32
    var name: String
    var rssKiB: Int
    var pssKiB: Int?

    static func read(pid: Int32) -> ProcessMemory? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let name = field("Name:", in: status).map(String.init) ?? ""
        guard let rss = field("VmRSS:", in: status).flatMap(kibibytes) else { return nil }  // kernel threads have none
        let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)
        let pss = rollup.flatMap { field("Pss:", in: $0) }.flatMap(kibibytes)
        return ProcessMemory(pid: pid, name: name, rssKiB: rss, pssKiB: pss)
    }

    /// The value after `key` on the line that starts with it ("VmRSS:\t  1234 kB").
    static func field(_ key: String, in text: String) -> Substring? {
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return line.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
        }
        return nil
    }

    /// "1234 kB" → 1234 (proc(5) writes kB meaning KiB).
    static func kibibytes(_ value: Substring) -> Int? {
        Int(value.prefix { $0.isNumber })
    }
}

/// The memory of a set of processes at one moment.
struct ServerMemorySample: Sendable {
    var processes: [ProcessMemory]

    var rssKiB: Int { processes.reduce(0) { $0 + $1.rssKiB } }
    /// Nil unless every process's PSS was readable.
    var pssKiB: Int? {
        processes.allSatisfy { $0.pssKiB != nil } ? processes.reduce(0) { $0 + ($1.pssKiB ?? 0) } : nil
    }

    /// "imap ×200, imap-login ×3"
    var census: String {
        guard !processes.isEmpty else { return "no process" }
        var counts: [String: Int] = [:]
        for process in processes { counts[process.name, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
    }
}
