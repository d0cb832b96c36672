import NIOCore
import ServerKit
import Testing

/// The PROXY header decoder against HAProxy's specification (versions 1 and 2): the examples it
/// gives, and each way a header can be incomplete, wrong or too long.
@Suite struct ProxyHeaderTests {
    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// A v2 header: signature, version/command, family/protocol, length, then `body`.
    static func v2(_ family: UInt8, _ body: [UInt8], command versionCommand: UInt8 = 0x21) -> [UInt8] {
        signature + [versionCommand, family, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    static let ipv4Body: [UInt8] = [192, 0, 2, 1, 198, 51, 100, 7, 0xDC, 0x04, 0x00, 0x19]  // :56324 → :25
    static let ipv6Source: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]
    static let ipv6Destination: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [2]
    static let ipv6Body = ipv6Source + ipv6Destination + [0x01, 0xBB, 0x00, 0x19]
    /// PP2_TYPE_AUTHORITY "mx.test" and PP2_TYPE_NOOP of two bytes: skipped.
    static let tlvs: [UInt8] = [0x02, 0x00, 0x07] + Array("mx.test".utf8) + [0x04, 0x00, 0x02, 0, 0]

    static let ipv4Header = ProxyHeader.proxied(
        source: ProxyEndpoint(address: [192, 0, 2, 1], port: 56324),
        destination: ProxyEndpoint(address: [198, 51, 100, 7], port: 25))
    static let ipv6Header = ProxyHeader.proxied(
        source: ProxyEndpoint(address: ipv6Source, port: 443),
        destination: ProxyEndpoint(address: ipv6Destination, port: 25))

    static let cases: [(String, [UInt8], ProxyHeaderDecoding)] = [
        ("v2 TCP over IPv4", v2(0x11, ipv4Body), .header(ipv4Header, length: 28)),
        ("v2 TCP over IPv6", v2(0x21, ipv6Body), .header(ipv6Header, length: 52)),
        ("v2 TLVs after the addresses are skipped", v2(0x11, ipv4Body + tlvs),
         .header(ipv4Header, length: 28 + tlvs.count)),
        ("v2 LOCAL ignores the addresses", v2(0x11, ipv4Body, command: 0x20), .header(.local, length: 28)),
        ("v2 LOCAL with no addresses", v2(0x00, [], command: 0x20), .header(.local, length: 16)),
        ("v2 UNSPEC family keeps the socket's addresses", v2(0x00, []), .header(.unspecified, length: 16)),
        ("v2 UNIX family keeps the socket's addresses", v2(0x31, Array(repeating: 0, count: 216)),
         .header(.unspecified, length: 232)),
        ("v2 UDP over IPv4 keeps the socket's addresses", v2(0x12, ipv4Body), .header(.unspecified, length: 28)),
        ("v2 signature cut short", Array(signature.prefix(7)), .needMoreBytes),
        ("v2 fixed part cut short", Array(v2(0x11, ipv4Body).prefix(14)), .needMoreBytes),
        ("v2 addresses cut short", Array(v2(0x11, ipv4Body).prefix(20)), .needMoreBytes),
        ("v2 TLVs cut short", Array(v2(0x11, ipv4Body + tlvs).prefix(30)), .needMoreBytes),
        ("wrong signature", [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0B, 0x21, 0x11, 0, 12],
         .invalid(.missingSignature)),
        ("a client speaking SMTP", Array("EHLO client.test\r\n".utf8), .invalid(.missingSignature)),
        ("v2 version 1 in the binary form", v2(0x11, ipv4Body, command: 0x11), .invalid(.unsupportedVersion(1))),
        ("v2 version 3", v2(0x11, ipv4Body, command: 0x31), .invalid(.unsupportedVersion(3))),
        ("v2 unknown command", v2(0x11, ipv4Body, command: 0x22), .invalid(.unknownCommand(2))),
        ("v2 unknown family", v2(0x41, ipv4Body), .invalid(.unknownFamily(0x41))),
        ("v2 unknown protocol", v2(0x13, ipv4Body), .invalid(.unknownFamily(0x13))),
        ("v2 length shorter than IPv4 addresses", v2(0x11, Array(ipv4Body.prefix(8))), .invalid(.addressesTruncated)),
        ("v2 length shorter than IPv6 addresses", v2(0x21, ipv4Body), .invalid(.addressesTruncated)),
        ("v1 TCP4", Array("PROXY TCP4 192.0.2.1 198.51.100.7 56324 25\r\nEHLO".utf8), .header(ipv4Header, length: 44)),
        ("v1 TCP6", Array("PROXY TCP6 2001:db8::1 2001:db8::2 443 25\r\n".utf8), .header(ipv6Header, length: 43)),
        ("v1 UNKNOWN", Array("PROXY UNKNOWN\r\n".utf8), .header(.unspecified, length: 15)),
        ("v1 UNKNOWN with addresses", Array("PROXY UNKNOWN ::1 ::1 1 2\r\n".utf8), .header(.unspecified, length: 27)),
        ("v1 cut short", Array("PROXY TCP4 192.0.2.1".utf8), .needMoreBytes),
        ("v1 before the LF", Array("PROXY UNKNOWN\r".utf8), .needMoreBytes),
        ("v1 prefix cut short", Array("PRO".utf8), .needMoreBytes),
        ("v1 IPv6 address under TCP4", Array("PROXY TCP4 ::1 ::1 1 2\r\n".utf8), .invalid(.malformedLine)),
        ("v1 port out of range", Array("PROXY TCP4 192.0.2.1 198.51.100.7 65536 25\r\n".utf8), .invalid(.malformedLine)),
        ("v1 port with a leading zero", Array("PROXY TCP4 192.0.2.1 198.51.100.7 025 25\r\n".utf8), .invalid(.malformedLine)),
        ("v1 two spaces", Array("PROXY TCP4  192.0.2.1 198.51.100.7 1 25\r\n".utf8), .invalid(.malformedLine)),
        ("v1 bare LF", Array("PROXY TCP4 192.0.2.1 198.51.100.7 1 25\n".utf8), .invalid(.malformedLine)),
        ("v1 CR without LF", Array("PROXY UNKNOWN\rX".utf8), .invalid(.malformedLine)),
        ("v1 lowercase", Array("proxy TCP4 192.0.2.1 198.51.100.7 1 25\r\n".utf8), .invalid(.missingSignature)),
    ]

    @Test(arguments: cases.indices)
    func decodes(_ index: Int) {
        let (name, bytes, expected) = Self.cases[index]
        #expect(ProxyHeader.decode(bytes) == expected, "\(name)")
    }

    /// A v2 header declaring the largest length is complete only at 65,551 bytes, and nothing
    /// beyond that is looked at.
    @Test func largestVersion2HeaderIsBounded() {
        let body = ipv4BodyPadded(to: 65_535)
        let header = Self.v2(0x11, body)
        #expect(ProxyHeader.decode(header.dropLast()) == .needMoreBytes)
        #expect(ProxyHeader.decode(header + Array("EHLO x\r\n".utf8))
                == .header(Self.ipv4Header, length: ProxyHeader.maximumVersion2Length))
    }

