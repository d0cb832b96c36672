import Foundation
import Testing

@testable import Sieve

/// `include`, `return` and `global` (RFC 6609) in the interpreter, and the upload check of the
/// scripts a script includes.
@Suite struct IncludeTests {
    static func compile(_ source: String, _ name: String) throws -> SieveScript {
        try SieveScript(source: source, name: name)
    }

    static func library(_ scripts: [String: String], global: [String: String] = [:]) throws -> SieveIncludeLibrary {
        var library = SieveIncludeLibrary()
        for (name, source) in scripts { library.scripts[SieveIncludeKey(.personal, name)] = .success(try compile(source, name)) }
        for (name, source) in global { library.scripts[SieveIncludeKey(.global, name)] = .success(try compile(source, name)) }
        return library
    }

    func run(_ main: String, _ library: SieveIncludeLibrary) throws -> SieveOutcome {
        SieveInterpreter.run([(try Self.compile(main, "main"), .personal)],
                             input: SieveHarness.input(mailboxes: ["INBOX", "A", "B", "C"]), includes: library)
    }

    func filedInto(_ outcome: SieveOutcome) -> [String] {
        outcome.actions.compactMap { if case .fileInto(let mailbox, _, _, _) = $0 { mailbox } else { nil } }
    }

    @Test func includedScriptsAddTheirActionsAndReturnEndsOnlyThem() throws {
        let library = try Self.library([
            "lists": "require [\"include\", \"fileinto\"]; fileinto \"A\"; return; fileinto \"B\";",
        ], global: ["spam": "require \"fileinto\"; fileinto \"C\";"])
        let outcome = try run("""
            require ["include", "fileinto"];
            include :personal "lists";
            include :global "spam";
            keep;
            """, library)
        #expect(outcome.error == nil)
        #expect(filedInto(outcome) == ["A", "C"])
        #expect(outcome.actions.contains(.keep(flags: [])))
    }

    @Test func stopInAnIncludedScriptEndsTheIncludingOneToo() throws {
        let library = try Self.library(["stopper": "require \"fileinto\"; fileinto \"A\"; stop;"])
        let outcome = try run("require [\"include\", \"fileinto\"]; include \"stopper\"; fileinto \"B\";", library)
        #expect(filedInto(outcome) == ["A"])
    }

    @Test func onceAndOptional() throws {
        let library = try Self.library([
            "counter": "require [\"include\", \"variables\", \"fileinto\"]; global \"n\"; set \"n\" \"${n}x\"; fileinto \"A\";",
        ])
        let outcome = try run("""
            require ["include", "variables", "fileinto"];
            global "n";
            include :once "counter";
            include :once "counter";
            include :optional "not-there";
            if string "${n}" "x" { fileinto "B"; }
            """, library)
        #expect(outcome.error == nil)
        #expect(filedInto(outcome) == ["A", "B"])  // counted once; global "n" came back as "x"
    }

    @Test func variablesNotDeclaredGlobalStayInTheirScript() throws {
        let library = try Self.library(["setter": "require \"variables\"; set \"local\" \"changed\";"])
        let outcome = try run("""
            require ["include", "variables", "fileinto"];
            set "local" "mine";
            include "setter";
            if string "${local}" "mine" { fileinto "A"; }
            """, library)
        #expect(filedInto(outcome) == ["A"])
    }

    @Test func aMissingScriptOrALoopIsARunTimeError() throws {
        let missing = try run("require \"include\"; include \"gone\";", SieveIncludeLibrary())
        #expect(missing.error?.message.contains("does not exist") == true)
        #expect(missing.implicitKeep && missing.actions.isEmpty)
        let loop = try run("require \"include\"; include \"a\";", try Self.library([
            "a": "require \"include\"; include \"b\";", "b": "require \"include\"; include \"main\";",
            "main": "require \"include\"; include \"a\";",
        ]))
        #expect(loop.error?.message.contains("loop") == true, "\(String(describing: loop.error))")
    }

    @Test func theUploadCheckFindsMissingScriptsAndLoops() throws {
        let main = try Self.compile("require \"include\"; if false { include \"a\"; }", "main")
        // Even an include a run might never reach must name a script that exists.
        #expect(throws: SieveError.self) { try SieveIncludeLibrary().check(main, as: SieveIncludeKey(.personal, "main")) }
        let optional = try Self.compile("require \"include\"; include :optional \"a\";", "main")
        try SieveIncludeLibrary().check(optional, as: SieveIncludeKey(.personal, "main"))
        let library = SieveIncludeLibrary.resolve([main]) { key in
            key.name == "a" ? .success(try! Self.compile("require \"include\"; include \"main\";", "a")) : nil
        }
        do {
            try library.check(main, as: SieveIncludeKey(.personal, "main"))
            Issue.record("a loop passed the check")
        } catch {
            #expect(error.message.contains("loop"))
            #expect(error.location.line == 1)
        }
    }

    @Test(arguments: [
        ("include \"x\";", "needs require \"include\""),
        ("require \"include\"; include :personal :global \"x\";", "only one script location"),
        ("require [\"include\", \"variables\"]; include \"${name}\";", "invalid script name"),
        ("require \"include\"; global \"x\";", "needs require \"variables\""),
    ])
    func compileErrors(source: String, expected: String) {
        do {
            _ = try SieveScript(source: source)
            Issue.record("compiled: \(source)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
