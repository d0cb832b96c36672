import Delivery
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// `[anchor]` and `[[anchor.tsa]]`: RFC 3161 time stamps of the archive's chain by
    /// Time-Stamping Authorities outside the machine, and the daily witness mail.
    ///
    /// ```toml
    /// [anchor]
    /// interval = "1h"                      # stamp at least this often while the archive moves
    ///                                      # (and after every seal); "90s", "30m", "2h", "1d"
    /// witness = ["auditor@example.net"]    # optional: a daily witness mail to these addresses
    ///
    /// [[anchor.tsa]]                       # one table per TSA; each stamps independently
    /// url = "https://tsa.example.net/tsr"  # where RFC 3161 requests are POSTed (§3.4)
    /// ca = "/etc/tresor/tsa-ca.pem"        # the CA certificate(s) the TSA's certificate chains to
    /// ```
    /// Without `[[anchor.tsa]]` nothing is stamped (and `verify` checks tokens only against CA files
    /// given on its command line).
    public struct AnchorSettings: Sendable, Equatable {
        /// `anchor.interval`: while records arrive, the longest a stamp waits. One hour by default:
        /// what an hourly rollback could hide is then at most an hour of mail.
        public var interval: Duration = .seconds(3600)
        /// `[[anchor.tsa]]`, in file order.
        public var authorities: [TimeStampAuthoritySettings] = []
        /// `anchor.witness`: who gets the daily witness mail (none: no mail).
        public var witnessAddresses: [String] = []

        public init() {}
    }

    /// One `[[anchor.tsa]]` table.
    public struct TimeStampAuthoritySettings: Sendable, Equatable {
        /// The HTTP(S) URL requests go to.
        public var url: String
        /// A PEM file with the CA certificate(s) the TSA's certificate must chain to.
        public var caFile: URL
        /// The dotted key of the entry (`anchor.tsa[0]`), for errors found later (reading `ca`).
        public var key: String
        /// The configuration file it is in, as the user named it, for those errors.
        public var file: String

        public init(url: String, caFile: URL, key: String = "anchor.tsa",
                    file: String = TresorConfiguration.defaultFileName) {
            self.url = url
            self.caFile = caFile
            self.key = key
            self.file = file
        }
    }

    mutating func readAnchorSettings(_ reader: inout TOMLTableReader, resolve: (String) -> URL) throws(ConfigurationError) {
        guard var table = try reader.table("anchor") else { return }
        var settings = AnchorSettings()
        if let text = try table.string("interval", nonEmpty: true) {
            guard let interval = RetrySchedule.parseDuration(text), interval >= .seconds(60) else {
                throw table.error("interval", "must be a duration of a minute or more like \"30m\", \"1h\" or \"1d\", "
                                  + "not \"\(text)\"")
            }
            settings.interval = interval
        }
        if let addresses = try table.stringOrStrings("witness") {
            for address in addresses where !Self.isMailAddress(address) {
                throw table.error("witness", "\"\(address)\" is not a mail address (local@domain)")
            }
            settings.witnessAddresses = addresses
        }
        for var entry in try table.tables("tsa") ?? [] {
            guard let url = try entry.string("url", nonEmpty: true) else {
                throw entry.error("url", "is missing: the TSA's http:// or https:// URL")
            }
            let lowered = url.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), !url.contains(" ") else {
                throw entry.error("url", "must be an http:// or https:// URL, not \"\(url)\"")
            }
            guard let ca = try entry.string("ca", nonEmpty: true) else {
                throw entry.error("ca", "is missing: a PEM file with the CA certificate of the TSA at \(url)")
            }
            if settings.authorities.contains(where: { $0.url == url }) {
                throw entry.error("url", "\(url) is configured twice")
            }
            settings.authorities.append(TimeStampAuthoritySettings(url: url, caFile: resolve(ca), key: entry.path,
                                                                  file: entry.file))
            try entry.finish()
        }
        if !settings.witnessAddresses.isEmpty && settings.authorities.isEmpty {
            throw table.error("witness", "needs at least one [[anchor.tsa]] whose stamps the witness carries")
        }
        try table.finish()
        anchor = settings
    }

    /// `local@domain`, nothing more: the witness goes out like any other message, which checks the rest.
    static func isMailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && DomainName.isValid(String(parts[1]))
            && !text.contains { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," }
    }
}
