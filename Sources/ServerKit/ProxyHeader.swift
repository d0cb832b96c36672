import NIOCore

/// The PROXY protocol header a load balancer (HAProxy, nginx, AWS NLB, …) sends first on a
/// connection it opened for a client, so that the server learns the client's real address: version
/// 2 (binary) and version 1 (one text line), both from HAProxy's "The PROXY protocol" (versions 1 &
/// 2, 2020/03/05). A listener that enables it requires one before anything else; the header's source
/// replaces the socket's peer for everything the server does with the client's address.
public enum ProxyHeader: Hashable, Sendable {
    /// v2 LOCAL: the balancer speaks for itself (a health check); the socket's addresses stand (§2.2).
    case local
    /// PROXY for a family this server does not carry (v2 UNSPEC, UNIX, or a datagram protocol; v1
    /// UNKNOWN): the connection is valid and the socket's addresses stand (§2.1, §2.2).
    case unspecified
    /// PROXY for a TCP client over IPv4 or IPv6: who connected to the balancer, and where.
    case proxied(source: ProxyEndpoint, destination: ProxyEndpoint)
}

/// One end of a proxied TCP connection: the address in network order (4 or 16 bytes) and the port.
public struct ProxyEndpoint: Hashable, Sendable {
    public var address: [UInt8]
    public var port: UInt16

