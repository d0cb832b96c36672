import Foundation

/// A message and the SMTP envelope it arrives with, as both Sieve implementations see it.
struct DifferentialMessage: Sendable {
    var name: String
    /// CRLF line ends throughout, so that `size` means the same to both (Pigeonhole counts a
    /// bare LF as CRLF).
    var raw: [UInt8]
    /// Never the null reverse-path: `sieve-test -f` cannot express it.
    var envelopeFrom: String
    var envelopeTo: String

    init(name: String, raw: [UInt8], envelopeFrom: String, envelopeTo: String) {
        self.name = name
        self.raw = Self.crlf(raw)
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
    }

    init(name: String, text: String, envelopeFrom: String, envelopeTo: String) {
        self.init(name: name, raw: Array(text.utf8), envelopeFrom: envelopeFrom, envelopeTo: envelopeTo)
    }

    /// Every bare LF becomes CRLF; existing CRLFs stay.
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 30)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }
}

/// Small messages written for the scripts of `DifferentialScripts`: each makes some of their
/// tests true and others false.
enum DifferentialMessages {
    static let all: [DifferentialMessage] = [
        DifferentialMessage(name: "list-dev", text: """
            Return-Path: <dev-bounces+bob=example.org@lists.example.org>
            Received: from mx.lists.example.org by mx.example.org; Tue, 1 Jul 2025 08:00:02 +0000
            Received: from dev.example by mx.lists.example.org; Tue, 1 Jul 2025 08:00:01 +0000
            Received: from laptop by dev.example; Tue, 1 Jul 2025 08:00:00 +0000
            From: Dana Developer <dana@dev.example>
            To: dev@lists.example.org
            Subject: [dev] Release 2.0 planning
            Date: Tue, 1 Jul 2025 10:00:00 +0200
            List-Id: Developers <dev.lists.example.org>
            List-Unsubscribe: <mailto:dev-unsubscribe@lists.example.org>
            Message-ID: <m1@dev.example>

            Hi all,

            the release branch opens next week. To unsubscribe, write to dev-unsubscribe@lists.example.org.

            """, envelopeFrom: "dev-bounces+bob=example.org@lists.example.org", envelopeTo: "bob+lists@example.org"),

        DifferentialMessage(name: "personal", text: """
            From: Anna Example <anna@example.com>
            To: Bob <bob+work@example.org>
            Cc: carol@example.net, "Dave" <dave@example.net>
            Subject: Lunch?
            Date: Sun, 29 Jun 2025 12:30:00 -0500
            X-Priority: 1
            Message-ID: <m2@example.com>

            Shall we have lunch on Monday? Invoice 12345 is paid.

            """, envelopeFrom: "anna@example.com", envelopeTo: "bob+work@example.org"),

        DifferentialMessage(name: "spam", text: """
            From: =?UTF-8?B?R2V3aW5uZXI=?= <winner@lottery.test>
            To: undisclosed-recipients:;
            Subject: =?UTF-8?Q?Sie_haben_gewonnen_=E2=82=AC?=
            Date: Mon, 15 Mar 2010 03:04:05 +0100
            X-Spam-Flag: YES
            X-Spam-Score: 12
            X-Spam-Level: ************

            Click here to claim your prize.

            """, envelopeFrom: "bounce@lottery.test", envelopeTo: "bob@example.org"),

        DifferentialMessage(name: "newsletter", text: """
            From: Shop <news@shop.example>
            To: bob@example.org
            Subject: Your weekly deals
            Date: Wed, 2 Jul 2025 07:00:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="b1"
            List-Unsubscribe: <https://shop.example/unsub>

            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            Deals of the week. Unsubscribe: https://shop.example/unsub =E2=80=93 Shop
            --b1
            Content-Type: text/html; charset=utf-8

            <html><body><p>Deals of the <b>week</b>.</p><a href="https://shop.example/unsub">Unsubscribe</a></body></html>
            --b1--

            """, envelopeFrom: "bounces@shop.example", envelopeTo: "bob@example.org"),

        DifferentialMessage(name: "report-attachment", text: """
            From: Reports <reports@example.com>
            To: bob@example.org, carol@example.net, dave@example.net, erin@example.net
            Subject: Quarterly report
            Date: Mon, 30 Jun 2025 18:45:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="mix"

            --mix
            Content-Type: text/plain; charset=us-ascii

            See the attached report.
            --mix
            Content-Type: application/octet-stream; name="report.bin"
            Content-Disposition: attachment; filename="report.bin"
            Content-Transfer-Encoding: base64

            \(attachmentLines)
            --mix--

            """, envelopeFrom: "reports@example.com", envelopeTo: "bob@example.org"),

        DifferentialMessage(name: "bounce", text: """
            From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
            To: bob@example.org
            Subject: Undelivered Mail Returned to Sender
            Date: Thu, 3 Jul 2025 09:15:00 +0000
            Auto-Submitted: auto-replied

            This is the mail system at host mx.example.org.

            """, envelopeFrom: "MAILER-DAEMON@mx.example.org", envelopeTo: "bob@example.org"),

        DifferentialMessage(name: "minimal", text: """
            Subject: x

            hi

            """, envelopeFrom: "someone@example.net", envelopeTo: "bob@example.org"),

        DifferentialMessage(name: "note-to-self", text: """
            From: Bob <bob+notes@example.org>
            To: bob@example.org
            Subject: note to self
            Comments: lunch plan
            Date: Fri, 4 Jul 2025 23:59:59 -1000

            Remember the invoice.

            """, envelopeFrom: "bob@example.org", envelopeTo: "bob+@example.org"),

        DifferentialMessage(name: "ticket", text: """
            Received: from a.support.example by mx.example.org; Sat, 1 Feb 2025 06:00:01 +0000
            Received: from b.support.example by a.support.example; Sat, 1 Feb 2025 06:00:00 +0000
            From: Helpdesk <helpdesk@support.example>
            To: bob@example.org
            Subject: Re: [ticket-4711] Printer
             on fire
            Date: Sat, 1 Feb 2025 07:00:00 +0100
            X-Spam-Score: 3

            We are looking into it.

            """, envelopeFrom: "helpdesk@support.example", envelopeTo: "bob+tickets@example.org"),

        DifferentialMessage(name: "empty-subject", text: """
            From: "Upper Case" <Upper.Case@Example.COM>
            To: Bob@Example.org
            Subject:
            Date: Tue, 31 Dec 2019 23:00:00 +0000
            X-Spam-Score: abc

            Nothing to say.

            """, envelopeFrom: "Upper.Case@Example.COM", envelopeTo: "Bob@example.org"),

        // spamtest and virustest (RFC 5235): scores between the steps, where rounding shows.
        DifferentialMessage(name: "scanned-infected", text: """
            From: Eve <eve@remote.example>
            To: bob@example.org
            Subject: Invoice attached
            X-Spam-Score: 4.45
            X-Virus-Status: Infected (Eicar-Test-Signature)
            Message-ID: <scan1@remote.example>

            See attachment.

            """, envelopeFrom: "eve@remote.example", envelopeTo: "bob@example.org"),
        DifferentialMessage(name: "scanned-clean", text: """
            From: Frank <frank@remote.example>
            To: bob@example.org
            Subject: Lunch tomorrow
            X-Spam-Score: -1.2
            X-Virus-Status: Clean
            Message-ID: <scan2@remote.example>

            Noon?

            """, envelopeFrom: "frank@remote.example", envelopeTo: "bob@example.org"),
        DifferentialMessage(name: "scanned-likely-spam", text: """
            From: Offers <offers@remote.example>
            To: bob@example.org
            Subject: You won
            X-Spam-Score: 7.5 (rules: ...)
            Message-ID: <scan3@remote.example>

            Claim now.

            """, envelopeFrom: "offers@remote.example", envelopeTo: "bob@example.org"),
    ]

    /// A 12 KB base64 attachment body (76-character lines), so `size :over 10K` holds.
    static let attachmentLines: String = {
        let bytes = (0..<9000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        return Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
    }()
}
