import NIOCore

/// Reads DATA content (RFC 5321 §4.1.1.4): undoes dot-stuffing (§4.5.2), finds the end
/// `CRLF.CRLF`, caps the size, and refuses bare LF and bare CR (§2.3.8).
///
/// A pure value fed with whatever bytes arrive. The message keeps every CRLF, including the one
/// before the final dot, which belongs to the last line. NUL and 8-bit bytes pass through as
/// bytes: the archive keeps what was sent, and the MIME parser flags what it cannot read.
///
/// Bare LF or CR is refused, not repaired (see `SMTPReply.bareLineEndingInData`): a sender that
/// thinks "\n.\n" ends the message and a server that does not are how SMTP smuggling works
/// (CVE-2023-51764).
public struct SMTPDataDecoder: Sendable {
    public enum Outcome: Hashable, Sendable {
        /// The final dot was read; `size` is the unstuffed message size.
        case complete(size: Int)
        /// The final dot was read, but the message was larger than the limit (RFC 1870 §6.1).
        case tooLarge(size: Int)
        /// A bare LF or CR: stop reading, refuse and close.
        case bareLineEnding
    }

    private enum Position: Sendable { case lineStart, inLine, afterCR, afterLeadingDot, afterDotCR }

    public let limit: Int
    /// Unstuffed bytes seen so far (also those past the limit, which are not kept).
    public private(set) var size = 0
    private var position = Position.lineStart

    public init(limit: Int) {
        self.limit = limit
    }

    /// Consumes bytes from `input` into `message` (only while the size is within the limit). Returns
    /// an outcome once the end is reached or the data is bad, leaving any bytes after the final
    /// CRLF in `input`; returns nil when all of `input` was consumed and more is needed.
    public mutating func consume(_ input: inout ByteBuffer, into message: inout [UInt8]) -> Outcome? {
        while input.readableBytes > 0 {
            switch position {
            case .inLine:
                // Copy the run up to the next CR or LF in one go.
                let view = input.readableBytesView
                let stop = view.firstIndex { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
                let runLength = (stop ?? view.endIndex) - view.startIndex
                if runLength > 0 {
                    emit(view[view.startIndex..<view.startIndex + runLength], into: &message)
                    input.moveReaderIndex(forwardBy: runLength)
                    position = .inLine
                }
                guard let stop else { return nil }
                input.moveReaderIndex(forwardBy: 1)
                if view[stop] == UInt8(ascii: "\n") { return .bareLineEnding }
                position = .afterCR
            case .lineStart:
                if input.readableBytesView.first == UInt8(ascii: ".") {
                    input.moveReaderIndex(forwardBy: 1)  // the leading dot: dropped, §4.5.2
                    position = .afterLeadingDot
                } else {
                    position = .inLine
                }
            case .afterCR:
                guard input.readInteger(as: UInt8.self) == UInt8(ascii: "\n") else { return .bareLineEnding }
                emit(CollectionOfOne(UInt8(ascii: "\r")), into: &message)
                emit(CollectionOfOne(UInt8(ascii: "\n")), into: &message)
                position = .lineStart
            case .afterLeadingDot:
                if input.readableBytesView.first == UInt8(ascii: "\r") {
                    input.moveReaderIndex(forwardBy: 1)
                    position = .afterDotCR
                } else {
                    position = .inLine  // "..x" → ".x": the rest of the line is ordinary text
                }
            case .afterDotCR:
                guard input.readInteger(as: UInt8.self) == UInt8(ascii: "\n") else { return .bareLineEnding }
                position = .lineStart
                return size > limit ? .tooLarge(size: size) : .complete(size: size)
            }
        }
        return nil
    }

    private mutating func emit(_ bytes: some Collection<UInt8>, into message: inout [UInt8]) {
        size += bytes.count
        if size <= limit { message.append(contentsOf: bytes) }
    }
}
