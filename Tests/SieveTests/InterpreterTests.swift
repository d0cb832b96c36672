#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MailMessage
import Testing

@testable import Sieve

/// Compiles scripts and runs them on messages written with LF line ends (turned into CRLF).
enum SieveHarness {
    static let defaultMessage = """
        From: sender@example.org
        To: rcpt@example.com
        Subject: hello
        Date: Fri, 8 Apr 2005 14:39:00 -0700

        Body text.

        """

    static func message(_ text: String) -> Message {
        Message(parsing: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    /// 2007-07-02 00:00:00 UTC, a Monday.
    static let now = Date(timeIntervalSince1970: 1_183_334_400)

    static func input(
        _ text: String = defaultMessage, from: String = "sender@example.org", to: String = "rcpt@example.com",
        mailboxes: Set<String> = ["INBOX"], now: Date = now, zone: TimeZone = TimeZone(secondsFromGMT: 0)!
    ) -> SieveInput {
        SieveInput(
            message: message(text), envelopeFrom: from, envelopeTo: to, currentDate: now, timeZone: zone,
            mailboxExists: { mailboxes.contains($0) })
    }

    static func run(_ sources: [String], _ input: SieveInput, limits: SieveLimits = SieveLimits()) throws -> SieveOutcome {
        let scripts = try sources.enumerated().map { index, source in
            try SieveScript(source: source, name: "script\(index)")
        }
        return SieveInterpreter.run(scripts, input: input, limits: limits)
    }

    static func run(_ source: String, _ input: SieveInput = input()) throws -> SieveOutcome {
        try run([source], input)
    }
}

/// The interpreter's rules beyond the RFC examples: implicit keep, duplicates, conflicts,
/// limits, run-time errors, several scripts, variables and flags in scripts.
@Suite struct InterpreterTests {
    private func run(_ source: String, _ input: SieveInput = SieveHarness.input()) throws -> SieveOutcome {
        try SieveHarness.run(source, input)
    }

    private func mailboxes(_ outcome: SieveOutcome) -> [String] {
        outcome.actions.compactMap { action in
            if case .fileInto(let mailbox, _, _, _) = action { return mailbox }
            return nil
        }
    }

    @Test func emptyScriptKeepsImplicitly() throws {
        #expect(try run("") == SieveOutcome(actions: [], implicitKeep: true))
        #expect(try run("stop;") == SieveOutcome(actions: [], implicitKeep: true))
    }

    @Test func explicitKeepReplacesTheImplicitOne() throws {
        #expect(try run("keep;") == SieveOutcome(actions: [.keep(flags: [])], implicitKeep: false))
    }

    @Test func discardAfterKeepLeavesTheKeep() throws {
        #expect(try run("keep; discard;") == SieveOutcome(actions: [.keep(flags: []), .discard], implicitKeep: false))
    }

    @Test func duplicateActionsCollapse() throws {
        let outcome = try run("""
            require ["fileinto"];
            fileinto "INBOX"; fileinto "INBOX"; redirect "a@example.com"; redirect "a@EXAMPLE.COM"; keep; keep;
            discard; discard;
            """)
        #expect(outcome.actions == [
            .fileInto(mailbox: "INBOX", flags: [], create: false, copy: false),
            .redirect(address: "a@example.com", copy: false), .keep(flags: []), .discard,
        ])
        // Local parts are case-sensitive (RFC 5321 §2.4).
        #expect(try run(#"redirect "a@example.com"; redirect "A@example.com";"#).actions.count == 2)
    }

