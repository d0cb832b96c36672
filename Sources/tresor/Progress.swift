import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on standard error: a bar redrawn in place on a terminal (count, rate, ETA), plain
/// lines every few seconds otherwise (logs, CI), so that output piped to a file stays readable.
struct ProgressReporter {
    let total: Int?
    let label: String
    let isTerminal = isatty(STDERR_FILENO) == 1
    let started = Date()
    var lastDraw = Date.distantPast

    init(label: String, total: Int?) {
        self.label = label
        self.total = total
    }

    mutating func update(_ count: Int, force: Bool = false) {
        let now = Date()
        let interval: TimeInterval = isTerminal ? 0.1 : 5
        guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(count) / elapsed
        var line = "\(label): \(count)"
        if let total, total > 0 {
            let fraction = min(1, Double(count) / Double(total))
            if isTerminal {
                let width = 30
                let filled = Int(fraction * Double(width))
                line = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(count)/\(total)"
            } else {
                line += "/\(total)"
            }
            if rate > 0, count < total {
                line += ", ETA \(Self.duration(Double(total - count) / rate))"
            }
        }
        line += ", \(Int(rate)) msg/s"
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
