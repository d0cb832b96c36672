extension TresorConfiguration {
    /// `[metrics]`: a Prometheus text-format endpoint (`GET /metrics`) beside the mail listeners.
    ///
    /// ```toml
    /// [metrics]
    /// enabled = true          # off unless set
    /// address = "127.0.0.1"   # loopback by default: the counters are for this host's scraper
    /// port = 9464
    /// ```
    /// The endpoint has no authentication and no TLS; keep it on loopback, or behind a firewall
    /// that lets only the scraper in.
    public struct MetricsSettings: Sendable, Equatable {
        public var enabled = false
        public var address = "127.0.0.1"
        /// 9464: the port Prometheus exporters commonly use for this purpose.
        public var port = 9464

        public init() {}
    }

    mutating func readMetricsSettings(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        guard var table = try reader.table("metrics") else { return }
        if let enabled = try table.bool("enabled") { metrics.enabled = enabled }
        if let address = try table.string("address", nonEmpty: true) {
            guard IPAddressText.isValid(address) else {
                throw table.error("address", "must be an IPv4 or IPv6 address, not \"\(address)\"")
            }
            metrics.address = address
        }
        if let port = try table.int("port", in: 0...65535) { metrics.port = port }
        try table.finish()
    }

    /// The `[metrics]` lines of `effectiveSettings`.
    var metricsEffectiveSettings: [(String, String)] {
        [("metrics.enabled", "\(metrics.enabled)"), ("metrics.address", metrics.address), ("metrics.port", "\(metrics.port)")]
    }
}
