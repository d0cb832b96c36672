import ManageSieveServer
import NIOCore
import Testing

/// The grammar of RFC 5804 §4: quoted strings, literals, numbers, case-insensitive names, and
/// what is refused.
@Suite struct ManageSieveCommandTests {
    /// Frames `wire` (whole commands, CRLF included) and parses the first command.
    private func parse(_ wire: String) throws -> ManageSieveCommand {
        try parse(bytes: Array(wire.utf8))
    }

    private func parse(bytes wire: [UInt8]) throws -> ManageSieveCommand {
        var framer = ManageSieveCommandFramer(maximumLineLength: 4096, maximumLiteralSize: 1 << 20,
                                              literalDiscardLimit: 1 << 22)
        framer.append(ByteBuffer(bytes: wire))
        guard case .command(let line) = framer.next() else {
            Issue.record("no command framed from \(wire)")
            throw ManageSieveSyntaxError.emptyCommand
        }
        return try ManageSieveCommand(parsing: line)
    }

    private func syntaxError(_ wire: String) -> ManageSieveSyntaxError? {
        syntaxError(bytes: Array(wire.utf8))
    }

    private func syntaxError(bytes wire: [UInt8]) -> ManageSieveSyntaxError? {
        do {
            _ = try parse(bytes: wire)
            return nil
        } catch let error as ManageSieveSyntaxError {
            return error
        } catch {
            return nil
        }
    }

    static let parses: [(String, ManageSieveCommand)] = [
        ("CAPABILITY\r\n", .capability),
        ("capability\r\n", .capability),
        ("StartTls\r\n", .startTLS),
        ("Logout\r\n", .logout),
        ("LISTSCRIPTS\r\n", .listScripts),
        ("UNAUTHENTICATE\r\n", .unauthenticate),
        ("NOOP\r\n", .noop(tag: nil)),
        ("NOOP \"STARTTLS-SYNC-42\"\r\n", .noop(tag: Array("STARTTLS-SYNC-42".utf8))),
        ("AUTHENTICATE \"PLAIN\"\r\n", .authenticate(mechanism: "PLAIN", initialResponse: nil)),
        ("Authenticate \"plain\" \"AGFsaWNlAHNlY3JldA==\"\r\n",
         .authenticate(mechanism: "PLAIN", initialResponse: Array("AGFsaWNlAHNlY3JldA==".utf8))),
        ("AUTHENTICATE PLAIN {20+}\r\nAGFsaWNlAHNlY3JldA==\r\n",
         .authenticate(mechanism: "PLAIN", initialResponse: Array("AGFsaWNlAHNlY3JldA==".utf8))),
        ("HAVESPACE \"myscript\" 999999\r\n", .haveSpace(name: "myscript", size: 999_999)),
        ("HAVESPACE \"a\" 0\r\n", .haveSpace(name: "a", size: 0)),
        ("PUTSCRIPT \"foo\" {31+}\r\n#comment\r\nInvalidSieveCommand\r\n\r\n",
         .putScript(name: "foo", script: "#comment\r\nInvalidSieveCommand\r\n")),
        ("PUTSCRIPT \"foo\" \"keep;\"\r\n", .putScript(name: "foo", script: "keep;")),
        ("PUTSCRIPT {3+}\r\nfoo {5+}\r\nkeep;\r\n", .putScript(name: "foo", script: "keep;")),
        // A synchronizing literal ({n}, no "+"): ManageSieve has no continuation, the octets follow at once.
        ("PUTSCRIPT \"foo\" {5}\r\nkeep;\r\n", .putScript(name: "foo", script: "keep;")),
        ("SETACTIVE \"vacation\"\r\n", .setActive(name: "vacation")),
        ("SETACTIVE \"\"\r\n", .setActive(name: nil)),
        ("GETSCRIPT \"my \\\"quoted\\\" \\\\ name\"\r\n", .getScript(name: "my \"quoted\" \\ name")),
        ("DELETESCRIPT \"café\"\r\n", .deleteScript(name: "café")),
        ("RENAMESCRIPT \"foo\" \"bar\"\r\n", .renameScript(name: "foo", newName: "bar")),
        ("RENAMESCRIPT {13}\r\nclever\"script \"bar\"\r\n", .renameScript(name: "clever\"script", newName: "bar")),
        ("CHECKSCRIPT {8+}\r\nkeep;\r\nx\r\n", .checkScript(script: "keep;\r\nx")),
        ("CHECKSCRIPT {0+}\r\n\r\n", .checkScript(script: "")),
    ]

