import Foundation
import Testing

@testable import Sieve

/// The `duplicate` test (RFC 7352) as the interpreter sees it: the answer comes from
/// `SieveInput.seenDuplicates`, and every evaluation is listed for the delivery side.
@Suite struct DuplicateTests {
    static let message = """
        From: a@example.org
        To: b@example.org
        Subject: hi
        Message-ID: <id1@example.org>
        X-Ticket: 42

        Body.

        """

    func run(_ source: String, seen: Set<String> = [], message: String = message) throws -> SieveOutcome {
        var input = SieveHarness.input(message)
        input.seenDuplicates = seen
        return try SieveHarness.run([source], input)
    }

    @Test func answersFromWhatTheStoreSawAndListsEveryCheck() throws {
        let script = "require \"duplicate\"; if duplicate { discard; }"
        let fresh = try run(script)
        #expect(fresh.implicitKeep)
        #expect(fresh.duplicateChecks == [SieveDuplicateCheck(key: "\u{0}<id1@example.org>", period: 12 * 3600,
                                                             last: false, seen: false)])
        let again = try run(script, seen: ["\u{0}<id1@example.org>"])
        #expect(!again.implicitKeep && again.actions == [.discard])
        #expect(again.duplicateChecks.first?.seen == true)
    }

    @Test func handleHeaderUniqueIDSecondsAndLast() throws {
        let outcome = try run("""
            require "duplicate";
            if duplicate :handle "tickets" :header "x-ticket" :seconds 60 :last { keep; }
            if duplicate :uniqueid "fixed" :seconds 999999999 { keep; }
            """)
        #expect(outcome.duplicateChecks.map(\.key) == ["tickets\u{0}42", "\u{0}fixed"])
        #expect(outcome.duplicateChecks.map(\.period) == [60, 2 * 86_400])
        #expect(outcome.duplicateChecks.map(\.last) == [true, false])
    }

    @Test func withoutAnIDTheTestIsFalseAndNothingIsTracked() throws {
        let outcome = try run("require \"duplicate\"; if duplicate :header \"x-missing\" { discard; }")
        #expect(outcome.implicitKeep && outcome.duplicateChecks.isEmpty)
    }

    @Test func headerAndUniqueIDExcludeEachOther() {
        #expect(throws: SieveError.self) {
            try SieveScript(source: "require \"duplicate\"; if duplicate :header \"a\" :uniqueid \"b\" { keep; }")
        }
    }
}
