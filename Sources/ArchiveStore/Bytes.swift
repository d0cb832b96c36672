import SystemZlib
import Crypto

/// CRC-32 (ISO 3309, the one of gzip and zlib) via the system zlib.
func crc32Of(_ bytes: some Collection<UInt8>, startingWith seed: UInt32 = 0) -> UInt32 {
    let value = bytes.withContiguousStorageIfAvailable { buffer in
        SystemZlib.crc32(uLong(seed), buffer.baseAddress, uInt(buffer.count))
    } ?? Array(bytes).withUnsafeBufferPointer { SystemZlib.crc32(uLong(seed), $0.baseAddress, uInt($0.count)) }
    return UInt32(truncatingIfNeeded: value)
}

func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
    if let digest = bytes.withContiguousStorageIfAvailable({ SHA256.hash(data: UnsafeRawBufferPointer($0)) }) {
        return Array(digest)
    }
    return Array(SHA256.hash(data: Array(bytes)))
}
