import Sieve
import Testing

/// The example scripts of RFC 5228 §9 and of the extension RFCs compile, and validation
/// leaves the arguments in the shape `SieveGrammar` documents for the interpreter.
@Suite struct RFCExampleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var origin: String
        var source: String
        var extensions: Set<String>

        var testDescription: String { origin }
    }

    static let examples: [Example] = [
        Example(origin: "RFC 5228 §9", source: #"""
            #
            # Example Sieve Filter
            # Declare any optional features or extension used by the script
            #
            require ["fileinto"];

            #
            # Handle messages from known mailing lists
            # Move messages from IETF filter discussion list to filter mailbox
            #
            if header :is "Sender" "owner-ietf-mta-filters@imc.org"
                    {
                    fileinto "filter";  # move to "filter" mailbox
                    }
            #
            # Keep all messages to or from people in my company
            #
            elsif address :DOMAIN :is ["From", "To"] "example.com"
                    {
                    keep;               # keep in "In" mailbox
                    }

            #
            # Try and catch unsolicited email.  If a message is not to me,
            # or it contains a subject known to be spam, file it away.
            #
            elsif anyof (NOT address :all :contains
                           ["To", "Cc", "Bcc"] "me@example.com",
                         header :matches "subject"
                           ["*make*money*fast*", "*university*dipl*mas*"])
                    {
                    fileinto "spam";   # move to "spam" mailbox
                    }
            else
                    {
                    # Move all other (non-company) mail to "personal"
                    # mailbox.
                    fileinto "personal";
                    }
            """#, extensions: ["fileinto"]),
        Example(origin: "RFC 5228 §4.2, §5.9, §2.4.2", source: #"""
            if size :over 1M { redirect "bart@example.com"; stop; }
            if header :contains ["subject", "comments"] "\"quoted\" \\ text" { discard; }
            if exists ["From", "Date"] { keep; }
            if not size :under 100k { keep; }
            if true { } elsif false { }
            """#, extensions: []),
        Example(origin: "RFC 5229 §4, §5 (variables)", source: #"""
            require ["variables", "fileinto"];
            set "honorific"  "Mr";
            set "first_name" "Wile";
            set "last_name"  "Coyote";
            set "vacation" text:
            Dear ${HONORIFIC} ${last_name},
            I'm out, please leave a message after the meep.
            .
            ;
            set :upperfirst "b" "${first_name}";
            set :lower :upperfirst "c" "${last_name}";
            set :length "d" "${vacation}";
            set :quotewildcard "e" "*?\\";
            if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; stop; }
            if string :is "${d}" "0" { discard; }
            if header :contains "${first_name}" "x" { keep; }
            """#, extensions: ["variables", "fileinto"]),
        Example(origin: "RFC 5232 §3–5 (imap4flags)", source: #"""
            require ["fileinto", "imap4flags", "variables"];
            if size :over 1M {
                addflag "MyFlags" "Big";
                if header :is "From" "boss@company.example.com" { addflag "MyFlags" "\\Flagged"; }
                fileinto :flags "${MyFlags}" "Big messages";
            }
            if header :is "From" "grandma@example.net" {
                addflag "MyFlags" ["\\Answered", "$MDNSent"];
                fileinto :flags "${MyFlags}" "GrandMa";
            }
            if header :is "Sender" "owner-ietf-mta-filters@example.com" {
                setflag "\\Flagged $Work";
                removeflag "$Work";
                keep :flags "${MyFlags}";
            }
            if hasflag :contains "MyVar" "Junk" { discard; stop; }
            if hasflag ["\\Seen", "\\Deleted"] { keep; }
            """#, extensions: ["fileinto", "imap4flags", "variables"]),
        Example(origin: "RFC 5173 §6 (body)", source: #"""
            require ["body", "fileinto"];
            if body :raw :contains "MAKE MONEY FAST" { discard; }
            if body :content "text" :contains ["missile", "coordinates"] { fileinto "secrets"; }
            if body :content "audio/mp3" :contains "" { fileinto "jukebox"; }
            if body :text :comparator "i;octet" :matches "*secret*" { fileinto "secrets"; }
            """#, extensions: ["body", "fileinto"]),
        Example(origin: "RFC 5231 §6 (relational)", source: #"""
            require ["relational", "comparator-i;ascii-numeric", "fileinto"];
            if header :value "lt" :comparator "i;ascii-numeric" ["x-priority"] ["3"] {
                fileinto "Priority";
            }
            elsif address :count "gt" :comparator "i;ascii-numeric" ["to"] ["5"] {
                fileinto "Spam";
            }
            elsif address :value "gt" :all :comparator "i;ascii-casemap" ["from"] ["M"] {
                fileinto "From N-Z";
            } else {
                fileinto "From A-M";
            }
            if allof (address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] ["1"],
                      address :all :comparator "i;ascii-casemap" ["to", "cc"] ["me@foo.example.com"]) {
                fileinto "Only me";
            }
            """#, extensions: ["relational", "comparator-i;ascii-numeric", "fileinto"]),
        Example(origin: "RFC 5233 §5 (subaddress)", source: #"""
            require ["envelope", "subaddress", "fileinto"];
            if envelope :user "to" "postmaster" { fileinto "inbox.postmaster"; stop; }
            if envelope :detail "to" "mta-filters" { fileinto "inbox.ietf-mta-filters"; stop; }
            if address :detail :is "to" "" { fileinto "inbox.no-detail"; }
            """#, extensions: ["envelope", "subaddress", "fileinto"]),
        Example(origin: "RFC 3894 §4 (copy)", source: #"""
            require ["copy", "fileinto"];
            fileinto :copy "incoming";
            redirect :copy "Bob Example <bob@example.com>";
            """#, extensions: ["copy", "fileinto"]),
        Example(origin: "RFC 5260 §7 (date)", source: #"""
            require ["date", "relational", "fileinto", "variables"];
            if allof (header :is "from" "boss@example.com",
                      date :value "ge" :originalzone "date" "hour" "09",
                      date :value "lt" :originalzone "date" "hour" "17") {
                fileinto "urgent";
            }
            if anyof (date :is "received" "weekday" "0", date :is "received" "weekday" "6") {
                fileinto "weekend";
            }
            if currentdate :matches "month" "*" { set "month" "${1}"; }
            if currentdate :zone "-0800" :matches "year" "*" { set "year" "${1}"; }
            if date :zone "+0100" :is "date" "ISO8601" "2008-01-01T00:00:00+01:00" { keep; }
            fileinto "${month}-${year}";
            """#, extensions: ["date", "relational", "fileinto", "variables"]),
        Example(origin: "RFC 5429 §2 (reject, ereject)", source: #"""
            require ["reject", "ereject"];
            if address :contains "from" "marketing" { ereject "I don't want to hear from you"; }
            if size :over 100K {
                reject text:
            Your message is too big.  If you want to send me a big attachment,
            put it on a public web site and send me a URL.
            .
            ;
            }
            """#, extensions: ["reject", "ereject"]),
        Example(origin: "RFC 5490 §3 (mailbox)", source: #"""
            require ["fileinto", "reject", "mailbox"];
            if mailboxexists "Partners" {
                fileinto :create "Partners";
            } else {
                reject "This message was not accepted by the Mailstore";
            }
            """#, extensions: ["fileinto", "reject", "mailbox"]),
        Example(origin: "draft-ietf-sieve-regex §3 (regex)", source: #"""
            require ["regex", "variables", "fileinto"];
            if header :regex "From" "^[a-z.]+@example\\.(com|org)$" { fileinto "Example"; }
            if address :regex :localpart "to" "${pattern}(" { keep; }
            if header :regex :comparator "i;octet" "subject" ["^\\[[^]]+\\]", "x{2,3}"] { discard; }
            """#, extensions: ["regex", "variables", "fileinto"]),
        Example(origin: "RFC 5228 §2.4.2.4 (encoded-character)", source: #"""
            require ["encoded-character", "fileinto"];
            if header :contains "subject" "$${hex:24 24}" { fileinto "${unicode:20AC}uro"; }
            """#, extensions: ["encoded-character", "fileinto"]),
    ]

    @Test(arguments: examples)
    func compiles(_ example: Example) throws {
        let script = try SieveScript(source: example.source)
        #expect(script.extensions == example.extensions)
    }

    @Test func supportedExtensionsAreAllAcceptedByRequire() throws {
        let all = SieveScript.supportedExtensions
        #expect(Set(all).count == all.count)
        #expect(all.contains("fileinto") && all.contains("comparator-i;ascii-numeric") && all.contains("regex"))
        let list = all.map { "\"\($0)\"" }.joined(separator: ", ")
        #expect(try SieveScript(source: "require [\(list)];").extensions == Set(all))
    }

    // MARK: - The argument conventions the interpreter relies on

    private func test(_ source: String) throws -> SieveTest {
        let script = try SieveScript(source: source)
        return try #require(script.commands.last?.tests.first)
    }

    private func command(_ source: String) throws -> SieveCommand {
        try #require(try SieveScript(source: source).commands.last)
    }

    @Test func tagsAreStoredByNameWithTheirValues() throws {
        let header = try test(#"if header :Comparator "I;Octet" :CONTAINS ["Subject"] "x" { keep; }"#)
        #expect(header.arguments.tags == ["comparator": .strings(["i;octet"]), "contains": nil])
        #expect(header.arguments.positional == [.strings(["Subject"]), .strings(["x"])])
        #expect(header.arguments.has("contains") && !header.arguments.has("is"))

        let size = try test("if size :over 100K { keep; }")
        #expect(size.arguments.tags == ["over": .number(102_400)])
        #expect(size.arguments.positional.isEmpty)

        let relational = try test(#"require "relational"; if address :count "GE" :domain "to" "2" { keep; }"#)
        #expect(relational.arguments.tags == ["count": .strings(["ge"]), "domain": nil])

        let body = try test(#"require "body"; if body :content ["text/plain", "text/html"] "x" { keep; }"#)
        #expect(body.arguments.tags == ["content": .strings(["text/plain", "text/html"])])
        #expect(body.arguments.positional == [.strings(["x"])])

        let date = try test(#"require "date"; if date :zone "-0500" "received" "hour" ["08", "09"] { keep; }"#)
        #expect(date.arguments.tags == ["zone": .strings(["-0500"])])
        #expect(date.arguments.positional == [.strings(["received"]), .strings(["hour"]), .strings(["08", "09"])])

        let fileinto = try command(#"require ["fileinto", "imap4flags", "mailbox", "copy"]; fileinto :flags ["\\Seen"] :create :copy "A/B";"#)
        #expect(fileinto.arguments.tags == ["flags": .strings(["\\Seen"]), "create": nil, "copy": nil])
        #expect(fileinto.arguments.positional == [.strings(["A/B"])])

        let set = try command(#"require "variables"; set :length :lower "n" "v";"#)
        #expect(set.arguments.tags == ["length": nil, "lower": nil])
    }

    @Test func anOptionalLeadingArgumentIsPresentOnlyWhenWritten() throws {
        let plain = try command(#"require "imap4flags"; addflag ["\\Seen", "$Junk"];"#)
        #expect(plain.arguments.positional == [.strings(["\\Seen", "$Junk"])])
        let withVariable = try command(#"require ["imap4flags", "variables"]; addflag "mine" "\\Seen";"#)
        #expect(withVariable.arguments.positional == [.strings(["mine"]), .strings(["\\Seen"])])
        let hasflag = try test(#"require ["imap4flags", "variables"]; if hasflag :is ["a", "b"] "\\Seen" { keep; }"#)
        #expect(hasflag.arguments.positional == [.strings(["a", "b"]), .strings(["\\Seen"])])
    }

    /// RFC 5228 §2.4.2.4: decoded only when required; malformed sequences stay as written.
    @Test func encodedCharactersAreDecodedWhenRequired() throws {
        let keys = #"["${hex:24 24}", "${HEX: 5b 64 65 76 5D }", "${unicode:20AC}${Unicode:1F600 41}", "${hex:}", "${hex:123}", "${unicode:zz}", "${other:41}"]"#
        let decoded = try test(#"require "encoded-character"; if header :is "subject" \#(keys) { keep; }"#)
        #expect(decoded.arguments.positional.last == .strings(["$$", "[dev]", "€😀A", "${hex:}", "${hex:123}", "${unicode:zz}", "${other:41}"]))
        let literal = try test(#"if header :is "subject" "${hex:41}" { keep; }"#)
        #expect(literal.arguments.positional.last == .strings(["${hex:41}"]))
        #expect(throws: SieveError("${hex:} encodes a NUL byte", at: SourceLocation(line: 1, column: 48))) {
            try SieveScript(source: #"require "encoded-character"; if header :is "a" "${hex:00}" { keep; }"#)
        }
    }

    @Test func nestedTestsAndBlocksAreValidatedToo() throws {
        let script = try SieveScript(source: #"if anyof (not header :is "a" "b", size :under 5) { if true { discard; } }"#)
        let anyof = try #require(script.commands.first?.tests.first)
        #expect(anyof.tests[0].tests[0].arguments.tags == ["is": nil])
        #expect(anyof.tests[1].arguments.tags == ["under": .number(5)])
        #expect(script.commands.first?.block?.first?.tests.first?.name == "true")
    }
}
