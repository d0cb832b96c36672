@testable import Delivery
import NIOCore
import NIOPosix
import Synchronization

/// A small authoritative-looking DNS server for tests: UDP and TCP on 127.0.0.1, one port
/// (port 0 picks it), answering from a table. It can refuse a name (NXDOMAIN), fail it
/// (SERVFAIL), ignore it (for timeouts) or answer it over UDP only with TC=1 (so the client must
/// come back over TCP, RFC 7766). Answers compress names (RFC 1035 §4.1.4) like real servers do.
///
///     let dns = try await TestDNSServer.start(records: .init(
///         mx: ["example.test": [.init(preference: 10, exchange: "mx.example.test")]],
///         a: ["mx.example.test": ["127.0.0.1"]]))
///     let resolver = DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: dns.port)])
///     … ; await dns.stop()
final class TestDNSServer: Sendable {
    /// The table. Names are case-insensitive, with or without the final dot.
    struct Records: Sendable {
        struct MX: Sendable, Hashable {
            var preference: Int
            /// "." for RFC 7505's null MX.
            var exchange: String
        }

        var mx: [String: [MX]] = [:]
        var a: [String: [String]] = [:]
        var aaaa: [String: [String]] = [:]
        /// alias → canonical name; followed for every other type, chains included.
        var cname: [String: String] = [:]
        /// Each text is split into character-strings of 255 bytes.
        var txt: [String: [String]] = [:]
        /// Answered NXDOMAIN. A name in none of the tables is NXDOMAIN too.
        var nxdomain: Set<String> = []
        /// Answered SERVFAIL.
        var serverFailure: Set<String> = []
        /// Never answered.
        var silent: Set<String> = []
        /// Over UDP answered with TC=1 and no records; over TCP answered normally.
        var truncateUDP: Set<String> = []
        /// Aliases answered with their CNAME alone, not the records at its target (as a server
        /// outside the target's zone answers): the client has to ask for the target itself.
        var cnameOnly: Set<String> = []

        init(mx: [String: [MX]] = [:], a: [String: [String]] = [:], aaaa: [String: [String]] = [:],
             cname: [String: String] = [:], txt: [String: [String]] = [:], nxdomain: Set<String> = [],
             serverFailure: Set<String> = [], silent: Set<String> = [], truncateUDP: Set<String> = [],
             cnameOnly: Set<String> = []) {
            self.mx = mx
            self.a = a
            self.aaaa = aaaa
            self.cname = cname
            self.txt = txt
            self.nxdomain = nxdomain
            self.serverFailure = serverFailure
            self.silent = silent
            self.truncateUDP = truncateUDP
            self.cnameOnly = cnameOnly
        }
    }

    enum Transport: Sendable, Hashable { case udp, tcp }

    /// One question the server received.
    struct Query: Sendable, Hashable {
        var transport: Transport
        var name: String
        var type: DNSRecordType
    }

    let port: Int
    private let udp: any Channel
    private let tcp: any Channel
    private let responder: TestDNSResponder

    private init(port: Int, udp: any Channel, tcp: any Channel, responder: TestDNSResponder) {
        self.port = port
        self.udp = udp
        self.tcp = tcp
        self.responder = responder
    }

    /// Binds UDP on an ephemeral port, then TCP on the same number (retrying if TCP's is taken).
    static func start(records: Records) async throws -> TestDNSServer {
        let responder = TestDNSResponder(records: records)
        let group = MultiThreadedEventLoopGroup.singleton
        var lastError: (any Error)?
        for _ in 0..<20 {
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramHandler(responder: responder))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let port = udp.localAddress!.port!
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
                            try channel.pipeline.syncOperations.addHandler(StreamHandler(responder: responder))
                        }
                    }
                    .bind(host: "127.0.0.1", port: port).get()
                return TestDNSServer(port: port, udp: udp, tcp: tcp, responder: responder)
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        throw lastError!
    }

    func stop() async {
        try? await udp.close()
        try? await tcp.close()
    }

    /// Every question received so far, in order.
    var queries: [Query] { responder.log.withLock { $0 } }
}

/// The table lookup, shared by the UDP and TCP handlers.
final class TestDNSResponder: Sendable {
    let records: TestDNSServer.Records
    let log = Mutex<[TestDNSServer.Query]>([])

