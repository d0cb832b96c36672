import NIOCore

/// Why a line could not be framed.
public enum CRLFFramingError: Error, Hashable, Sendable {
    /// The line exceeded the limit; its bytes up to the next LF were discarded.
    case lineTooLong
    /// An LF not preceded by CR (RFC 5321 §2.3.8). The line was discarded.
    case bareLineFeed
    /// A CR not followed by LF (RFC 5321 §2.3.8). The line was discarded.
    case bareCarriageReturn
}

/// Strict, bounded CRLF framing for line protocols (RFC 5321 §2.3.8, RFC 1939 §3, RFC 9051 §2.2).
///
/// A pure value: the connection appends what it reads and asks for the next line, or, for
/// byte-counted payloads such as SMTP BDAT (RFC 3030) or IMAP literals, for raw bytes. A pipeline
/// `ByteToMessageDecoder` cannot do the latter, because only the protocol's grammar knows when a
/// count follows; so the framer lives in the connection, beside the grammar.
///
/// Bare LF and bare CR are rejected, never repaired: treating "\n.\n" as a line end is what made
/// SMTP smuggling possible (CVE-2023-51764). A too-long line is discarded up to its LF and reported
/// once, so memory never grows past `maximumLineLength` plus one read.
public struct CRLFFramer: Sendable {
    /// The longest line accepted, without its CRLF.
    public var maximumLineLength: Int
    private var buffer = ByteBuffer()
    /// Dropping the rest of a line that was already reported as bad.
    private var discarding = false

    public init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    /// Bytes received and not yet taken as a line or raw bytes.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// Skipping the rest of a too-long line (its start was taken, its end has not come).
    public var isDiscarding: Bool { discarding }

    /// Adds bytes read from the peer.
    public mutating func append(_ bytes: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
    }

    /// The next complete line without its CRLF, an error for a bad line (already skipped), or nil
    /// when more bytes are needed.
    public mutating func nextLine() -> Result<ByteBuffer, CRLFFramingError>? {
        while true {
            let view = buffer.readableBytesView
            let limitIndex = view.startIndex + min(view.count, maximumLineLength + 2)
            if discarding {
                guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
                    buffer.moveReaderIndex(forwardBy: view.count)
                    compact()
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: lf - view.startIndex + 1)
                discarding = false
                continue
            }
            // A bare CR anywhere before the first LF (or before the end of what we have).
            let lf = view[view.startIndex..<limitIndex].firstIndex(of: UInt8(ascii: "\n"))
            let end = lf ?? limitIndex
            if let cr = view[view.startIndex..<end].firstIndex(of: UInt8(ascii: "\r")), cr + 1 < end {
                discarding = true
                return .failure(.bareCarriageReturn)
            }
            guard let lf else {
                if view.count > maximumLineLength + 1 {
                    discarding = true
                    return .failure(.lineTooLong)
                }
                return nil
            }
            let length = lf - view.startIndex
            guard length > 0, view[lf - 1] == UInt8(ascii: "\r") else {
                buffer.moveReaderIndex(forwardBy: length + 1)
                return .failure(.bareLineFeed)
            }
            guard length - 1 <= maximumLineLength else {
                buffer.moveReaderIndex(forwardBy: length + 1)
                return .failure(.lineTooLong)
            }
            let line = buffer.readSlice(length: length - 1)!
            buffer.moveReaderIndex(forwardBy: 2)
            compact()
            return .success(line)
        }
    }

    /// Up to `maximum` raw bytes (no line rules), or nil when nothing is buffered.
    public mutating func readBytes(upTo maximum: Int) -> ByteBuffer? {
        guard buffer.readableBytes > 0, maximum > 0 else { return nil }
        let slice = buffer.readSlice(length: min(maximum, buffer.readableBytes))
        compact()
        return slice
    }

    /// Everything buffered, as raw bytes (for a decoder that scans bytes itself, e.g. SMTP DATA).
    public mutating func takeAll() -> ByteBuffer? {
        readBytes(upTo: buffer.readableBytes)
    }

    /// Gives bytes back to the front of the buffer (what a raw consumer did not use).
    public mutating func putBack(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        var combined = bytes
        var rest = buffer
        combined.writeBuffer(&rest)
        buffer = combined
    }

    private mutating func compact() {
        if buffer.readableBytes == 0 {
            buffer.clear()
        } else if buffer.readerIndex > 65_536 {
            buffer.discardReadBytes()
        }
    }
}
