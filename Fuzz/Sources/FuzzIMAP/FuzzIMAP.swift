import FuzzSupport
import IMAPServer

/// One input is what a client sends, fed to the framing parser in two pieces (the split point is
/// taken from the first byte, so that a command cut at any place is exercised), with small limits
/// so that the refusals (line too long, literal too large) are reached too. Every command
/// (RFC 9051 §9 grammar: search keys, fetch attributes, lists, literals) is parsed; the parser
/// is told what the session would expect after IDLE and AUTHENTICATE.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    guard let first = raw.first else { return 0 }
    var limits = IMAPLimits()
    limits.lineLength = 4096
    limits.inMemoryLiteralSize = 256
    limits.stringLiteralSize = 1024
    limits.commandSize = 16_384
    if first & 0x80 != 0 { limits.nonSynchronizingLiteralSize = 64 }
    var parser = IMAPCommandParser(limits: limits, utf8Enabled: first & 0x40 != 0)
    let input = raw.dropFirst()
    let split = input.startIndex + min(input.count, Int(first & 0x3F) * 4)
    for piece in [input[..<split], input[split...]] {
        parser.append(piece)
        while let event = parser.next() {
            switch event {
            case .command(let tagged):
                switch tagged.command {
                case .idle: parser.expect(.idleDone)
                case .authenticate(_, nil): parser.expect(.authenticationResponse)
                default: break
                }
            case .idleDone, .continuationLine:
                parser.expect(.command)
            case .error(let error) where error.closesConnection:
                return 0
            case .continuationRequest, .literalOctets, .error:
                break
            }
        }
    }
    return 0
}

@main
enum FuzzIMAPMain {
    static func main() { runLibFuzzer(fuzzIMAP) }
}
