import Delivery

extension TresorConfiguration {
    /// `[spam]`: rspamd's verdict on each message at the end of DATA (Filters/). Off unless
    /// `rspamd` is set.
    ///
    /// ```toml
    /// [spam]
    /// rspamd = "127.0.0.1:11333"   # rspamd's normal worker
    /// timeout = "15s"
    /// fail = "accept"              # accept | defer: what mail gets while rspamd cannot answer
    /// junk = true                  # "add header" / "rewrite subject": into Junk instead of INBOX
    /// submission = false           # also ask for mail from authenticated users (submission)
    /// ```
    public struct SpamSettings: Sendable, Equatable {
        public var rspamd: FilterEndpoint?
        /// rspamd's own time limit for a task is 8 s; this leaves room for its queue.
        public var timeout: Duration = .seconds(15)
        /// Spam filtering is a comfort; mail taken unfiltered is still archived (and logged).
        public var fail: FilterFailMode = .accept
        public var junk = true
        public var submission = false

        public init() {}
    }

    /// `[antivirus]`: clamd's INSTREAM scan of each message at the end of DATA, on every SMTP
    /// listener. Off unless `clamd` is set.
    ///
    /// ```toml
    /// [antivirus]
    /// clamd = "127.0.0.1:3310"     # or the path of clamd's LocalSocket
    /// infected = "reject"          # reject | quarantine (archived, in no mailbox; still refused)
    /// fail = "defer"               # defer | accept
    /// timeout = "30s"
    /// ```
    public struct AntivirusSettings: Sendable, Equatable {
        public var clamd: FilterEndpoint?
        public var infected: InfectedAction = .reject
        /// Unscanned mail could carry malware into mailboxes; the sender's server retries.
        public var fail: FilterFailMode = .defer
        /// A large attachment takes clamd a while to unpack.
        public var timeout: Duration = .seconds(30)

        public init() {}
    }

    /// What infected mail gets: refused with 554 either way; `quarantine` also archives it as
    /// evidence, placed in no mailbox.
    public enum InfectedAction: String, Sendable, Hashable, CaseIterable {
        case reject, quarantine
    }

    mutating func readFilterSettings(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        if var table = try reader.table("spam") {
            if let text = try table.string("rspamd", nonEmpty: true) {
                guard let endpoint = FilterEndpoint(parsing: text), case .tcp = endpoint else {
                    throw table.error("rspamd", "must be host:port of rspamd's normal worker, not \"\(text)\"")
                }
                spam.rspamd = endpoint
            }
            if let timeout = try Self.readFilterTimeout(&table) { spam.timeout = timeout }
            if let fail = try Self.readFailMode(&table) { spam.fail = fail }
            if let junk = try table.bool("junk") { spam.junk = junk }
            if let submission = try table.bool("submission") { spam.submission = submission }
            try table.finish()
        }
        if var table = try reader.table("antivirus") {
            if let text = try table.string("clamd", nonEmpty: true) {
                guard let endpoint = FilterEndpoint(parsing: text) else {
                    throw table.error("clamd", "must be host:port or the path of clamd's socket, not \"\(text)\"")
                }
                antivirus.clamd = endpoint
            }
            if let text = try table.string("infected", nonEmpty: true) {
                guard let action = InfectedAction(rawValue: text) else {
                    throw table.error("infected", "must be \"reject\" or \"quarantine\", not \"\(text)\"")
                }
                antivirus.infected = action
            }
            if let timeout = try Self.readFilterTimeout(&table) { antivirus.timeout = timeout }
            if let fail = try Self.readFailMode(&table) { antivirus.fail = fail }
            try table.finish()
        }
    }

    private static func readFilterTimeout(_ table: inout TOMLTableReader) throws(ConfigurationError) -> Duration? {
        guard let text = try table.string("timeout", nonEmpty: true) else { return nil }
        guard let timeout = RetrySchedule.parseDuration(text), timeout <= .seconds(600) else {
            throw table.error("timeout", "must be a duration up to 10 minutes like \"15s\" or \"1m\", not \"\(text)\"")
        }
        return timeout
    }

    private static func readFailMode(_ table: inout TOMLTableReader) throws(ConfigurationError) -> FilterFailMode? {
        guard let text = try table.string("fail", nonEmpty: true) else { return nil }
        guard let mode = FilterFailMode(rawValue: text) else {
            throw table.error("fail", "must be \"accept\" or \"defer\", not \"\(text)\"")
        }
        return mode
    }

    /// The `[spam]` and `[antivirus]` lines of `effectiveSettings`.
    var filterEffectiveSettings: [(String, String)] {
        [("spam.rspamd", spam.rspamd.map { "\($0)" } ?? "(off)"),
         ("spam.timeout_seconds", "\(spam.timeout.components.seconds)"), ("spam.fail", spam.fail.rawValue),
         ("spam.junk", "\(spam.junk)"), ("spam.submission", "\(spam.submission)"),
         ("antivirus.clamd", antivirus.clamd.map { "\($0)" } ?? "(off)"),
         ("antivirus.infected", antivirus.infected.rawValue),
         ("antivirus.timeout_seconds", "\(antivirus.timeout.components.seconds)"),
         ("antivirus.fail", antivirus.fail.rawValue)]
    }
}