    @Test(arguments: parses)
    func parsesCommands(_ wire: String, _ expected: ManageSieveCommand) throws {
        #expect(try parse(wire) == expected)
    }

    static let refusals: [(String, ManageSieveSyntaxError)] = [
        ("\r\n", .emptyCommand),
        ("FROB\r\n", .unknownCommand),
        ("\"CAPABILITY\"\r\n", .unknownCommand),
        ("CAPABILITY extra\r\n", .badArguments("usage: CAPABILITY")),
        ("GETSCRIPT\r\n", .badArguments("usage: GETSCRIPT \"name\"")),
        ("GETSCRIPT name\r\n", .badArguments("usage: GETSCRIPT \"name\"")),
        ("HAVESPACE \"a\" 012\r\n", .badArguments("usage: HAVESPACE \"name\" size")),
        ("HAVESPACE \"a\" 4294967296\r\n", .badArguments("usage: HAVESPACE \"name\" size")),
        ("HAVESPACE \"a\" \"5\"\r\n", .badArguments("usage: HAVESPACE \"name\" size")),
        ("GETSCRIPT \"unterminated\r\n", .badArguments("Unterminated quoted string")),
        ("GETSCRIPT \"bad \\n escape\"\r\n", .badArguments("Only \\\" and \\\\ may be escaped in a quoted string")),
        ("RENAMESCRIPT \"a\"\"b\"\r\n", .badArguments("Arguments must be separated by spaces")),
        ("NOOP {5+} x\r\n", .badArguments("A literal header {n+} must end its line")),
        ("NOOP (x)\r\n", .badArguments("Unexpected character in command")),
        ("GETSCRIPT \"\"\r\n", .badScriptName("A script name may not be empty")),
        ("GETSCRIPT \"tab\there\"\r\n",
         .badScriptName("A script name may not contain control characters or line separators")),
        ("GETSCRIPT {5+}\r\nab\ncd\r\n",
         .badScriptName("A script name may not contain control characters or line separators")),
        ("GETSCRIPT \"a\u{2028}b\"\r\n",
         .badScriptName("A script name may not contain control characters or line separators")),
        ("GETSCRIPT \"a\u{85}b\"\r\n",
         .badScriptName("A script name may not contain control characters or line separators")),
    ]

    @Test(arguments: refusals)
    func refusesBadCommands(_ wire: String, _ expected: ManageSieveSyntaxError) {
        #expect(syntaxError(wire) == expected)
    }

    @Test func scriptsMustBeUTF8() {
        let wire = Array("PUTSCRIPT \"x\" {2+}\r\n".utf8) + [0xFF, 0xFE] + Array("\r\n".utf8)
        #expect(syntaxError(bytes: wire) == .badArguments("The script is not valid UTF-8"))
    }

    @Test func scriptNamesAreUTF8AndAtMost1024Octets() {
        #expect(ManageSieveScriptName.validate(Array(String(repeating: "é", count: 512).utf8)) == .success(String(repeating: "é", count: 512)))
        #expect(ManageSieveScriptName.validate(Array(repeating: UInt8(ascii: "a"), count: 1025))
            == .failure(.badScriptName("Script names are limited to 1024 octets")))
        #expect(ManageSieveScriptName.validate([0x66, 0xC3]) == .failure(.badScriptName("A script name must be UTF-8")))
        #expect(ManageSieveScriptName.validate([0x66, 0x7F]) != .success("f\u{7F}"))
    }

    @Test func quotedStringsAreLimitedTo1024Octets() throws {
        let fits = "NOOP \"" + String(repeating: "x", count: 1024) + "\"\r\n"
        #expect(try parse(fits) == .noop(tag: Array(repeating: UInt8(ascii: "x"), count: 1024)))
        let over = "NOOP \"" + String(repeating: "x", count: 1025) + "\"\r\n"
        #expect(syntaxError(over) == .badArguments("Quoted strings are limited to 1024 octets; send a literal {n+}"))
    }

    @Test func saslResponseIsOneString() throws {
        #expect(try ManageSieveCommand.saslResponse(parsing: .init("\"AGFsaWNlAHNlY3JldA==\"")) == Array("AGFsaWNlAHNlY3JldA==".utf8))
        #expect(try ManageSieveCommand.saslResponse(parsing: .init("\"*\"")) == [UInt8(ascii: "*")])
        #expect(try ManageSieveCommand.saslResponse(parsing: .init(lines: [Array("{3+}".utf8), []], literals: [Array("abc".utf8)])) == Array("abc".utf8))
        #expect(throws: ManageSieveSyntaxError.self) { try ManageSieveCommand.saslResponse(parsing: .init("\"a\" \"b\"")) }
    }
}

