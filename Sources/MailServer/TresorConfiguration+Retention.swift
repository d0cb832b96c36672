#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// Retention settings (the retention issue fills them in).
    public struct RetentionSettings: Sendable, Equatable {
        public init() {}
    }

    mutating func readRetentionSettings(_ reader: inout TOMLTableReader,
                                        resolve: (String) -> URL) throws(ConfigurationError) {}
}
