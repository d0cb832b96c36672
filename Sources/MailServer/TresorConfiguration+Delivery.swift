#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// Outbound delivery settings (the outbound issue fills them in).
    public struct DeliverySettings: Sendable, Equatable {
        public init() {}
    }

    mutating func readDeliverySettings(_ reader: inout TOMLTableReader,
                                       resolve: (String) -> URL) throws(ConfigurationError) {}
}