/// Framing (RFC 5804 §1.2): lines and literals however the bytes arrive, and the limits.
@Suite struct ManageSieveFramerTests {
    private func framer(lineLength: Int = 100, literal: Int = 64, discard: Int = 1000) -> ManageSieveCommandFramer {
        ManageSieveCommandFramer(maximumLineLength: lineLength, maximumLiteralSize: literal, literalDiscardLimit: discard)
    }

    private func events(_ framer: inout ManageSieveCommandFramer) -> [ManageSieveFramingEvent] {
        var events: [ManageSieveFramingEvent] = []
        while let event = framer.next() { events.append(event) }
        return events
    }

    @Test func literalsSurviveAnySplitOfTheBytes() {
        let wire = Array("PUTSCRIPT \"s\" {12+}\r\nif true {\r\n}\r\nNOOP\r\n".utf8)
        let expected: [ManageSieveFramingEvent] = [
            .command(ManageSieveCommandLine(lines: [Array("PUTSCRIPT \"s\" {12+}".utf8), []],
                                            literals: [Array("if true {\r\n}".utf8)])),
            .command(ManageSieveCommandLine("NOOP")),
        ]
        for chunk in [1, 2, 3, 7, wire.count] {
            var f = framer()
            var got: [ManageSieveFramingEvent] = []
            var offset = 0
            while offset < wire.count {
                f.append(ByteBuffer(bytes: wire[offset..<min(offset + chunk, wire.count)]))
                got += events(&f)
                offset += chunk
            }
            #expect(got == expected, "chunk size \(chunk)")
            #expect(f.isEmpty)
        }
    }

    @Test func literalOctetsAreNeverReadAsCommands() {
        // The literal holds a CRLF and text that looks like a command.
        var f = framer()
        f.append(ByteBuffer(string: "NOOP {16+}\r\nLOGOUT\r\nLOGOUT\r\n\r\n"))
        #expect(events(&f) == [.command(ManageSieveCommandLine(lines: [Array("NOOP {16+}".utf8), []],
                                                               literals: [Array("LOGOUT\r\nLOGOUT\r\n".utf8)]))])
    }

    @Test func anOversizedLiteralIsConsumedAndReportedOnce() {
        var f = framer(literal: 8)
        f.append(ByteBuffer(string: "PUTSCRIPT \"big\" {20+}\r\n"))
        #expect(events(&f).isEmpty)
        f.append(ByteBuffer(string: String(repeating: "x", count: 20) + "\r\nNOOP\r\n"))
        #expect(events(&f) == [.failure(.literalTooLarge(20)), .command(ManageSieveCommandLine("NOOP"))])
    }

    @Test func aLiteralPastTheDiscardLimitIsNotRead() {
        var f = framer(literal: 8, discard: 100)
        f.append(ByteBuffer(string: "PUTSCRIPT \"big\" {101+}\r\nxxxx"))
        #expect(events(&f) == [.failure(.literalTooLargeToSkip)])
        var g = framer()
        g.append(ByteBuffer(string: "NOOP {99999999999+}\r\n"))
        #expect(events(&g) == [.failure(.literalTooLargeToSkip)])
    }

    @Test func tooManyLiteralsFailTheCommandButNotTheNextOne() {
        var f = framer()
        f.append(ByteBuffer(string: "NOOP {1+}\r\na {1+}\r\nb {1+}\r\nc {1+}\r\nd {1+}\r\ne\r\nNOOP\r\n"))
        #expect(events(&f) == [.failure(.tooManyLiterals), .command(ManageSieveCommandLine("NOOP"))])
    }

    @Test func bareLineFeedsAndLongLinesAreFramingErrors() {
        var f = framer(lineLength: 10)
        f.append(ByteBuffer(string: "NOOP\nNOOP\r\n"))
        #expect(events(&f) == [.failure(.bareLineEnding), .command(ManageSieveCommandLine("NOOP"))])
        f.append(ByteBuffer(string: "NOOP \"0123456789\"\r\n"))
        #expect(events(&f).first == .failure(.lineTooLong))
    }

    @Test func aLineEndingInBracesInsideAQuotedStringIsStillAHeaderWhenItLooksLikeOne() {
        // `"{5}` cannot end a valid command; reading 5 octets keeps them from being taken for commands.
        var f = framer()
        f.append(ByteBuffer(string: "NOOP \"a{5}\r\nabcde\r\n"))
        let got = events(&f)
        #expect(got.count == 1)
        if case .command(let line) = got.first {
            #expect(line.literals == [Array("abcde".utf8)])
            #expect(throws: ManageSieveSyntaxError.self) { try ManageSieveCommand(parsing: line) }
        }
    }
}