    init(records: TestDNSServer.Records) {
        func normalised<Value>(_ table: [String: Value]) -> [String: Value] {
            Dictionary(table.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        var records = records
        records.mx = normalised(records.mx)
        records.a = normalised(records.a)
        records.aaaa = normalised(records.aaaa)
        records.cname = normalised(records.cname).mapValues(Self.key)
        records.txt = normalised(records.txt)
        records.nxdomain = Set(records.nxdomain.map(Self.key))
        records.serverFailure = Set(records.serverFailure.map(Self.key))
        records.silent = Set(records.silent.map(Self.key))
        records.truncateUDP = Set(records.truncateUDP.map(Self.key))
        records.cnameOnly = Set(records.cnameOnly.map(Self.key))
        self.records = records
    }

    static func key(_ name: String) -> String {
        var name = name.lowercased()
        if name.hasSuffix("."), name.count > 1 { name.removeLast() }
        return name
    }

    /// The response's bytes, or nil to stay silent.
    func respond(to bytes: [UInt8], transport: TestDNSServer.Transport) -> [UInt8]? {
        guard let query = try? DNSMessage(decoding: bytes), !query.isResponse, let question = query.questions.first else { return nil }
        let name = Self.key(question.name.description)
        log.withLock { $0.append(.init(transport: transport, name: name, type: question.type)) }
        if records.silent.contains(name) { return nil }
        var response = DNSMessage(id: query.id, isResponse: true, isAuthoritative: true,
                                  recursionDesired: query.recursionDesired, recursionAvailable: true,
                                  questions: [question])
        if records.serverFailure.contains(name) {
            response.responseCode = .serverFailure
        } else if records.nxdomain.contains(name) {
            response.responseCode = .nameError
        } else if transport == .udp, records.truncateUDP.contains(name) {
            response.isTruncated = true
        } else {
            answer(question, into: &response)
        }
        return try? response.encoded()
    }

    private func answer(_ question: DNSQuestion, into response: inout DNSMessage) {
        var current = Self.key(question.name.description)
        var hops = 0
        while question.type != .cname, let target = records.cname[current], hops < 16 {
            response.answers.append(DNSResourceRecord(name: try! DNSName(current), data: .cname(try! DNSName(target))))
            if records.cnameOnly.contains(current) { return }
            current = target
            hops += 1
        }
        let owner = try! DNSName(current)
        switch question.type {
        case .mx:
            for mx in records.mx[current] ?? [] {
                response.answers.append(DNSResourceRecord(name: owner, data: .mx(preference: UInt16(mx.preference),
                                                                                  exchange: try! DNSName(mx.exchange))))
            }
        case .a:
            for address in records.a[current] ?? [] {
                response.answers.append(DNSResourceRecord(name: owner, data: .a(Self.bytes(ipv4: address))))
            }
        case .aaaa:
            for address in records.aaaa[current] ?? [] {
                response.answers.append(DNSResourceRecord(name: owner, data: .aaaa(Self.bytes(ipv6: address))))
            }
        case .txt:
            for text in records.txt[current] ?? [] {
                var strings: [[UInt8]] = []
                var rest = Array(text.utf8)[...]
                repeat {
                    strings.append(Array(rest.prefix(255)))
                    rest = rest.dropFirst(255)
                } while !rest.isEmpty
                response.answers.append(DNSResourceRecord(name: owner, data: .txt(strings)))
            }
        case .cname:
            if let target = records.cname[current] {
                response.answers.append(DNSResourceRecord(name: owner, data: .cname(try! DNSName(target))))
            }
        default:
            break
        }
        let known = [records.mx[current] != nil, records.a[current] != nil, records.aaaa[current] != nil,
                     records.txt[current] != nil, records.cname[current] != nil].contains(true)
        if !known, response.answers.isEmpty { response.responseCode = .nameError }
    }

    static func bytes(ipv4 text: String) -> [UInt8] {
        let parts = text.split(separator: ".").compactMap { UInt8($0) }
        precondition(parts.count == 4, "not an IPv4 address in the test table: \(text)")
        return parts
    }

    static func bytes(ipv6 text: String) -> [UInt8] {
        let address = try! SocketAddress(ipAddress: text, port: 0)
        guard case .v6(let v6) = address else { preconditionFailure("not an IPv6 address in the test table: \(text)") }
        return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
    }
}

private final class DatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let responder: TestDNSResponder

    init(responder: TestDNSResponder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let reply = responder.respond(to: Array(envelope.data.readableBytesView), transport: .udp) else { return }
        let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: reply))
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }
}

private final class StreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let responder: TestDNSResponder

    init(responder: TestDNSResponder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let reply = responder.respond(to: Array(unwrapInboundIn(data).readableBytesView), transport: .tcp) else { return }
        context.writeAndFlush(wrapOutboundOut(DNSStreamFraming.frame(reply, allocator: context.channel.allocator)),
                              promise: nil)
    }
}
