import Foundation
import Testing

@testable import Sieve

/// `spamtest`, `spamtestplus` and `virustest` (RFC 5235) on the verdicts in `SieveInput.scan`.
@Suite struct SpamtestTests {
    func filed(_ source: String, _ scan: SieveScanResults) throws -> [String] {
        var input = SieveHarness.input(mailboxes: ["INBOX", "Junk", "Untested", "Virus", "Sure"])
        input.scan = scan
        return try SieveHarness.run([source], input).actions.compactMap {
            if case .fileInto(let mailbox, _, _, _) = $0 { mailbox } else { nil }
        }
    }

    static let script = """
        require ["spamtestplus", "virustest", "fileinto", "relational", "comparator-i;ascii-numeric"];
        if spamtest "0" { fileinto "Untested"; }
        elsif spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "Junk"; }
        if spamtest :percent :value "ge" :comparator "i;ascii-numeric" "95" { fileinto "Sure"; }
        if virustest :value "ge" :comparator "i;ascii-numeric" "4" { fileinto "Virus"; }
        """

    @Test func verdictsMapToTheRFCScales() throws {
        #expect(try filed(Self.script, SieveScanResults()) == ["Untested"])
        #expect(try filed(Self.script, SieveScanResults(spam: 0.1, virus: 1)) == [])
        #expect(try filed(Self.script, SieveScanResults(spam: 0.8)) == ["Junk"])   // 1 + 7.2 → 8
        #expect(try filed(Self.script, SieveScanResults(spam: 1, virus: 5)) == ["Junk", "Sure", "Virus"])
        #expect(SieveScanResults(spam: 0).spamtestValue == "1")
        #expect(SieveScanResults(spam: 1).spamtestValue == "10")
        #expect(SieveScanResults(spam: 0.75).spamtestValue == "7")     // rounded down, as Pigeonhole
        #expect(SieveScanResults(spam: 0.445).spamtestValue == "5")
        #expect(SieveScanResults(spam: 2.5).spamtestPercentValue == "100")
        #expect(SieveScanResults(spam: 0.505).spamtestPercentValue == "50")
    }

    @Test func percentNeedsSpamtestplus() {
        #expect(throws: SieveError.self) { try SieveScript(source: "require \"spamtest\"; if spamtest :percent \"50\" { keep; }") }
        #expect(throws: SieveError.self) { try SieveScript(source: "if virustest \"0\" { keep; }") }
    }
}
