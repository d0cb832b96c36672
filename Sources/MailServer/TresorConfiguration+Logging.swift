import Logging
import ServerKit

extension TresorConfiguration {
    /// The top-level `log_format` key:
    /// ```toml
    /// log_format = "text"   # "text": time, level, label, message, then key=value pairs (quoted
    ///                       # when a value holds a space, a quote or "="); "json": one object per line
    /// ```
    mutating func readLogSettings(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        guard let name = try reader.string("log_format") else { return }
        guard let format = LogFormat(rawValue: name) else {
            throw reader.error("log_format", "must be \"text\" or \"json\", not \"\(name)\"")
        }
        logFormat = format
    }
}

/// How `tresor serve` sets up swift-log: every logger writes `LineLogHandler` lines to standard error.
public enum ServerLogging {
    /// Once per process, before the first logger is made.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: format, level: level)
        }
    }
}
