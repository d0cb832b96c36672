extension TresorConfiguration {
    /// The address every listener binds when its own table names none.
    public static let defaultListenAddress = "127.0.0.1"

    /// The top-level `listen_address` key: one setting for the address of every listener (SMTP,
    /// submission, submissions, POP3, POP3S, IMAP, IMAPS, ManageSieve). Read before the listener
    /// tables, so a listener's own `address` still wins.
    /// ```toml
    /// listen_address = "0.0.0.0"   # default "127.0.0.1"; "::" for every IPv6 (and, usually, IPv4) address
    /// [imap]
    /// address = "127.0.0.1"        # this one listener stays local
    /// ```
    mutating func readListenAddress(_ reader: inout TOMLTableReader) throws(ConfigurationError) {
        guard let address = try reader.string("listen_address", nonEmpty: true) else { return }
        guard IPAddressText.isValid(address) else {
            throw reader.error("listen_address", "must be an IPv4 or IPv6 address, not \"\(address)\"")
        }
        listenAddress = address
        for keyPath in [\TresorConfiguration.smtp, \.submission, \.submissions, \.pop3, \.pop3s, \.imap, \.imaps,
                        \.manageSieve.listener] {
            self[keyPath: keyPath].address = address
        }
    }
}
