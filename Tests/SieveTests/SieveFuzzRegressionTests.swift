import Foundation
import MailMessage
import TestSupport
import Testing

@testable import Sieve

/// The scripts the FuzzSieve target (Fuzz/) found a crash, hang or runaway allocation with, run
/// through what it runs: compiled, and when they compile, run against the target's message. A
/// script that does not compile fails at a place inside it; one that runs either ends without an
/// error or with one placed inside it.
@Test(arguments: FuzzRegression.inputs("SieveTests", fuzzTarget: "FuzzSieve"))
func sieveFuzzRegression(_ input: FuzzRegression) throws {
    let lines = input.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
    let script: SieveScript
    do {
        script = try SieveScript(bytes: input.bytes, name: input.name)
    } catch {
        #expect((1...lines).contains(error.location.line), "\(error)")
        return
    }
    let message = Message(parsing: Array(try Data(contentsOf: Corpus.fixtures("SieveTests").appendingPathComponent("fuzz-message.eml"))))
    let outcome = SieveInterpreter.run([script], input: SieveInput(
        message: message, envelopeFrom: "alice@example.com", envelopeTo: "bob+lists@example.org",
        currentDate: Date(timeIntervalSince1970: 1_710_493_200), timeZone: TimeZone(identifier: "Europe/Berlin") ?? .gmt,
        mailboxExists: { $0 == "INBOX" || $0 == "Lists" }))
    if let error = outcome.error {
        #expect((1...lines).contains(error.location.line), "\(error)")
    }
}