/// Responses on the wire (RFC 5804 §4): quoted where possible, literals otherwise.
@Suite struct ManageSieveResponseTests {
    private func wire(_ response: ManageSieveResponse) -> String { String(buffer: response.encoded) }

    @Test func completionsWithCodesAndText() {
        #expect(wire(.ok()) == "OK\r\n")
        #expect(wire(.ok("Done", code: .tag(Array("x".utf8)))) == "OK (TAG \"x\") \"Done\"\r\n")
        #expect(wire(.no("There is no script by that name", code: .nonexistent))
            == "NO (NONEXISTENT) \"There is no script by that name\"\r\n")
        #expect(wire(.bye("Too many errors", code: .quotaMaxSize)) == "BYE (QUOTA/MAXSIZE) \"Too many errors\"\r\n")
        #expect(wire(.no("say \"hi\" \\ bye")) == "NO \"say \\\"hi\\\" \\\\ bye\"\r\n")
    }

    @Test func textWithLineBreaksOrOver1024OctetsIsALiteral() {
        #expect(wire(.no("line 2: error\r\nline 3: error")) == "NO {28}\r\nline 2: error\r\nline 3: error\r\n")
        let long = String(repeating: "y", count: 1025)
        #expect(wire(.no(long)) == "NO {1025}\r\n\(long)\r\n")
        #expect(wire(.ok("Done", code: .tag(Array("a\r\nb".utf8)))) == "OK (TAG {4}\r\na\r\nb) \"Done\"\r\n")
    }

    @Test func dataLinesComeBeforeTheCompletion() {
        let response = ManageSieveResponse.ok(data: [[.text("summer"), .atom("ACTIVE")], [.text("clever\"script")],
                                                     [.string(Array("keep;\r\n".utf8))]])
        #expect(wire(response) == "\"summer\" ACTIVE\r\n\"clever\\\"script\"\r\n{7}\r\nkeep;\r\n\r\nOK\r\n")
    }

    @Test(arguments: [
        (ManageSieveFailure.nonexistent, "NO (NONEXISTENT) "),
        (.active, "NO (ACTIVE) "),
        (.alreadyExists, "NO (ALREADYEXISTS) "),
        (.quotaExceeded("MAXSCRIPTS"), "NO (QUOTA/MAXSCRIPTS) "),
        (.quotaExceeded("quota/maxsize"), "NO (QUOTA/MAXSIZE) "),
        (.quotaExceeded("Over your 10 KiB"), "NO (QUOTA) \"Over your 10 KiB\""),
        (.tryLater, "NO (TRYLATER) "),
        (.invalidScript("3:7: unknown command \"frob\""), "NO \"3:7: unknown command \\\"frob\\\"\""),
        (.badName("Reserved name"), "NO \"Reserved name\""),
    ])
    func backendFailuresMapToResponseCodes(_ failure: ManageSieveFailure, _ prefix: String) {
        #expect(wire(ManageSieveResponse(failure)).hasPrefix(prefix))
    }
}
