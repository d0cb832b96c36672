import Foundation
import MailMessage
import Testing

@testable import Sieve

/// `addheader` and `deleteheader` (RFC 5293): the edited message in the outcome, and what later
/// tests of the same run see.
@Suite struct EditHeaderTests {
    static let message = """
        Received: from a.example by b.example; Fri, 8 Apr 2005 14:39:00 -0700
        X-Tag: one
        From: sender@example.org
        X-Tag: two
        Subject: hello
        X-Tag: three
        Auto-Submitted: auto-generated

        Body text.

        """

    /// The edited message's field names and values in order, or nil when nothing was edited.
    func edited(_ source: String, _ text: String = message) throws -> [String]? {
        let outcome = try SieveHarness.run(source, SieveHarness.input(text))
        #expect(outcome.error == nil)
        guard let raw = outcome.editedMessage else { return nil }
        let edited = Message(parsing: raw)
        // The body is the same bytes.
        #expect(Array(raw[edited.header.range.upperBound...]) == Array("Body text.\r\n".utf8))
        return edited.header.fields.map { "\($0.name): \(String(decoding: $0.unfoldedValue(in: raw), as: UTF8.self))" }
    }

    static let original = [
        "Received: from a.example by b.example; Fri, 8 Apr 2005 14:39:00 -0700", "X-Tag: one",
        "From: sender@example.org", "X-Tag: two", "Subject: hello", "X-Tag: three", "Auto-Submitted: auto-generated",
    ]

    @Test func addheaderPutsTheFieldFirstOrLast() throws {
        #expect(try edited("require \"editheader\"; addheader \"X-Filed\" \"yes\";") == ["X-Filed: yes"] + Self.original)
        #expect(try edited("require \"editheader\"; addheader :last \"X-Filed\" \"yes\";") == Self.original + ["X-Filed: yes"])
        #expect(try edited("require \"editheader\"; keep;") == nil)
    }

    @Test func addheaderEncodesNonASCIIAndFoldsLineBreaks() throws {
        let fields = try #require(try edited("require \"editheader\"; addheader \"X-Note\" \"Grüße aus Köln\";"))
        #expect(fields[0].hasPrefix("X-Note: =?UTF-8?B?"))
        #expect(EncodedWords.decode(Array(fields[0].dropFirst("X-Note: ".count).utf8)) == "Grüße aus Köln")
        // A long value becomes several encoded words, each on a line of its own.
        let long = String(repeating: "ü", count: 300)
        let outcome = try SieveHarness.run("require \"editheader\"; addheader \"X-Long\" \"\(long)\";",
                                           SieveHarness.input(Self.message))
        let raw = try #require(outcome.editedMessage)
        let lines = String(decoding: raw, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        let field = try #require(Message(parsing: raw).header.field(named: "X-Long"))
        #expect(EncodedWords.decode(field.unfoldedValue(in: raw)) == long)
        let folded = try #require(try edited("require \"editheader\"; addheader \"X-Two\" \"first\nsecond\";"))
        #expect(folded[0] == "X-Two: first second")
        #expect(folded.count == Self.original.count + 1)
    }

    @Test func deleteheaderByNameIndexAndLast() throws {
        let withoutTags = Self.original.filter { !$0.hasPrefix("X-Tag") }
        #expect(try edited("require \"editheader\"; deleteheader \"x-tag\";") == withoutTags)
        #expect(try edited("require \"editheader\"; deleteheader :index 2 \"X-Tag\";") == Self.original.filter { $0 != "X-Tag: two" })
        #expect(try edited("require \"editheader\"; deleteheader :index 1 :last \"X-Tag\";")
            == Self.original.filter { $0 != "X-Tag: three" })
        #expect(try edited("require \"editheader\"; deleteheader :index 4 \"X-Tag\";") == nil)
        #expect(try edited("require \"editheader\"; deleteheader \"X-Absent\";") == nil)
    }

