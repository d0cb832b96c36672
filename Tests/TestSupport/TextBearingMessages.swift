/// Messages whose marker word stands in one kind of text-bearing MIME part only, so a search
/// for the marker proves that the part's text was seen. Shared by the extraction, legal-search
/// and IMAP SEARCH tests. CRLF line ends, ASCII markers ("zq…", in no other message).
public enum TextBearingMessages {
    /// (what the part is, its marker, the message). A kind ending in "header" stands in a nested
    /// message's header fields, which IMAP SEARCH BODY leaves to TEXT.
    public static let all: [(kind: String, marker: String, message: [UInt8])] = [
        ("text/enriched", "zqenriched", mixed("text/enriched", "<bold>zqenriched</bold> terms")),
        ("text/csv attachment", "zqcsvcell", mixed("text/csv; name=a.csv", "id,item\r\n7,zqcsvcell\r\n",
                                                    extra: "Content-Disposition: attachment; filename=a.csv\r\n")),
        ("text/x-custom", "zqxcustom", mixed("text/x-custom", "custom zqxcustom text")),
        ("text/html", "zqhtmlword", mixed("text/html; charset=utf-8", "<p>An <b>zqhtmlword</b></p>")),
        ("message/delivery-status", "zqdsnreason", report("delivery-status", """
            Reporting-MTA: dns; mx.example.net\r
            \r
            Final-Recipient: rfc822; gone@example.net\r
            Action: failed\r
            Status: 5.1.1\r
            Diagnostic-Code: smtp; 550 5.1.1 zqdsnreason: no such user\r
            """)),
        ("message/disposition-notification", "zqmdnagent", report("disposition-notification", """
            Reporting-UA: zqmdnagent.example.net; Mailer 1.0\r
            Final-Recipient: rfc822; reader@example.net\r
            Disposition: manual-action/MDN-sent-manually; displayed\r
            """)),
        ("message/feedback-report", "zqfeedbackua", report("feedback-report", """
            Feedback-Type: abuse\r
            User-Agent: zqfeedbackua/1.0\r
            Version: 1\r
            """)),
        ("text/rfc822-headers", "zqheaderpart", mixed("text/rfc822-headers", "Subject: zqheaderpart returned\r\n")),
        ("text/calendar", "zqcalsummary", mixed("text/calendar; method=REQUEST",
                                                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:zqcalsummary review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")),
        ("message/rfc822, level 1 header", "zqleveloneheader", nested),
        ("message/rfc822 body, level 1", "zqlevelonebody", nested),
        ("message/rfc822, level 2 header", "zqleveltwoheader", nested),
        ("message/rfc822 body, level 2", "zqleveltwobody", nested),
        ("message/global", "zqglobalword", mixed("message/global", "Subject: Grüße\r\nFrom: x@example.net\r\n\r\nÜber alles zqglobalword.\r\n")),
    ]

    /// multipart/mixed: a plain first part without the marker, then the part given.
    static func mixed(_ type: String, _ body: String, extra: String = "") -> [UInt8] {
        Array(("From: sender@example.net\r\nTo: alice@localhost\r\nSubject: carrier\r\n"
               + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
               + "--b1\r\nContent-Type: text/plain\r\n\r\nSee the part below.\r\n"
               + "--b1\r\nContent-Type: \(type)\r\n\(extra)\r\n\(body)\r\n--b1--\r\n").utf8)
    }

    /// multipart/report (RFC 6522) with a human part, the report and the returned headers.
    static func report(_ subtype: String, _ fields: String) -> [UInt8] {
        Array(("From: mailer-daemon@example.net\r\nTo: alice@localhost\r\nSubject: report\r\n"
               + "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\(subtype); boundary=\"r1\"\r\n\r\n"
               + "--r1\r\nContent-Type: text/plain\r\n\r\nA report follows.\r\n"
               + "--r1\r\nContent-Type: message/\(subtype)\r\n\r\n\(fields)\r\n"
               + "--r1--\r\n").utf8)
    }

    /// A message forwarding a message that forwards another (message/rfc822 two levels deep).
    static let nested: [UInt8] = Array(("From: sender@example.net\r\nTo: alice@localhost\r\nSubject: fwd fwd\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
        + "--o\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n"
        + "--o\r\nContent-Type: message/rfc822\r\n\r\n"
        + "From: middle@example.net\r\nSubject: zqleveloneheader\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
        + "--m\r\nContent-Type: text/plain\r\n\r\nzqlevelonebody here\r\n"
        + "--m\r\nContent-Type: message/rfc822\r\n\r\n"
        + "From: inner@example.net\r\nX-Case: zqleveltwoheader\r\n\r\nzqleveltwobody here\r\n"
        + "--m--\r\n"
        + "--o--\r\n").utf8)

    /// Sharp s in the text, small and capital.
    public static let sharpS: [UInt8] = Array(("From: sender@example.net\r\nTo: alice@localhost\r\nSubject: Anschrift\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "Lieferung an die Hauptstraße 5, Tor GROẞE EINFAHRT.\r\n").utf8)

    /// "ss" and diacritics in the text: found by "Strasse", "Straße", "Munchen".
    public static let plainSS: [UInt8] = Array(("From: sender@example.net\r\nTo: alice@localhost\r\nSubject: Anschrift 2\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "Lieferung an die Bahnhofstrasse 9 in München.\r\n").utf8)
}