    private func ipv4BodyPadded(to length: Int) -> [UInt8] {
        Self.ipv4Body + Array(repeating: 0, count: length - Self.ipv4Body.count)
    }

    /// A v1 line has at most 107 bytes with its CRLF: the longest possible line is accepted, and
    /// 107 bytes without a CRLF are refused instead of waiting for more.
    @Test func version1LineIsBounded() {
        let longest = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535"
        let padded = longest + String(repeating: "x", count: 105 - longest.utf8.count) + "\r\n"
        #expect(padded.utf8.count == ProxyHeader.maximumVersion1Length)
        #expect(ProxyHeader.decode(Array(padded.utf8)) == .header(.unspecified, length: 107))
        let endless = Array(("PROXY UNKNOWN " + String(repeating: "x", count: 200)).utf8)
        #expect(ProxyHeader.decode(endless.prefix(106)) == .needMoreBytes)
        #expect(ProxyHeader.decode(endless) == .invalid(.lineTooLong))
    }

    /// Whatever way the bytes arrive, the decoder asks for more until the header is whole, then
    /// gives the same answer.
    @Test func decodesHoweverTheBytesArrive() {
        let header = Self.v2(0x11, Self.ipv4Body + Self.tlvs) + Array("EHLO".utf8)
        for end in 0..<header.count - 4 {
            #expect(ProxyHeader.decode(header.prefix(end)) == .needMoreBytes, "\(end) bytes")
        }
        #expect(ProxyHeader.decode(header) == .header(Self.ipv4Header, length: header.count - 4))
    }

    /// The source's text and loopback-ness come from the header's address.
    @Test func endpointBecomesASocketAddress() {
        let loopback = ProxyEndpoint(address: [127, 0, 0, 1], port: 1).socketAddress
        #expect(loopback.ipAddress == "127.0.0.1")
        #expect(isLoopback(loopback))
        let documentation = ProxyEndpoint(address: Self.ipv6Source, port: 443).socketAddress
        #expect(documentation.ipAddress == "2001:db8::1")
        #expect(!isLoopback(documentation))
    }
}
