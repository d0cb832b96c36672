import Logging
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The server's swift-log handler: each event as one `LogLine` in the configured format, handed
/// whole to `write` (by default standard error, one `write(2)` per line under a lock, so lines
/// from many tasks never interleave).
public struct LineLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let now: @Sendable () -> Date
    private let write: @Sendable (String) -> Void

    /// `now` is the clock the lines are stamped with; `write` receives every line without its line feed.
    public init(label: String, format: LogFormat, level: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = nil,
                now: @escaping @Sendable () -> Date = { Date() },
                write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The handler's metadata, then the provider's, then the event's (later ones win); an error
    /// passed with the event becomes `error` unless the event names one itself.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        write(LogLine(time: now(), level: event.level, label: label, message: event.message.description,
                      metadata: merged).rendered(as: format))
    }

    private static let standardErrorLock = Mutex(())

    /// Writes the line and a line feed to file descriptor 2 in one call, retrying short writes.
    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        standardErrorLock.withLock { _ in
            var written = 0
            while written < bytes.count {
                let count = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + written, bytes.count - written) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }  // nowhere to report a failed log write
                written += count
            }
        }
    }
}