    @Test func fileintoTwiceKeepsTheLaterFlagsAndLosesTheCopy() throws {
        let outcome = try run(#"""
            require ["fileinto", "imap4flags", "copy"];
            fileinto :copy :flags "\\Seen" "INBOX";
            fileinto :flags "\\Flagged" "INBOX";
            """#)
        #expect(outcome.actions == [.fileInto(mailbox: "INBOX", flags: ["\\Flagged"], create: false, copy: false)])
        #expect(!outcome.implicitKeep)
    }

    @Test func copyDoesNotCancelTheImplicitKeep() throws {
        let outcome = try run("""
            require ["fileinto", "copy"];
            fileinto :copy "INBOX"; redirect :copy "x@example.com";
            """)
        #expect(outcome.implicitKeep)
        #expect(outcome.actions.count == 2)
    }

    @Test func stopEndsTheScriptButKeepsWhatWasDone() throws {
        let outcome = try run("""
            require "fileinto";
            fileinto "INBOX"; stop; discard;
            """)
        #expect(outcome.actions == [.fileInto(mailbox: "INBOX", flags: [], create: false, copy: false)])
    }

    @Test func elsifAndElseRunOnlyWhenNoEarlierBranchDid() throws {
        let script = """
            require ["fileinto", "mailbox"];
            if header :is "subject" "one" { fileinto :create "1"; }
            elsif header :is "subject" "two" { fileinto :create "2"; }
            elsif header :contains "subject" "t" { fileinto :create "3"; }
            else { fileinto :create "4"; }
            """
        for (subject, mailbox) in [("one", "1"), ("two", "2"), ("three", "3"), ("four", "4")] {
            let outcome = try run(script, SieveHarness.input("Subject: \(subject)\n\nx\n"))
            #expect(mailboxes(outcome) == [mailbox], "\(subject)")
        }
    }

    // MARK: - Run-time errors

    @Test func rejectWithFileintoIsAnErrorAndKeepsTheMessage() throws {
        let outcome = try run("""
            require ["fileinto", "reject"];
            fileinto "INBOX";
            reject "no";
            """)
        #expect(outcome.actions == [])
        #expect(outcome.implicitKeep)
        #expect(outcome.error?.location == SourceLocation(line: 3, column: 1))
        #expect(outcome.error?.message.contains("reject") == true)
    }

    @Test func keepAfterRejectIsAnError() throws {
        let outcome = try run("""
            require "reject";
            reject "no"; keep;
            """)
        #expect(outcome.error != nil)
        #expect(outcome.implicitKeep)
    }

    @Test func twoRejectsAreAnError() throws {
        #expect(try run(#"require ["reject", "ereject"]; reject "a"; ereject "b";"#).error != nil)
    }

    @Test func rejectWithDiscardIsAllowed() throws {
        let outcome = try run("""
            require "reject";
            discard; reject "go away";
            """)
        #expect(outcome.error == nil)
        #expect(outcome.actions == [.discard, .reject(reason: "go away", extended: false)])
        #expect(!outcome.implicitKeep)
    }

    @Test func rejectWithCopyActionsIsAnErrorToo() throws {
        for copy in [#"fileinto :copy "INBOX";"#, #"redirect :copy "x@example.com";"#] {
            let outcome = try run("require [\"reject\", \"copy\", \"fileinto\"];\n\(copy)\nreject \"go away\";")
            #expect(outcome.error?.location.line == 3, "\(copy)")
        }
    }

    @Test func redirectToAnInvalidAddressIsAnError() throws {
        let outcome = try run("""
            require "variables";
            set "to" "not an address";
            redirect "${to}";
            """)
        #expect(outcome.error?.location.line == 3)
        #expect(outcome == SieveOutcome(actions: [], implicitKeep: true, implicitKeepFlags: [], error: outcome.error))
    }

    @Test func redirectsAreLimited() throws {
        let five = (1...5).map { "redirect \"u\($0)@example.com\";" }.joined(separator: "\n")
        #expect(try run(five).error?.location.line == 5)
        let four = (1...4).map { "redirect \"u\($0)@example.com\";" }.joined(separator: "\n")
        #expect(try run(four).actions.count == 4)
    }

    @Test func actionsAreLimited() throws {
        var limits = SieveLimits()
        limits.actions = 3
        let script = """
            require ["fileinto", "mailbox"];
            fileinto :create "a"; fileinto :create "b"; fileinto :create "c"; fileinto :create "a";
            fileinto :create "d";
            """
        let outcome = try SieveHarness.run([script], SieveHarness.input(), limits: limits)
        #expect(outcome.error?.location.line == 3)
    }

    @Test func fileintoAMissingMailboxWithoutCreateIsAnError() throws {
        let outcome = try run(#"require "fileinto"; fileinto "Nowhere";"#)
        #expect(outcome.error != nil)
        #expect(outcome.implicitKeep)
        let created = try run(#"require ["fileinto", "mailbox"]; fileinto :create "Nowhere";"#)
        #expect(created.actions == [.fileInto(mailbox: "Nowhere", flags: [], create: true, copy: false)])
    }

    @Test func invalidRegexFromAVariableIsAnError() throws {
        let outcome = try run("""
            require ["regex", "variables"];
            set "pattern" "([a-z";
            if header :regex "subject" "${pattern}" { discard; }
            """)
        #expect(outcome.error?.location.line == 3)
    }

    // MARK: - Several scripts

    @Test func severalScriptsShareActionsButNotVariables() throws {
        let global = #"""
            require ["copy", "fileinto", "variables", "mailbox", "imap4flags"];
            set "box" "global";
            addflag "\\Seen";
            fileinto :copy :create "${box}";
            stop;
            """#
        let user = """
            require ["fileinto", "variables", "mailbox"];
            fileinto :create "user-${box}";
            """
        let outcome = try SieveHarness.run([global, user], SieveHarness.input())
        #expect(outcome.error == nil)
        #expect(outcome.actions == [
            .fileInto(mailbox: "global", flags: ["\\Seen"], create: true, copy: true),
            .fileInto(mailbox: "user-", flags: ["\\Seen"], create: true, copy: false),
        ])
        #expect(!outcome.implicitKeep)
        #expect(outcome.implicitKeepFlags == ["\\Seen"])
    }

    @Test func anErrorInTheSecondScriptUndoesTheFirst() throws {
        let outcome = try SieveHarness.run(["discard;", "redirect \"u1@example.com\"; " + (2...5).map { "redirect \"u\($0)@example.com\";" }.joined()], SieveHarness.input())
        #expect(outcome.actions == [])
        #expect(outcome.implicitKeep)
        #expect(outcome.error != nil)
    }

    @Test func discardInOneScriptCancelsTheImplicitKeepOfTheRun() throws {
        let outcome = try SieveHarness.run(["discard;", "if false { keep; }"], SieveHarness.input())
        #expect(!outcome.implicitKeep)
        #expect(outcome.actions == [.discard])
    }

    // MARK: - Variables and flags in scripts

    @Test func variablesAreOnlyExpandedWhenRequired() throws {
        let without = try run(#"require "fileinto"; fileinto "${x}";"#, SieveHarness.input(mailboxes: ["${x}"]))
        #expect(without.actions == [.fileInto(mailbox: "${x}", flags: [], create: false, copy: false)])
    }

    @Test func matchVariablesSurviveAFailedMatch() throws {
        let outcome = try run("""
            require ["variables", "fileinto", "mailbox"];
            if header :matches "subject" "h*o" { }
            if header :matches "subject" "x*" { }
            fileinto :create "${1}";
            """)
        #expect(mailboxes(outcome) == ["ell"])
    }

    @Test func stringCountCountsNonEmptyStrings() throws {
        let outcome = try run("""
            require ["variables", "relational", "comparator-i;ascii-numeric"];
            set "empty" "";
            if string :count "eq" :comparator "i;ascii-numeric" ["a", "${empty}", "b"] "2" { discard; }
            """)
        #expect(outcome.actions == [.discard])
    }

    @Test func internalFlagsGoToKeepAndTheImplicitKeep() throws {
        let outcome = try run(#"""
            require ["imap4flags"];
            setflag "\\Seen \\Flagged";
            removeflag "\\flagged";
            addflag ["\\Answered", "\\seen"];
            """#)
        #expect(outcome.implicitKeep)
        #expect(outcome.implicitKeepFlags == ["\\Seen", "\\Answered"])
        let kept = try run(#"require "imap4flags"; addflag "$Label"; keep; keep :flags "\\Draft";"#)
        #expect(kept.actions == [.keep(flags: ["\\Draft"])])  // the later keep's flags, as Pigeonhole
    }

    @Test func hasflagReadsTheInternalVariableOrNamedVariables() throws {
        let outcome = try run(#"""
            require ["imap4flags", "variables", "fileinto", "mailbox", "relational", "comparator-i;ascii-numeric"];
            addflag "\\Seen";
            addflag "mine" ["NonJunk", "Work"];
            if hasflag "\\SEEN" { fileinto :create "internal"; }
            if hasflag :contains "mine" "Junk" { fileinto :create "named"; }
            if hasflag :is "mine" "Junk" { fileinto :create "wrong"; }
            if hasflag :count "eq" :comparator "i;ascii-numeric" "mine" "2" { fileinto :create "count"; }
            """#)
        #expect(outcome.error == nil)
        #expect(mailboxes(outcome) == ["internal", "named", "count"])
    }

    // MARK: - Robustness

    @Test func malformedAndBinaryMessagesAreReadLeniently() throws {
        var bytes = Array("From: <<<@@@>>>\r\nTo: \"unterminated\r\nSubject: =?utf-8?B?!!!?=\r\nDate: 99 Foo 12345\r\n".utf8)
        bytes += Array("X-Long: ".utf8) + Array(repeating: UInt8(ascii: "X"), count: 100_000) + [0x0D, 0x0A, 0x0D, 0x0A]
        bytes += (0...255).map { UInt8($0) }
        let input = SieveInput(message: Message(parsing: bytes), envelopeFrom: "", envelopeTo: "x@y")
        let tests: [(test: String, matches: Bool)] = [
            (#"address :domain :contains "from" "example""#, false),
            (#"header :matches "subject" "*""#, true),  // present, whatever it decodes to
            (#"header :contains "to" "unterminated""#, true),
            (#"header :matches "x-long" "X*X""#, true),
            (#"body :raw :regex "[[:cntrl:]]""#, true),  // past the NUL at the start of the body
            ("body :raw :contains \"\u{FFFD}\"", true),  // invalid UTF-8 is read as U+FFFD
            (#"date :value "gt" "date" "year" "2000""#, false),  // no readable date
            (#"envelope :detail "from" """#, false),  // the null sender has no detail
            (#"envelope :localpart :is "from" """#, true),
            (#"header :value "gt" :comparator "i;ascii-numeric" "x-none" "1""#, false),
            (#"body :content "" :contains "zzz""#, false),
            ("size :over 100K", false),
            ("size :over 10K", true),
        ]
        for (test, matches) in tests {
            let outcome = try SieveHarness.run(["""
                require ["body", "date", "relational", "envelope", "subaddress", "regex", "comparator-i;ascii-numeric"];
                if \(test) { discard; }
                """], input)
            #expect(outcome.error == nil, "\(test)")
            #expect(outcome.actions == (matches ? [.discard] : []), "\(test)")
        }
    }
}
