import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on standard error. On a terminal: one line redrawn in place (count of total, bar,
/// rate, ETA) and erased at the end. Otherwise (a log file, CI, a pipe): a plain line every
/// `plainInterval`, the first only once that much time has passed, so a quick run writes none and a
/// redirected stderr never holds carriage returns or a stale half-finished line.
struct ProgressReporter {
    let total: Int?
    /// Bytes the whole run reads, when known: the ETA of a source whose message count is not known
    /// beforehand (an mbox) comes from the share of its bytes read.
    let totalBytes: Int?
    let label: String
    let isTerminal = isatty(STDERR_FILENO) == 1
    let started = Date()
    var lastDraw: Date
    static let plainInterval: TimeInterval = 10

    init(label: String, total: Int?, totalBytes: Int? = nil) {
        self.label = label
        self.total = total
        self.totalBytes = totalBytes
        // A plain line waits a whole interval; the terminal line is drawn at once.
        lastDraw = isTerminal ? .distantPast : started
    }

    mutating func update(_ count: Int, bytes: Int? = nil, force: Bool = false) {
        let now = Date()
        let interval: TimeInterval = isTerminal ? 0.1 : Self.plainInterval
        guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let line = Self.line(label: label, count: count, total: total, bytes: bytes, totalBytes: totalBytes,
                             elapsed: max(now.timeIntervalSince(started), 0.001), bar: isTerminal)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// "importing [#####.....] 120/400, ETA 2m10s, 55 msg/s"; without a bar "importing: 120/400, …";
    /// with only a byte total "importing: 120 messages, 3.1 of 9.8 MB, ETA …".
    static func line(label: String, count: Int, total: Int?, bytes: Int?, totalBytes: Int?, elapsed: TimeInterval,
                     bar: Bool) -> String {
        let rate = Double(count) / elapsed
        var line: String
        var fraction: Double?
        if let total, total > 0 {
            let done = min(1, Double(count) / Double(total))
            fraction = done
            if bar {
                let width = 30, filled = Int(done * Double(width))
                line = "\(label) [" + String(repeating: "#", count: filled)
                    + String(repeating: ".", count: width - filled) + "] \(count)/\(total)"
            } else {
                line = "\(label): \(count)/\(total)"
            }
        } else if let bytes, let totalBytes, totalBytes > 0 {
            fraction = min(1, Double(bytes) / Double(totalBytes))
            line = "\(label): \(count) messages, " + String(format: "%.1f of %.1f MB", Double(bytes) / 1e6,
                                                            Double(totalBytes) / 1e6)
        } else {
            line = "\(label): \(count)"
        }
        if let fraction, fraction > 0, fraction < 1 {
            line += ", ETA \(duration(elapsed * (1 - fraction) / fraction))"
        }
        return line + ", \(Int(rate)) msg/s"
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
