import FuzzSupport
import NIOCore
import SMTPServer

/// One input is what a client sends: lines separated by CRLF (a bare LF also separates here, so
/// that mutations find line ends). Each line goes through the command parser (RFC 5321 §4.1),
/// whose every outcome is a command or an `SMTPSyntaxError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    for line in raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        _ = try? SMTPCommand(parsing: ByteBuffer(bytes: trimmed))
    }
    return 0
}

@main
enum FuzzSMTPMain {
    static func main() { runLibFuzzer(fuzzSMTP) }
}