    public init(address: [UInt8], port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The endpoint as a socket address (for the loopback rule and the address's text).
    public var socketAddress: SocketAddress {
        // 4 or 16 bytes by construction, which is all `packedIPAddress` asks.
        try! SocketAddress(packedIPAddress: ByteBuffer(bytes: address), port: Int(port))
    }
}

/// Why bytes are not a PROXY header. Logged; the connection is closed without a reply.
public enum ProxyHeaderError: Error, Hashable, Sendable {
    /// Neither the v2 signature nor "PROXY " (v1): a client speaking to the listener directly.
    case missingSignature
    /// v2: the version nibble is not 2 (§2.2: "must be rejected").
    case unsupportedVersion(UInt8)
    /// v2: a command other than LOCAL (0) or PROXY (1).
    case unknownCommand(UInt8)
    /// v2: an address family or transport protocol the specification does not define.
    case unknownFamily(UInt8)
    /// v2: the length is too short for the addresses of the declared family.
    case addressesTruncated
    /// v1: the line is longer than 107 bytes (§2.1), or not ended by CRLF.
    case lineTooLong
    /// v1: the line does not follow the grammar.
    case malformedLine
}

/// What the bytes received so far make.
public enum ProxyHeaderDecoding: Hashable, Sendable {
    /// A prefix of a valid header: wait for more bytes.
    case needMoreBytes
    /// A header, and how many bytes it took (the protocol's own bytes follow).
    case header(ProxyHeader, length: Int)
    case invalid(ProxyHeaderError)
}

extension ProxyHeader {
    /// The v2 signature (§2.2): "\r\n\r\n\0\r\nQUIT\n".
    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    static let version1Prefix = Array("PROXY ".utf8)
    /// The longest v1 line, CRLF included (§2.1: "PROXY UNKNOWN ffff:…:ffff … 65535 65535\r\n").
    public static let maximumVersion1Length = 107
    /// The longest v2 header: 16 fixed bytes and a 16-bit length (§2.2).
    public static let maximumVersion2Length = 16 + 65_535

    /// Decodes the header at the start of `bytes` (the connection's first bytes), which may hold
    /// more than the header. Never reads past `maximumVersion2Length` bytes.
    public static func decode(_ bytes: some RandomAccessCollection<UInt8>) -> ProxyHeaderDecoding {
        let head = Array(bytes.prefix(maximumVersion2Length))
        if head.first == signature[0] { return decodeVersion2(head) }
        return decodeVersion1(head)
    }

    // The v2 header (§2.2), all integers in network order:
    //   signature[12]  ver_cmd (version << 4 | command)  fam (family << 4 | protocol)  len[2]
    //   then len bytes: the addresses of the family, then TLVs (type, length[2], value) to skip.
    //   INET: src[4] dst[4] src_port[2] dst_port[2]; INET6: src[16] dst[16] src_port[2] dst_port[2];
    //   UNIX: src[108] dst[108].
    private static func decodeVersion2(_ head: [UInt8]) -> ProxyHeaderDecoding {
        let signed = min(head.count, signature.count)
        guard head[0..<signed].elementsEqual(signature[0..<signed]) else { return .invalid(.missingSignature) }
        guard head.count >= 16 else { return .needMoreBytes }
        let version = head[12] >> 4, command = head[12] & 0x0F
        guard version == 2 else { return .invalid(.unsupportedVersion(version)) }
        guard command <= 1 else { return .invalid(.unknownCommand(command)) }
        let family = head[13] >> 4, transport = head[13] & 0x0F
        guard family <= 3, transport <= 2 else { return .invalid(.unknownFamily(head[13])) }
        let length = Int(head[14]) << 8 | Int(head[15])
        let addressLength = [0, 12, 36, 216][Int(family)]
        guard length >= addressLength else { return .invalid(.addressesTruncated) }
        guard head.count >= 16 + length else { return .needMoreBytes }
        let total = 16 + length
        // LOCAL: "the receiver must ignore the address information" (§2.2).
        guard command == 1 else { return .header(.local, length: total) }
        // Only TCP over IPv4 or IPv6 names a client; the rest keeps the socket's addresses.
        guard transport == 1, family == 1 || family == 2 else { return .header(.unspecified, length: total) }
        let size = family == 1 ? 4 : 16
        let ports = 16 + 2 * size
        func port(at offset: Int) -> UInt16 { UInt16(head[offset]) << 8 | UInt16(head[offset + 1]) }
        let source = ProxyEndpoint(address: Array(head[16..<16 + size]), port: port(at: ports))
        let destination = ProxyEndpoint(address: Array(head[16 + size..<ports]), port: port(at: ports + 2))
        return .header(.proxied(source: source, destination: destination), length: total)
    }

    // The v1 line (§2.1), one space between fields, at most 107 bytes with the CRLF:
    //   "PROXY" SP ( "TCP4" / "TCP6" ) SP src-address SP dst-address SP src-port SP dst-port CRLF
    //   "PROXY" SP "UNKNOWN" *( any byte but CR ) CRLF
    private static func decodeVersion1(_ head: [UInt8]) -> ProxyHeaderDecoding {
        let prefixed = min(head.count, version1Prefix.count)
        guard head[0..<prefixed].elementsEqual(version1Prefix[0..<prefixed]) else { return .invalid(.missingSignature) }
        let window = head.prefix(maximumVersion1Length)
        // The line ends at its first CR or LF; an LF alone is not a line end (CRLF only).
        if let end = window.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }), window[end] == 0x0A {
            return .invalid(.malformedLine)
        }
        guard let cr = window.firstIndex(of: 0x0D) else {
            return window.count < maximumVersion1Length ? .needMoreBytes : .invalid(.lineTooLong)
        }
        guard cr + 1 < window.count else {
            return window.count < maximumVersion1Length ? .needMoreBytes : .invalid(.lineTooLong)
        }
        guard window[cr + 1] == 0x0A else { return .invalid(.malformedLine) }
        let fields = head[version1Prefix.count..<cr].split(separator: 0x20, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if fields.first == "UNKNOWN" { return .header(.unspecified, length: cr + 2) }
        guard fields.count == 5, fields[0] == "TCP4" || fields[0] == "TCP6",
              let source = endpoint(fields[1], fields[3], v6: fields[0] == "TCP6"),
              let destination = endpoint(fields[2], fields[4], v6: fields[0] == "TCP6")
        else { return .invalid(.malformedLine) }
        return .header(.proxied(source: source, destination: destination), length: cr + 2)
    }

    /// A v1 address and port: the address in its family's text form, the port decimal 0–65535
    /// without leading zeros.
    private static func endpoint(_ address: String, _ port: String, v6: Bool) -> ProxyEndpoint? {
        guard !port.isEmpty, port.count <= 5, port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              port == "0" || !port.hasPrefix("0"), let number = UInt16(port),
              let parsed = try? SocketAddress(ipAddress: address, port: 0)
        else { return nil }
        switch parsed {
        case .v4(let v4) where !v6:
            return ProxyEndpoint(address: withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }, port: number)
        case .v6(let v6address) where v6:
            return ProxyEndpoint(address: withUnsafeBytes(of: v6address.address.sin6_addr) { Array($0) }, port: number)
        default:
            return nil
        }
    }
}
