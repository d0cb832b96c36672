import Foundation
import FuzzSupport
import MailMessage
import Sieve

/// The message scripts run against: `Tests/SieveTests/Fixtures/fuzz-message.eml`, which the
/// regression tests of this target use too (addresses, a date, list headers, a body with parts).
let message: Message = {
    let path = URL(fileURLWithPath: #filePath)  // …/Fuzz/Sources/FuzzSieve/FuzzSieve.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/SieveTests/Fixtures/fuzz-message.eml")
    guard let data = FileManager.default.contents(atPath: path.path) else { fatalError("no message at \(path.path)") }
    return Message(parsing: Array(data))
}()

/// One input is a script, as uploaded with ManageSieve PUTSCRIPT or `tresor rules set`: it is
/// parsed and validated (RFC 5228 §8 and the extensions), and when it compiles it is run against
/// `message`, so that its patterns (`:matches`, `:regex`), variables and actions are exercised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSieve(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    guard let script = try? SieveScript(bytes: raw, name: "fuzz") else { return 0 }
    let input = SieveInput(message: message, envelopeFrom: "alice@example.com", envelopeTo: "bob+lists@example.org",
                           currentDate: Date(timeIntervalSince1970: 1_710_493_200),
                           timeZone: TimeZone(identifier: "Europe/Berlin") ?? .gmt,
                           mailboxExists: { $0 == "INBOX" || $0 == "Lists" })
    _ = SieveInterpreter.run([script], input: input)
    return 0
}

@main
enum FuzzSieveMain {
    static func main() { runLibFuzzer(fuzzSieve) }
}
