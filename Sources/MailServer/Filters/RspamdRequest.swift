/// The HTTP header fields of a `POST /checkv2` to rspamd (https://rspamd.com/doc/developers/protocol.html,
/// "Rspamd HTTP request"): the envelope and the session, so that rspamd's rules see what the
/// MTA saw — `From` (the reverse-path), one `Rcpt` per forward-path, `IP` (the client),
/// `Helo`, `User` (the SASL identity of an authenticated client, which tells rspamd the mail
/// is outgoing), `Queue-Id` (the transaction id, so rspamd's log and Tresor's meet) and
/// `MTA-Name` (this server's host name). The body is the message as it will be journaled.
enum RspamdRequest {
    static func headerFields(mailFrom: String, recipients: [String], clientAddress: String, helo: String?,
                             authenticatedUser: String?, queueID: String, hostname: String) -> [(String, String)] {
        var fields: [(String, String)] = [("From", mailFrom.isEmpty ? "<>" : mailFrom)]
        fields += recipients.map { ("Rcpt", $0) }
        fields.append(("IP", clientAddress))
        if let helo { fields.append(("Helo", helo)) }
        if let authenticatedUser { fields.append(("User", authenticatedUser)) }
        fields.append(("Queue-Id", queueID))
        fields.append(("MTA-Name", hostname))
        // A value never carries CR, LF or other controls into the request's header (they could
        // end it early); SMTP's grammar already keeps them out of these, this keeps it so.
        return fields.map { name, value in
            (name, String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })))
        }
    }
}
