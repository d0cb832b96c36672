#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// The `[archive]` table:
    /// ```toml
    /// [archive]
    /// seal_key = "/etc/tresor/seal.key"   # the private Ed25519 seal key (relative: to this file)
    /// ```
    public struct ArchiveSettings: Sendable, Equatable {
        /// `archive.seal_key`: where the private seal key is kept, so that it can live outside the
        /// data directory (mode 0600, owned by the service); nil: where `tresor init --seal-key`
        /// recorded it, else `DATA/keys/archive.ed25519`.
        public var sealKey: URL?

        public init(sealKey: URL? = nil) {
            self.sealKey = sealKey
        }
    }

    mutating func readArchiveSettings(_ reader: inout TOMLTableReader,
                                      resolve: (String) -> URL) throws(ConfigurationError) {
        guard var table = try reader.table("archive") else { return }
        if let path = try table.string("seal_key", nonEmpty: true) { archive.sealKey = resolve(path) }
        try table.finish()
    }
}