    @Test func deleteheaderByValuePatterns() throws {
        #expect(try edited("require \"editheader\"; deleteheader :contains \"X-Tag\" [\"w\", \"hr\"];")
            == Self.original.filter { $0 != "X-Tag: two" && $0 != "X-Tag: three" })
        #expect(try edited("require \"editheader\"; deleteheader :matches \"X-Tag\" \"t*\";")
            == Self.original.filter { $0 != "X-Tag: two" && $0 != "X-Tag: three" })
        #expect(try edited("require \"editheader\"; deleteheader \"X-Tag\" \"ONE\";") == Self.original.filter { $0 != "X-Tag: one" })
        #expect(try edited("require \"editheader\"; deleteheader :comparator \"i;octet\" \"X-Tag\" \"ONE\";") == nil)
        // §5: the index counts first, then the value must match.
        #expect(try edited("require \"editheader\"; deleteheader :index 1 \"X-Tag\" \"two\";") == nil)
        #expect(try edited("require [\"editheader\", \"regex\"]; deleteheader :index 2 :regex \"X-Tag\" \"^t.o$\";")
            == Self.original.filter { $0 != "X-Tag: two" })
    }

    @Test func protectedFieldsAreLeftAlone() throws {
        #expect(try edited("require \"editheader\"; deleteheader \"Received\";") == nil)
        #expect(try edited("require \"editheader\"; deleteheader \"Auto-Submitted\";") == nil)
        #expect(try edited("require \"editheader\"; deleteheader \"Return-Path\";") == nil)
        #expect(try edited("require \"editheader\"; addheader \"Received\" \"from forged\";") == nil)
        #expect(try edited("require \"editheader\"; addheader :last \"return-path\" \"<x@example.org>\";") == nil)
        // Subject may always be changed (RFC 5293 §6).
        #expect(try edited("require \"editheader\"; deleteheader \"Subject\"; addheader \"Subject\" \"new\";")
            == ["Subject: new"] + Self.original.filter { $0 != "Subject: hello" })
    }

    @Test func laterTestsAndScriptsSeeTheEdits() throws {
        let script = """
            require ["editheader", "fileinto", "relational", "comparator-i;ascii-numeric"];
            addheader "X-Filed" "yes";
            deleteheader "Subject";
            deleteheader :index 1 "X-Tag";
            if header :is "X-Filed" "yes" { fileinto "Seen"; }
            if not exists "Subject" { fileinto "NoSubject"; }
            if header :count "ge" :comparator "i;ascii-numeric" "X-Tag" "3" { fileinto "Never"; }
            """
        let input = SieveHarness.input(Self.message, mailboxes: ["INBOX", "Seen", "NoSubject", "Tagged", "Never"])
        let outcome = try SieveHarness.run([script, """
            require ["editheader", "fileinto"];
            if header :is "X-Filed" "yes" { fileinto "Tagged"; }
            """], input)
        let filed = outcome.actions.compactMap { if case .fileInto(let box, _, _, _) = $0 { box } else { nil } }
        #expect(filed == ["Seen", "NoSubject", "Tagged"])
        #expect(outcome.editedMessage != nil)
        // The size test measures the edited message.
        let grown = try SieveHarness.run("""
            require ["editheader"]; addheader "X-Pad" "\(String(repeating: "p", count: 400))";
            if size :over 500 { discard; }
            """, SieveHarness.input(Self.message))
        #expect(grown.actions == [.discard])
    }

    @Test func aRunTimeErrorKeepsTheOriginal() throws {
        let outcome = try SieveHarness.run("""
            require ["editheader", "variables"]; set "name" "bad name"; addheader "X-Ok" "1"; addheader "${name}" "x";
            """, SieveHarness.input(Self.message))
        #expect(outcome.error != nil)
        #expect(outcome.editedMessage == nil)
        let long = try SieveHarness.run("""
            require "editheader"; addheader "X-Long" "\(String(repeating: "x", count: 2049))";
            """, SieveHarness.input(Self.message))
        #expect(long.error != nil)
    }

    @Test func compileTimeChecks() {
        for source in [
            "addheader \"X-A\" \"b\";",  // no require
            "require \"editheader\"; addheader \"X A\" \"b\";",
            "require \"editheader\"; addheader \"X-A:\" \"b\";",
            "require \"editheader\"; deleteheader :last \"X-A\";",
            "require [\"editheader\", \"relational\"]; deleteheader :count \"ge\" \"X-A\" \"1\";",
            "require \"editheader\"; deleteheader :index \"1\" \"X-A\";",
            "require \"editheader\"; addheader \"X-A\";",
        ] {
            #expect(throws: SieveError.self, "\(source)") { try SieveScript(source: source) }
        }
        #expect(SieveScript.supportedExtensions.contains("editheader"))
    }

    @Test func lfMessagesStayLF() throws {
        let text = "From: a@example.org\nX-Spam-Flag: YES\nSubject: s\n\nbody\n"
        let input = SieveInput(message: Message(parsing: Array(text.utf8)), envelopeFrom: "", envelopeTo: "r@example.com")
        let outcome = try SieveHarness.run(["require \"editheader\"; deleteheader \"X-Spam-Flag\"; addheader :last \"X-Filed\" \"yes\";"],
                                           input)
        #expect(outcome.editedMessage == Array("From: a@example.org\nSubject: s\nX-Filed: yes\n\nbody\n".utf8))
    }
}
