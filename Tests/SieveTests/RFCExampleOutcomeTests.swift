#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailMessage
import Testing

@testable import Sieve

/// The examples of RFC 5228 and of the extension RFCs, run: each row is a script, a message
/// and an envelope, and the actions and implicit keep the RFC's text implies. Messages are
/// written for the purpose (the RFCs give few), one per branch an example has.
@Suite struct RFCExampleOutcomeTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var script: String
        var message: String = SieveHarness.defaultMessage
        var from = "sender@example.org"
        var to = "rcpt@example.com"
        /// Mailboxes that do not exist (all others do).
        var missing: Set<String> = []
        var actions: [SieveAction]
        var implicitKeep: Bool
        var implicitKeepFlags: [String] = []

        var testDescription: String { name }
    }

    @Test(arguments: rfc5228 + rfc5232 + rfc5229 + rfc5173 + rfc5231 + rfc5233 + rfc5260 + others)
    func example(_ row: Row) throws {
        let missing = row.missing
        let input = SieveInput(
            message: SieveHarness.message(row.message), envelopeFrom: row.from, envelopeTo: row.to,
            currentDate: SieveHarness.now, timeZone: TimeZone(secondsFromGMT: 0)!,
            mailboxExists: { !missing.contains($0) })
        let outcome = try SieveHarness.run([row.script], input)
        #expect(outcome.error == nil)
        #expect(outcome.actions == row.actions)
        #expect(outcome.implicitKeep == row.implicitKeep)
        #expect(outcome.implicitKeepFlags == row.implicitKeepFlags)
    }

    @Test func thereAreEnoughRows() {
        #expect((Self.rfc5228 + Self.rfc5232 + Self.rfc5229 + Self.rfc5173 + Self.rfc5231 + Self.rfc5233 + Self.rfc5260
            + Self.others).count >= 60)
    }

    static func fileinto(_ mailbox: String, flags: [String] = [], create: Bool = false, copy: Bool = false) -> SieveAction {
        .fileInto(mailbox: mailbox, flags: flags, create: create, copy: copy)
    }

    static func message(_ header: String, body: String = "Hello.\n") -> String {
        header + "\n\n" + body
    }

    // MARK: - RFC 5228

    static let ifExample = """
        require "fileinto";
        if header :contains "from" "coyote" {
            discard;
        } elsif header :contains ["subject"] ["$$$"] {
            discard;
        } else {
            fileinto "INBOX";
        }
        """

    /// RFC 5228 §9.
    static let bigExample = """
        require ["fileinto"];
        if header :is "Sender" "owner-ietf-mta-filters@imc.org"
                {
                fileinto "filter";  # move to "filter" mailbox
                }
        elsif address :DOMAIN :is ["From", "To"] "example.com"
                {
                keep;               # keep in "In" mailbox
                }
        elsif anyof (NOT address :all :contains
                       ["To", "Cc", "Bcc"] "me@example.com",
                     header :matches "subject"
                       ["*make*money*fast*", "*university*dipl*mas*"])
                {
                fileinto "spam";   # move to "spam" mailbox
                }
        else
                {
                fileinto "personal";
                }
        """

    static let rfc5228: [Row] = [
        Row(name: "5228 §2.7.1 :is ignores case by default",
            script: #"if header :is "Subject" "HELLO" { discard; }"#, actions: [.discard], implicitKeep: false),
        Row(name: "5228 §2.7.1 :is needs the whole value",
            script: #"if header :is "Subject" "hell" { discard; }"#, actions: [], implicitKeep: true),
        Row(name: "5228 §2.7.1 :contains finds a substring",
            script: #"if header :contains "Subject" "MONEY" { discard; }"#,
            message: message("Subject: make money fast"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §2.7.1 :matches with * and ?",
            script: #"if header :matches "Subject" "*m?ney*" { discard; }"#,
            message: message("Subject: make money fast"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §2.7.1 an escaped * is literal (no match)",
            script: #"if header :matches "Subject" "Important\\*" { discard; }"#,
            message: message("Subject: Important!"), actions: [], implicitKeep: true),
        Row(name: "5228 §2.7.1 an escaped * is literal (match)",
            script: #"if header :matches "Subject" "Important\\*" { discard; }"#,
            message: message("Subject: Important*"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §2.7.1 the empty key is in every present header",
            script: #"if header :contains "Subject" "" { discard; }"#, actions: [.discard], implicitKeep: false),
        Row(name: "5228 §2.7.1 an absent header matches nothing",
            script: #"if header :contains "X-Absent" "" { discard; }"#, actions: [], implicitKeep: true),
        Row(name: "5228 §2.7.3 i;octet is case-sensitive",
            script: #"if header :comparator "i;octet" :is "Subject" "HELLO" { discard; }"#,
            actions: [], implicitKeep: true),
        Row(name: "5228 §2.7.3 i;ascii-numeric compares numbers",
            script: #"""
                require "comparator-i;ascii-numeric";
                if header :comparator "i;ascii-numeric" :is "X-Priority" "7" { discard; }
                """#,
            message: message("X-Priority: 007 (low)"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.1 address :all ignores the display name",
            script: #"if address :all :is "from" "tim@example.com" { discard; }"#,
            message: message("From: \"Tim Showalter\" <tim@example.com>"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §2.7.4 :localpart and :domain",
            script: #"if allof (address :localpart :is "from" "tim", address :domain :is "from" "EXAMPLE.com") { discard; }"#,
            message: message("From: Tim <tim@example.com>"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.1 group members are addresses",
            script: #"if address :domain :is "to" "y.example" { discard; }"#,
            message: message("To: friends: a@x.example, b@y.example;"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.4 envelope from",
            script: #"require "envelope"; if envelope :all :is "from" "tim@example.com" { discard; }"#,
            from: "tim@example.com", actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.4 the null reverse-path is the empty string",
            script: #"require "envelope"; if envelope :is "from" "" { discard; }"#,
            from: "", actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.5 exists: all present",
            script: #"if not exists ["From", "Date"] { discard; }"#, actions: [], implicitKeep: true),
        Row(name: "5228 §5.5 exists: one missing",
            script: #"if not exists ["From", "Date"] { discard; }"#,
            message: message("From: a@example.com"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.9 size :over",
            script: #"if size :over 500K { discard; }"#, actions: [], implicitKeep: true),
        Row(name: "5228 §5.9 size :under",
            script: #"if size :under 1K { discard; }"#, actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.2 allof needs every test",
            script: #"if allof (header :contains "from" "sender", header :contains "subject" "nope") { discard; }"#,
            actions: [], implicitKeep: true),
        Row(name: "5228 §5.3 anyof needs one test",
            script: #"if anyof (header :contains "from" "nope", header :contains "subject" "hell") { discard; }"#,
            actions: [.discard], implicitKeep: false),
        Row(name: "5228 §3.1 if: first branch",
            script: ifExample, message: message("From: coyote@desert.example.org"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5228 §3.1 if: elsif branch",
            script: ifExample, message: message("From: a@example.org\nSubject: $$$ for you"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5228 §3.1 if: else branch",
            script: ifExample, actions: [fileinto("INBOX")], implicitKeep: false),
        Row(name: "5228 §9 mailing list",
            script: bigExample, message: message("Sender: owner-ietf-mta-filters@imc.org\nTo: me@example.com"),
            actions: [fileinto("filter")], implicitKeep: false),
        Row(name: "5228 §9 company mail",
            script: bigExample, message: message("From: boss@example.com\nTo: me@example.com"),
            actions: [.keep(flags: [])], implicitKeep: false),
        Row(name: "5228 §9 not to me",
            script: bigExample, message: message("From: x@other.example\nTo: list@other.example"),
            actions: [fileinto("spam")], implicitKeep: false),
        Row(name: "5228 §9 spam subject",
            script: bigExample,
            message: message("From: x@other.example\nCc: me@example.com\nSubject: Make lots of MONEY fast"),
            actions: [fileinto("spam")], implicitKeep: false),
        Row(name: "5228 §9 personal",
            script: bigExample, message: message("From: friend@other.example\nCc: me@example.com"),
            actions: [fileinto("personal")], implicitKeep: false),
        Row(name: "5228 §5.7 header values are RFC 2047 decoded",
            script: #"if header :is "subject" "Café" { discard; }"#,
            message: message("Subject: =?ISO-8859-1?Q?Caf=E9?="), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.7 every occurrence of a header is tested",
            script: #"if header :contains "received" "second" { discard; }"#,
            message: message("Received: from first\nReceived: from second\nSubject: x"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5228 §5.7 folded headers are unfolded",
            script: #"if header :is "subject" "one two" { discard; }"#,
            message: message("Subject: one\n two"), actions: [.discard], implicitKeep: false),
        Row(name: "5228 §4.2 redirect cancels the implicit keep",
            script: #"redirect "bart@example.com";"#,
            actions: [.redirect(address: "bart@example.com", copy: false)], implicitKeep: false),
        Row(name: "5228 §2.10.2 no action: implicit keep",
            script: #"if false { discard; }"#, actions: [], implicitKeep: true),
        Row(name: "5228 §3.3 stop before discard",
            script: #"keep; stop; discard;"#, actions: [.keep(flags: [])], implicitKeep: false),
    ]

    // MARK: - RFC 5232 imap4flags

    static let flagsExample = #"""
        require ["fileinto", "imap4flags", "variables"];
        if size :over 1M {
            addflag "MyFlags" "Big";
            if header :is "From" "boss@company.example.com" {
                addflag "MyFlags" "\\Flagged";
            }
            fileinto :flags "${MyFlags}" "Big messages";
        }
        if header :is "From" "grandma@example.net" {
            addflag "MyFlags" ["\\Answered", "$MDNSent"];
            fileinto :flags "${MyFlags}" "GrandMa";
        }
        if header :contains "Subject" "Order" {
            removeflag "MyFlags" "Big";
            fileinto :flags "${MyFlags}" "Orders";
        }
        """#

    static let bigBody = String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", count: 17_000)

    static let rfc5232: [Row] = [
        Row(name: "5232 §3 setflag sets the internal variable for the implicit keep",
            script: #"require "imap4flags"; setflag "\\Seen";"#,
            actions: [], implicitKeep: true, implicitKeepFlags: ["\\Seen"]),
        Row(name: "5232 §3 addflag then removeflag",
            script: #"require "imap4flags"; addflag ["\\Seen", "\\Flagged"]; addflag "\\seen"; removeflag "\\Flagged";"#,
            actions: [], implicitKeep: true, implicitKeepFlags: ["\\Seen"]),
        Row(name: "5232 §5 keep :flags replaces the internal variable for that keep",
            script: #"require "imap4flags"; setflag "\\Seen"; keep :flags "\\Deleted";"#,
            actions: [.keep(flags: ["\\Deleted"])], implicitKeep: false, implicitKeepFlags: ["\\Seen"]),
        Row(name: "5232 §5 fileinto without :flags uses the internal variable",
            script: #"require ["imap4flags", "fileinto"]; addflag "$Work"; fileinto "Work";"#,
            actions: [fileinto("Work", flags: ["$Work"])], implicitKeep: false, implicitKeepFlags: ["$Work"]),
        Row(name: "5232 §8 big message from the boss",
            script: flagsExample, message: message("From: boss@company.example.com", body: bigBody),
            actions: [fileinto("Big messages", flags: ["Big", "\\Flagged"])], implicitKeep: false),
        Row(name: "5232 §8 small message from grandma",
            script: flagsExample, message: message("From: grandma@example.net"),
            actions: [fileinto("GrandMa", flags: ["\\Answered", "$MDNSent"])], implicitKeep: false),
        Row(name: "5232 §8 big message from grandma about an order",
            script: flagsExample, message: message("From: grandma@example.net\nSubject: Order", body: bigBody),
            actions: [
                fileinto("Big messages", flags: ["Big"]), fileinto("GrandMa", flags: ["Big", "\\Answered", "$MDNSent"]),
                fileinto("Orders", flags: ["\\Answered", "$MDNSent"]),
            ], implicitKeep: false),
        Row(name: "5232 §4 hasflag :contains sees NonJunk",
            script: #"""
                require ["imap4flags", "variables"];
                setflag "MyVar" "NonJunk";
                if hasflag :contains "MyVar" "Junk" { discard; }
                """#,
            actions: [.discard], implicitKeep: false),
        Row(name: "5232 §4 hasflag :is on the internal variable",
            script: #"require "imap4flags"; addflag "\\Seen \\Answered"; if hasflag :is "\\answered" { discard; }"#,
            actions: [.discard], implicitKeep: false, implicitKeepFlags: ["\\Seen", "\\Answered"]),
    ]

    // MARK: - RFC 5229 variables

    static func setThen(_ sets: String, is expected: String) -> String {
        """
        require "variables";
        set "a" "juMBlEd lETteRS";
        \(sets)
        if string :is "${b}" "\(expected)" { discard; }
        """
    }

    static let matchVariablesExample = """
        require ["fileinto", "variables"];
        if header :matches "List-ID" "*<*@*" {
            fileinto "INBOX.lists.${2}"; stop;
        }
        if header :matches "Subject" "[*] *" {
            fileinto "INBOX.lists.${1}"; stop;
        }
        if address :matches ["To", "Cc"] ["coyote@**.com", "wile@**.com"] {
            fileinto "INBOX.business.${2}"; stop;
        }
        if anyof (true, address :domain :matches "To" "*.com") {
            stop;
        }
        """

    static let rfc5229: [Row] = [
        Row(name: "5229 §4 names are case-insensitive",
            script: """
                require ["variables", "fileinto"];
                set "honorific"  "Mr";
                set "last_name"  "Doe";
                fileinto "${HONORIFIC} ${last_name}";
                """,
            actions: [fileinto("Mr Doe")], implicitKeep: false),
        Row(name: "5229 §4.1 no modifier", script: setThen(#"set "b" "${a}";"#, is: "juMBlEd lETteRS"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §4.1 :length", script: setThen(#"set :length "b" "${a}";"#, is: "15"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §4.1 :lower", script: setThen(#"set :lower "b" "${a}";"#, is: "jumbled letters"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §4.1 :upperfirst", script: setThen(#"set :upperfirst "b" "${a}";"#, is: "JuMBlEd lETteRS"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §4.1 :upperfirst :lower", script: setThen(#"set :upperfirst :lower "b" "${a}";"#, is: "Jumbled letters"),
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §4.1 :quotewildcard",
            script: """
                require "variables";
                set :quotewildcard "b" "Rock*";
                if string :is "${b}" "Rock\\\\*" { discard; }
                """,
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §3.2 List-ID", script: matchVariablesExample,
            message: message("List-ID: Sieve discussion <sieve.example.org@lists.example.org>"),
            actions: [fileinto("INBOX.lists.sieve.example.org")], implicitKeep: false),
        Row(name: "5229 §3.2 Subject tag", script: matchVariablesExample,
            message: message("Subject: [acme-users] [fwd] version 1.0 is out"),
            actions: [fileinto("INBOX.lists.acme-users")], implicitKeep: false),
        Row(name: "5229 §3.2 ** in an address", script: matchVariablesExample,
            message: message("To: coyote@ACME.Example.COM"),
            actions: [fileinto("INBOX.business.ACME.Example")], implicitKeep: false),
        Row(name: "5229 §3.2 nothing matched", script: matchVariablesExample,
            message: message("To: someone@example.org"), actions: [], implicitKeep: true),
        Row(name: "5229 §5 string test",
            script: """
                require "variables";
                set "state" "${state} pending";
                if string :matches " ${state} " "* pending *" { discard; }
                """,
            actions: [.discard], implicitKeep: false),
        Row(name: "5229 §3 unknown variables are empty",
            script: #"require "variables"; if string :is "${nothing}" "" { discard; }"#,
            actions: [.discard], implicitKeep: false),
    ]

    // MARK: - RFC 5173 body

    static let multipart = """
        From: spy@example.org
        Subject: plans
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b"

        --b
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: base64

        VGhlIG1pc3NpbGUgaXMgcmVhZHku
        --b
        Content-Type: text/html

        <p>Meet at the <b>old mill</b></p>
        --b
        Content-Type: audio/mp3
        Content-Transfer-Encoding: base64

        AAECAw==
        --b--
        """

    static let bodyExample = """
        require ["body", "fileinto"];
        if body :content "text" :contains ["missile", "coordinates"] {
            fileinto "secrets";
        }
        if body :content "audio/mp3" :contains "" {
            fileinto "jukebox";
        }
        """

    static let rfc5173: [Row] = [
        Row(name: "5173 §5.2 a text part with a key, and an audio part", script: bodyExample, message: multipart,
            actions: [fileinto("secrets"), fileinto("jukebox")], implicitKeep: false),
        Row(name: "5173 §5.2 a plain message has neither", script: bodyExample, actions: [], implicitKeep: true),
        Row(name: "5173 §5.1 :raw does not decode base64",
            script: #"require "body"; if body :raw :contains "missile" { discard; }"#, message: multipart,
            actions: [], implicitKeep: true),
        Row(name: "5173 §5.1 :raw sees the encoded text",
            script: #"require "body"; if body :raw :contains "VGhlIG1pc3NpbGU" { discard; }"#, message: multipart,
            actions: [.discard], implicitKeep: false),
        Row(name: "5173 §5.3 :text searches decoded text parts",
            script: #"require "body"; if body :text :contains "MISSILE" { discard; }"#, message: multipart,
            actions: [.discard], implicitKeep: false),
        Row(name: "5173 §5.2 :content text/html is that part only",
            script: #"require "body"; if body :content "text/html" :contains "missile" { discard; }"#,
            message: multipart, actions: [], implicitKeep: true),
        Row(name: "5173 §5 a key must be within one part",
            script: #"require "body"; if body :text :contains "ready.<p>" { discard; }"#, message: multipart,
            actions: [], implicitKeep: true),
    ]

    // MARK: - RFC 5231 relational

    static let relationalMessage = message("""
        Received: from host1
        Received: from host2
        To: foo@example.com, baz@example.com
        Cc: qux@example.com
        Subject: x
        X-Spam-Score: 12
        """)

    static func relational(_ test: String) -> String {
        """
        require ["relational", "comparator-i;ascii-numeric"];
        if \(test) { discard; }
        """
    }

    static let rfc5231: [Row] = [
        Row(name: "5231 §5 three addresses in To and Cc",
            script: relational(#"address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]"#),
            message: relationalMessage, actions: [.discard], implicitKeep: false),
        Row(name: "5231 §5 two Received fields",
            script: relational(#"header :count "ge" :comparator "i;ascii-numeric" ["received"] ["3"]"#),
            message: relationalMessage, actions: [], implicitKeep: true),
        Row(name: "5231 §5 Received and Subject fields",
            script: relational(#"header :count "ge" :comparator "i;ascii-numeric" ["received", "subject"] ["3"]"#),
            message: relationalMessage, actions: [.discard], implicitKeep: false),
        Row(name: "5231 §5 To and Cc fields are two",
            script: relational(#"header :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]"#),
            message: relationalMessage, actions: [], implicitKeep: true),
        Row(name: "5231 §5 two addresses in To",
            script: relational(#"address :count "ge" :comparator "i;ascii-numeric" ["to"] ["3"]"#),
            message: relationalMessage, actions: [], implicitKeep: true),
        Row(name: "5231 §4.1 :value numeric",
            script: relational(#"header :value "gt" :comparator "i;ascii-numeric" "X-Spam-Score" "5""#),
            message: relationalMessage, actions: [.discard], implicitKeep: false),
        Row(name: "5231 §4.1 :value numeric is not textual",
            script: relational(#"header :value "lt" :comparator "i;ascii-numeric" "X-Spam-Score" "2""#),
            message: relationalMessage, actions: [], implicitKeep: true),
        Row(name: "5231 §4.1 :value with the default comparator is textual",
            script: relational(#"header :value "lt" "X-Spam-Score" "2""#),
            message: relationalMessage, actions: [.discard], implicitKeep: false),
        Row(name: "5231 §4.2 :count of an absent header is 0",
            script: relational(#"header :count "eq" :comparator "i;ascii-numeric" "X-Absent" "0""#),
            actions: [.discard], implicitKeep: false),
    ]

    // MARK: - RFC 5233 subaddress

    static let subaddressExample = """
        require ["envelope", "subaddress", "fileinto"];
        if envelope :user "to" "postmaster" {
            fileinto "inbox.postmaster";
            stop;
        }
        if envelope :detail "to" "mta-filters" {
            fileinto "inbox.ietf-mta-filters";
        }
        if envelope :detail "to" "foo" {
            redirect "ken@example.net";
        }
        """

    static let rfc5233: [Row] = [
        Row(name: "5233 §6 postmaster with a detail", script: subaddressExample, to: "postmaster+spam@example.com",
            actions: [fileinto("inbox.postmaster")], implicitKeep: false),
        Row(name: "5233 §6 mailing list detail", script: subaddressExample, to: "ken+mta-filters@example.com",
            actions: [fileinto("inbox.ietf-mta-filters")], implicitKeep: false),
        Row(name: "5233 §6 detail foo", script: subaddressExample, to: "ken+foo@example.com",
            actions: [.redirect(address: "ken@example.net", copy: false)], implicitKeep: false),
        Row(name: "5233 §6 no detail", script: subaddressExample, to: "ken@example.com",
            actions: [], implicitKeep: true),
        Row(name: "5233 §4 no separator: :detail \"\" does not match",
            script: #"require ["envelope", "subaddress"]; if envelope :detail "to" "" { discard; }"#,
            to: "ken@example.com", actions: [], implicitKeep: true),
        Row(name: "5233 §4 empty detail: :detail \"\" matches",
            script: #"require ["envelope", "subaddress"]; if envelope :detail "to" "" { discard; }"#,
            to: "ken+@example.com", actions: [.discard], implicitKeep: false),
        Row(name: "5233 §4 :user of a header address",
            script: #"require "subaddress"; if address :user "from" "sender" { discard; }"#,
            message: message("From: sender+news@example.org"), actions: [.discard], implicitKeep: false),
    ]

    // MARK: - RFC 5260 date

    static let bossExample = """
        require ["date", "relational", "fileinto"];
        if allof(header :is "from" "boss@example.com",
                 date :value "ge" :originalzone "date" "hour" "09",
                 date :value "lt" :originalzone "date" "hour" "17")
        { fileinto "urgent"; }
        """

    static let weekendExample = """
        require ["date", "fileinto"];
        if anyof(date :is "received" "weekday" "0",
                 date :is "received" "weekday" "6")
        { fileinto "weekend"; }
        """

    static let rfc5260: [Row] = [
        Row(name: "5260 §7 boss in office hours (original zone)", script: bossExample,
            message: message("From: boss@example.com\nDate: Fri, 8 Apr 2005 14:39:00 -0700"),
            actions: [fileinto("urgent")], implicitKeep: false),
        Row(name: "5260 §7 boss after hours (original zone; 09:30 UTC)", script: bossExample,
            message: message("From: boss@example.com\nDate: Fri, 8 Apr 2005 01:30:00 -0800"),
            actions: [], implicitKeep: true),
        Row(name: "5260 §7 received on a Saturday", script: weekendExample,
            message: message("Received: from a by b; Sat, 9 Apr 2005 10:00:00 +0000"),
            actions: [fileinto("weekend")], implicitKeep: false),
        Row(name: "5260 §7 received on a Friday", script: weekendExample,
            message: message("Received: from a by b; Fri, 8 Apr 2005 10:00:00 +0000"),
            actions: [], implicitKeep: true),
        Row(name: "5260 §7 currentdate within a range (now 2007-07-02)",
            script: """
                require ["date", "relational", "fileinto"];
                if allof(currentdate :value "ge" "date" "2007-06-30",
                         currentdate :value "le" "date" "2007-07-07")
                { fileinto "away"; }
                """,
            actions: [fileinto("away")], implicitKeep: false),
        Row(name: "5260 §7 currentdate parts into variables",
            script: """
                require ["date", "variables", "fileinto"];
                if currentdate :matches "month" "*" { set "month" "${1}"; }
                if currentdate :matches "year"  "*" { set "year"  "${1}"; }
                fileinto "${month}-${year}";
                """,
            actions: [fileinto("07-2007")], implicitKeep: false),
        Row(name: "5260 §4.1 :zone moves the date",
            script: #"require "date"; if date :zone "+0900" "date" "date" "2005-04-09" { discard; }"#,
            actions: [.discard], implicitKeep: false),
        Row(name: "5260 §4.2 iso8601 in the default zone",
            script: #"require "date"; if date :is "date" "iso8601" "2005-04-08T21:39:00+00:00" { discard; }"#,
            actions: [.discard], implicitKeep: false),
        Row(name: "5260 §4 an unreadable date matches nothing",
            script: #"require "date"; if date :matches "date" "year" "*" { discard; }"#,
            message: message("Date: whenever"), actions: [], implicitKeep: true),
    ]

    // MARK: - RFC 3894, RFC 5429, RFC 5490, regex

    static let others: [Row] = [
        Row(name: "3894 §3 fileinto :copy keeps the implicit keep",
            script: #"require ["copy", "fileinto"]; fileinto :copy "incoming";"#,
            actions: [fileinto("incoming", copy: true)], implicitKeep: true),
        Row(name: "3894 §3 redirect :copy keeps the implicit keep",
            script: #"require ["copy"]; redirect :copy "bart@example.com";"#,
            actions: [.redirect(address: "bart@example.com", copy: true)], implicitKeep: true),
        Row(name: "5429 §2.1 reject a big message",
            script: """
                require ["reject"];
                if size :over 100K {
                    reject text:
                Your message is too big.
                .
                ;
                }
                """,
            message: message("From: a@example.org", body: bigBody),
            actions: [.reject(reason: "Your message is too big.\n", extended: false)], implicitKeep: false),
        Row(name: "5429 §2.2 ereject",
            script: #"""
                require ["ereject"];
                if address :is "from" "coyote@desert.example.org" {
                    ereject "I am not taking mail from you, and I don't want your birdseed, either!";
                }
                """#,
            message: message("From: coyote@desert.example.org"),
            actions: [.reject(reason: "I am not taking mail from you, and I don't want your birdseed, either!", extended: true)],
            implicitKeep: false),
        Row(name: "5490 §3.1 mailboxexists: present",
            script: #"""
                require ["fileinto", "reject", "mailbox"];
                if mailboxexists "Partners" { fileinto "Partners"; }
                else { reject "This message was not accepted by the Mailstore"; }
                """#,
            actions: [fileinto("Partners")], implicitKeep: false),
        Row(name: "5490 §3.1 mailboxexists: absent",
            script: #"""
                require ["fileinto", "reject", "mailbox"];
                if mailboxexists "Partners" { fileinto "Partners"; }
                else { reject "This message was not accepted by the Mailstore"; }
                """#,
            missing: ["Partners"],
            actions: [.reject(reason: "This message was not accepted by the Mailstore", extended: false)],
            implicitKeep: false),
        Row(name: "5490 §3.2 fileinto :create a missing mailbox",
            script: #"require ["fileinto", "mailbox"]; fileinto :create "INBOX.Partners";"#,
            missing: ["INBOX.Partners"], actions: [fileinto("INBOX.Partners", create: true)], implicitKeep: false),
        Row(name: "regex groups become match variables",
            script: #"""
                require ["regex", "variables", "fileinto"];
                if header :regex "subject" "^\\[([a-z-]+)\\] (.*)$" { fileinto "lists.${1}"; }
                """#,
            message: message("Subject: [acme-users] release"), actions: [fileinto("lists.acme-users")],
            implicitKeep: false),
    ]
}
