import SystemZlib

/// Raw deflate (RFC 1951, no zlib or gzip wrapper: the record frame has its own CRC and the
/// body its SHA-256) with a preset dictionary (zlib `deflateSetDictionary`). Each record is
/// compressed on its own so that reading one message never inflates its neighbours.
public enum Deflate {
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case zlib(function: String, code: Int32)
        /// The inflated data would exceed `maximumSize`: a hostile or corrupt record.
        case tooLarge(limit: Int)
        /// The stream ended early or had bytes after its end.
        case truncated

        public var description: String {
            switch self {
            case .zlib(let function, let code): "\(function) returned \(code)"
            case .tooLarge(let limit): "inflated data exceeds \(limit) bytes"
            case .truncated: "the deflate stream is truncated or has trailing bytes"
            }
        }
    }

    /// windowBits -15: raw deflate with a 32 KiB window (zlib manual, deflateInit2).
    static let rawWindowBits: Int32 = -15

    /// Compresses `bytes` as one raw deflate stream. `level` is zlib's 0…9.
    public static func compress(_ bytes: [UInt8], level: Int32, dictionary: DeflateDictionary) -> [UInt8] {
        var stream = z_stream()
        var status = deflateInit2_(
            &stream, level, Z_DEFLATED, rawWindowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed with \(status): out of memory or bad level")
        defer { deflateEnd(&stream) }
        if !dictionary.bytes.isEmpty {
            status = dictionary.bytes.withUnsafeBufferPointer {
                deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count))
            }
            precondition(status == Z_OK, "deflateSetDictionary failed with \(status)")
        }
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 16
        var output = [UInt8](repeating: 0, count: bound)
        // zlib never writes through next_in; the cast avoids copying the caller's array.
        let produced: Int = bytes.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                let result = deflate(&stream, Z_FINISH)
                // deflateBound guarantees that one Z_FINISH call completes the stream.
                precondition(result == Z_STREAM_END, "deflate did not finish within deflateBound: \(result)")
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Inflates one raw deflate stream; throws if it is damaged, incomplete, followed by
    /// other bytes, or would inflate to more than `maximumSize` bytes.
    public static func inflate(
        _ bytes: some Collection<UInt8>, dictionary: DeflateDictionary, maximumSize: Int
    ) throws -> [UInt8] {
        let input = Array(bytes)
        var stream = z_stream()
        var status = inflateInit2_(&stream, rawWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw Failure.zlib(function: "inflateInit2", code: status) }
        defer { inflateEnd(&stream) }
        if !dictionary.bytes.isEmpty {
            // For raw inflate the dictionary is set right after init (zlib manual, inflateSetDictionary).
            status = dictionary.bytes.withUnsafeBufferPointer {
                inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count))
            }
            guard status == Z_OK else { throw Failure.zlib(function: "inflateSetDictionary", code: status) }
        }
        // One byte beyond the cap tells "exactly the cap" from "more than the cap".
        let room = maximumSize < Int.max ? maximumSize + 1 : Int.max
        var output = [UInt8](repeating: 0, count: min(max(input.count * 4, 4096), room))
        var produced = 0
        let finished: Bool = try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                if produced == output.count {
                    guard output.count <= maximumSize else { throw Failure.tooLarge(limit: maximumSize) }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, room - output.count)))
                }
                let result = output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress! + produced
                    stream.avail_out = uInt(outBuffer.count - produced)
                    let result = SystemZlib.inflate(&stream, Z_NO_FLUSH)
                    produced = outBuffer.count - Int(stream.avail_out)
                    return result
                }
                switch result {
                case Z_STREAM_END: return stream.avail_in == 0
                case Z_OK: continue
                case Z_BUF_ERROR:
                    // No progress possible: either the output is full (grow) or the input ran out.
                    if produced == output.count { continue }
                    return false
                default: throw Failure.zlib(function: "inflate", code: result)
                }
            }
        }
        guard finished else { throw Failure.truncated }
        guard produced <= maximumSize else { throw Failure.tooLarge(limit: maximumSize) }
        output.removeSubrange(produced...)
        return output
    }
}
