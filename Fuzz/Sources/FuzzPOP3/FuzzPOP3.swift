import FuzzSupport
import POP3Server

/// One input is what a client sends: lines separated by CRLF (or a bare LF). Each line goes
/// through the command parser (RFC 1939 §3), whose every outcome is a command or a
/// `POP3SyntaxError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPOP3(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    for line in raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        _ = try? POP3Command(parsing: trimmed)
    }
    return 0
}

@main
enum FuzzPOP3Main {
    static func main() { runLibFuzzer(fuzzPOP3) }
}
