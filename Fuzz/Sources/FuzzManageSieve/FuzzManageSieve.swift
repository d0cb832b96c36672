import FuzzSupport
import ManageSieveServer
import NIOCore

/// One input is what a client sends, fed to the framer (CRLF lines and `{n+}` literals, RFC 5804
/// §1.2) in two pieces, with small limits so that its refusals are reached too; each framed
/// command goes through the command parser (RFC 5804 §4).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManageSieve(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    guard let first = raw.first else { return 0 }
    var framer = ManageSieveCommandFramer(maximumLineLength: 1024, maximumLiteralSize: 4096, literalDiscardLimit: 8192)
    let input = raw.dropFirst()
    let split = input.startIndex + min(input.count, Int(first) * 4)
    for piece in [input[..<split], input[split...]] {
        framer.append(ByteBuffer(bytes: piece))
        while let event = framer.next() {
            switch event {
            case .command(let line):
                _ = try? ManageSieveCommand(parsing: line)
            case .failure(.lineTooLong), .failure(.literalTooLargeToSkip):
                return 0
            case .failure:
                break
            }
        }
    }
    return 0
}

@main
enum FuzzManageSieveMain {
    static func main() { runLibFuzzer(fuzzManageSieve) }
}
