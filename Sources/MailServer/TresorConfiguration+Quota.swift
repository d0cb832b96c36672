extension TresorConfiguration {
    /// `[quota]`: the storage quota (RFC 9208 STORAGE) of users without one of their own.
    ///
    /// ```toml
    /// [quota]
    /// default_storage = "2G"   # none unless set; "k", "M", "G" are powers of 1024
    /// ```
    /// A user's own limit (`tresor user quota NAME 500M`, or `none` for no limit) wins. The quota
    /// refuses IMAP APPEND and COPY that would pass it (NO [OVERQUOTA]); delivered mail is always
    /// journaled and placed.
    public struct QuotaSettings: Sendable, Equatable {
        /// Octets, or nil for no default limit.
        public var defaultStorage: Int?

        public init() {}

        /// A size as `default_storage` takes it, for `tresor user quota`: `"500M"`, `"2G"`, octets.
        public static func parseSize(_ text: String) -> Int? { ByteSize.parse(text) }
    }

    mutating func readQuotaSettings(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        guard var table = try reader.table("quota") else { return }
        if let size = try table.byteSize("default_storage", in: 1...(1 << 50)) { quota.defaultStorage = size }
        try table.finish()
    }

    /// The `[quota]` lines of `effectiveSettings`.
    var quotaEffectiveSettings: [(String, String)] {
        [("quota.default_storage", quota.defaultStorage.map { "\($0)" } ?? "(none)")]
    }
}
