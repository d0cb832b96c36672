import Foundation
import Testing

@testable import Sieve

/// `vacation` (RFC 5230) and `:seconds` (RFC 6131) as the interpreter sees them: the request it
/// records with its period bounded by the limits, the handle, and the compile- and run-time rules.
@Suite struct VacationTests {
    private func vacation(_ source: String, limits: SieveLimits = SieveLimits()) throws -> (SieveVacation?, SieveOutcome) {
        let outcome = try SieveHarness.run([source], SieveHarness.input(), limits: limits)
        let request = outcome.actions.compactMap { action -> SieveVacation? in
            if case .vacation(let request) = action { return request }
            return nil
        }.first
        return (request, outcome)
    }

    @Test func recordsTheRequestAndKeepsTheImplicitKeep() throws {
        let (request, outcome) = try vacation("""
            require "vacation";
            vacation :days 3 :subject "Away" :from "Alice <alice@example.com>" :addresses ["a@example.net"]
                     :handle "h1" "Back soon.";
            """)
        let made = try #require(request)
        #expect(made.reason == "Back soon.")
        #expect(made.subject == "Away")
        #expect(made.from == "Alice <alice@example.com>")
        #expect(made.addresses == ["a@example.net"])
        #expect(made.handle == "h1")
        #expect(made.period == 3 * 86_400)
        #expect(!made.mime)
        #expect(outcome.implicitKeep)  // RFC 5230 §4.7
    }

    @Test func periodDefaultsToSevenDaysAndIsBounded() throws {
        #expect(try vacation("require \"vacation\"; vacation \"x\";").0?.period == 7 * 86_400)
        #expect(try vacation("require \"vacation\"; vacation :days 1000 \"x\";").0?.period == 60 * 86_400)
        // RFC 6131 §2: :seconds, raised to the site's minimum (a day by default)…
        let script = "require [\"vacation\", \"vacation-seconds\"]; vacation :seconds 60 \"x\";"
        #expect(try vacation(script).0?.period == 86_400)
        // …and kept as written where the site allows it; 0 answers every message.
        var limits = SieveLimits()
        limits.vacationMinimumPeriod = 0
        #expect(try vacation(script, limits: limits).0?.period == 60)
        #expect(try vacation("require [\"vacation\", \"vacation-seconds\"]; vacation :seconds 0 \"x\";",
                             limits: limits).0?.period == 0)
    }

    @Test func theDefaultHandleChangesWithTheReply() throws {
        let first = try #require(try vacation("require \"vacation\"; vacation \"Away.\";").0)
        let again = try #require(try vacation("require \"vacation\"; vacation \"Away.\";").0)
        let other = try #require(try vacation("require \"vacation\"; vacation :subject \"Out\" \"Away.\";").0)
        #expect(first.handle == again.handle)
        #expect(first.handle != other.handle)
    }

    @Test func variablesAreExpandedInTheRequest() throws {
        let request = try #require(try vacation("""
            require ["vacation", "variables"];
            if header :matches "subject" "*" { set "s" "${1}"; }
            vacation :subject "Re: ${s}" "You wrote about ${s}.";
            """).0)
        #expect(request.subject == "Re: hello")
        #expect(request.reason == "You wrote about hello.")
    }

    @Test(arguments: [
        ("vacation \"x\";", "needs require \"vacation\""),
        ("require \"vacation\"; vacation :seconds 5 \"x\";", "needs require \"vacation-seconds\""),
        ("require [\"vacation\", \"vacation-seconds\"]; vacation :days 1 :seconds 5 \"x\";", "only one vacation period"),
        ("require \"vacation\"; vacation :from \"not an address\" \"x\";", "invalid :from address"),
        ("require \"vacation\"; vacation :addresses [\"a@b.c\", \"nope\"] \"x\";", "invalid :addresses address"),
        ("require \"vacation\"; vacation;", "wrong number of arguments"),
    ])
    func compileErrors(source: String, expected: String) {
        do {
            _ = try SieveScript(source: source)
            Issue.record("compiled: \(source)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func aSecondVacationOrARejectIsARunTimeError() throws {
        // RFC 5230 §4.7: one vacation per message; RFC 5429 §2.1: reject answers the sender too.
        let twice = try vacation("require \"vacation\"; vacation \"a\"; vacation :handle \"b\" \"b\";").1
        #expect(twice.error != nil && twice.actions.isEmpty && twice.implicitKeep)
        let rejected = try vacation("require [\"vacation\", \"reject\"]; vacation \"a\"; reject \"no\";").1
        #expect(rejected.error != nil)
        let afterReject = try vacation("require [\"vacation\", \"reject\"]; reject \"no\"; vacation \"a\";").1
        #expect(afterReject.error != nil)
    }

    @Test func theCapabilitiesAreAdvertised() {
        #expect(SieveScript.supportedExtensions.contains("vacation"))
        #expect(SieveScript.supportedExtensions.contains("vacation-seconds"))
    }
}
