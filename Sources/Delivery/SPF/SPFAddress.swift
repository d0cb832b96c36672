#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client address an SPF check is about, as bytes: 4 for IPv4, 16 for IPv6.
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers)
/// is taken as the IPv4 address it carries, so that `ip4` and `a` terms match it as RFC 7208
/// §5 intends for IPv4 clients.
public struct SPFAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 {
            bytes = Array(buffer.prefix(4))
        } else if inet_pton(AF_INET6, text, &buffer) == 1 {
            let mapped = buffer.prefix(10).allSatisfy { $0 == 0 } && buffer[10] == 0xFF && buffer[11] == 0xFF
            bytes = mapped ? Array(buffer.suffix(4)) : buffer
        } else {
            return nil
        }
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String { IPAddressText.format(bytes) ?? "?" }

    /// Whether the first `prefixLength` bits equal those of `other` (same family only):
    /// the CIDR comparison of RFC 7208 §5.6 and the `a`/`mx` cidr-lengths of §5.3, §5.4.
    func matches(_ other: [UInt8], prefixLength: Int) -> Bool {
        guard other.count == bytes.count, prefixLength <= bytes.count * 8 else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != other[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// RFC 7208 §7.3 `%{i}`: dotted decimal for IPv4, dot-separated nibbles for IPv6.
    var macroText: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let digits = Array("0123456789abcdef")
        return bytes.flatMap { [String(digits[Int($0 >> 4)]), String(digits[Int($0 & 0x0F)])] }.joined(separator: ".")
    }
}
