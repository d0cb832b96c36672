import Delivery
import Foundation
import NIOCore
import NIOPosix

/// The DNS a sender-authentication run of `tresor-bench smtp` needs, served from the bench
/// process over UDP: for the sender's domain an SPF record authorising 127.0.0.1, a DKIM key
/// (RSA 2048, as most senders publish) and a DMARC record with p=reject, so that every message
/// passes all three checks and the run measures their cost, not a rejection. Other names are
/// NXDOMAIN. The server under test is pointed here with `[delivery] dns_resolver`.
final class BenchAuthDNS: Sendable {
    let domain: String
    let signer: DKIMSigner
    private let channel: any Channel
    private let records: [String: String]

    static let selector = "bench"

    private init(domain: String, signer: DKIMSigner, channel: any Channel, records: [String: String]) {
        self.domain = domain
        self.signer = signer
        self.channel = channel
        self.records = records
    }

    /// Binds `host:port` (UDP) and answers TXT questions from the table.
    static func start(host: String, port: Int, domain: String) async throws -> BenchAuthDNS {
        let key = try DKIMPrivateKey.generate(.rsa)
        let records = [
            domain: "v=spf1 ip4:127.0.0.1 -all",
            "\(selector)._domainkey.\(domain)": "v=DKIM1; k=rsa; p=\(key.publicKeyBase64)",
            "_dmarc.\(domain)": "v=DMARC1; p=reject",
        ]
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BenchDNSHandler(records: records))
                }
            }
            .bind(host: host, port: port).get()
        return BenchAuthDNS(domain: domain, signer: DKIMSigner(domain: domain, selector: selector, key: key),
                            channel: channel, records: records)
    }

    /// The port actually bound (port 0 picks one).
    var port: Int { channel.localAddress?.port ?? 0 }

    func stop() async { try? await channel.close() }

    /// A DKIM-Signature field prepended to `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        try signer.signatureField(for: message, at: Date()) + message
    }

    /// The mean time of each check on `message` (signed), run `rounds` times in this process
    /// against this server: what each check costs the receiving server, DNS round trips included.
    func timeChecks(_ message: [UInt8], mailFrom: String, rounds: Int) async -> [(String, Double)] {
        let dns = DNSResolver(servers: [ResolverAddress(host: "127.0.0.1", port: port)])
        let address = SPFAddress("127.0.0.1")!
        let verifier = DKIMInboundVerifier(dns: dns)
        let dmarc = DMARCEvaluator(dns: dns, suffixes: .system())
        var spfTime = 0.0, dkimTime = 0.0, dmarcTime = 0.0
        for _ in 0..<rounds {
            var start = DispatchTime.now().uptimeNanoseconds
            let spf = await SPFEvaluator.checkSender(address: address, mailFrom: mailFrom, helo: "bench.client", dns: dns)
            spfTime += Double(DispatchTime.now().uptimeNanoseconds - start)
            start = DispatchTime.now().uptimeNanoseconds
            let dkim = await verifier.verify(message, now: Date())
            dkimTime += Double(DispatchTime.now().uptimeNanoseconds - start)
            start = DispatchTime.now().uptimeNanoseconds
            _ = await dmarc.evaluate(fromDomain: domain, spf: (spf.0, domain: spf.domain), dkim: dkim)
            dmarcTime += Double(DispatchTime.now().uptimeNanoseconds - start)
        }
        let per = { (total: Double) in total / Double(max(rounds, 1)) / 1e6 }
        return [("SPF", per(spfTime)), ("DKIM", per(dkimTime)), ("DMARC", per(dmarcTime))]
    }
}

/// Answers each UDP question from the table (TXT only; everything else is NXDOMAIN).
private final class BenchDNSHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let records: [String: String]

    init(records: [String: String]) { self.records = records }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let query = try? DNSMessage(decoding: Array(envelope.data.readableBytesView)), !query.isResponse,
              let question = query.questions.first else { return }
        var name = question.name.description.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        var response = DNSMessage(id: query.id, isResponse: true, isAuthoritative: true,
                                  recursionDesired: query.recursionDesired, recursionAvailable: true, questions: [question])
        if let text = records[name] {
            if question.type == .txt {
                var strings: [[UInt8]] = []
                var rest = Array(text.utf8)[...]
                repeat {  // RFC 1035 §3.3.14: character-strings of at most 255 octets
                    strings.append(Array(rest.prefix(255)))
                    rest = rest.dropFirst(255)
                } while !rest.isEmpty
                response.answers.append(DNSResourceRecord(name: question.name, data: .txt(strings)))
            }
        } else {
            response.responseCode = .nameError
        }
        guard let bytes = try? response.encoded() else { return }
        let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: bytes))
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }
}
