import NIOCore
import ServerKit

/// Why a command could not be framed. The command is gone (its literals were consumed); the
/// session answers and, unless said otherwise, reads on.
public enum ManageSieveFramingError: Error, Hashable, Sendable {
    /// A line over `maximumLineLength`. Its end, which may have been a literal header, was
    /// discarded unseen, so what follows cannot be trusted to be a command: close.
    case lineTooLong
    /// A bare LF or CR (never taken as a line end, the `CRLFFramer` rules).
    case bareLineEnding
    /// A literal of this many octets, over `maximumScriptSize`; its octets were read and dropped.
    case literalTooLarge(Int)
    /// A literal larger than `literalDiscardLimit`: not worth reading; close.
    case literalTooLargeToSkip
    /// More literals in one command than any command takes.
    case tooManyLiterals
}

/// What the framer produced.
public enum ManageSieveFramingEvent: Hashable, Sendable {
    case command(ManageSieveCommandLine)
    case failure(ManageSieveFramingError)
}

/// Frames commands (RFC 5804 §1.2): CRLF lines, strictly (`CRLFFramer`), joined by literals.
///
/// A line that ends with a literal header `{n+}` is followed by exactly `n` octets, read as raw
/// bytes, never as lines; then the command goes on in the next line. ManageSieve has no
/// continuation response (RFC 5804 §4: `response` has none), so the octets follow the header at
/// once. RFC 5804 §4 defines only the non-synchronizing form `{n+}` for clients (`{n}` is
/// `literal-s2c`, the server's form); a client that sends `{n}` anyway cannot be waiting for a
/// continuation that the protocol does not have, so its octets are read the same way (as
/// Dovecot's Pigeonhole does) rather than taken for commands.
///
/// A pure value: the connection appends what it reads and asks for the next event.
public struct ManageSieveCommandFramer: Sendable {
    /// RENAMESCRIPT and PUTSCRIPT take two strings, AUTHENTICATE two; four is plenty.
    public static let maximumLiterals = 4

    public let maximumLiteralSize: Int
    public let literalDiscardLimit: Int
    private var framer: CRLFFramer
    private var lines: [[UInt8]] = []
    private var literals: [[UInt8]] = []
    /// The literal being read: octets still to come, and what was kept of it (nil: dropping).
    private var literalRemaining = 0
    private var literal: [UInt8]?
    /// The command being read already failed; its remaining lines and literals are dropped and
    /// the error reported when it ends.
    private var failure: ManageSieveFramingError?

    public init(maximumLineLength: Int, maximumLiteralSize: Int, literalDiscardLimit: Int) {
        framer = CRLFFramer(maximumLineLength: maximumLineLength)
        self.maximumLiteralSize = maximumLiteralSize
        self.literalDiscardLimit = max(literalDiscardLimit, maximumLiteralSize)
    }

    /// Bytes received and not yet framed.
    public var bufferedBytes: Int { framer.bufferedBytes }

    /// Nothing received is waiting: no bytes, no command begun (STARTTLS checks this).
    public var isEmpty: Bool { framer.bufferedBytes == 0 && lines.isEmpty && literalRemaining == 0 }

    /// Adds bytes read from the peer.
    public mutating func append(_ bytes: ByteBuffer) {
        framer.append(bytes)
    }

    /// The next complete command or framing error, or nil when more bytes are needed.
    public mutating func next() -> ManageSieveFramingEvent? {
        while true {
            if literalRemaining > 0 {
                guard var bytes = framer.readBytes(upTo: literalRemaining) else { return nil }
                literalRemaining -= bytes.readableBytes
                if literal != nil { literal!.append(contentsOf: bytes.readBytes(length: bytes.readableBytes)!) }
                if literalRemaining == 0, let finished = literal {
                    literals.append(finished)
                    literal = nil
                }
                continue
            }
            guard let result = framer.nextLine() else { return nil }
            let line: [UInt8]
            switch result {
            case .failure(.lineTooLong):
                reset()
                return .failure(.lineTooLong)
            case .failure(.bareLineFeed), .failure(.bareCarriageReturn):
                reset()
                return .failure(.bareLineEnding)
            case .success(let bytes):
                line = Array(bytes.readableBytesView)
            }
            if let header = ManageSieveCommandLine.literalHeader(endingAt: line) {
                guard header.count <= literalDiscardLimit else {
                    reset()
                    return .failure(.literalTooLargeToSkip)
                }
                if failure == nil && literals.count >= Self.maximumLiterals { failure = .tooManyLiterals }
                if failure == nil && header.count > maximumLiteralSize { failure = .literalTooLarge(header.count) }
                literalRemaining = header.count
                if failure == nil {
                    lines.append(line)
                    literal = []
                    literal!.reserveCapacity(header.count)
                    if header.count == 0 { literals.append([]); literal = nil }
                } else {
                    literal = nil
                }
                continue
            }
            // The last line of the command.
            defer { reset() }
            if let failure { return .failure(failure) }
            lines.append(line)
            return .command(ManageSieveCommandLine(lines: lines, literals: literals))
        }
    }

    private mutating func reset() {
        lines = []
        literals = []
        literal = nil
        literalRemaining = 0
        failure = nil
    }
}
