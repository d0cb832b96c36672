// DNSResolver: a stub resolver of our own (RFC 1035 §7) for outbound mail routing. It asks the
// recursive nameservers of /etc/resolv.conf (or configured ones) and never recurses itself.
//
// Invariants: a server that times out, refuses, fails (SERVFAIL) or cannot be reached is skipped
// for the next one; only when every server failed does a lookup throw, and then always
// `DNSResolutionError.temporary` (the caller retries later). NXDOMAIN is an answer, not an
// error. CNAME chains are followed at most `maximumCNAMEHops` links. Nothing is cached: the queue
// asks rarely, and the recursive server caches.

import NIOCore
import NIOPosix

public final class DNSResolver: MailExchangerResolver {
    public let servers: [ResolverAddress]
    /// How long to wait for one server's answer (UDP, then TCP when truncated, each this long).
    public let timeout: Duration
    private let transport: DNSTransport

    /// RFC 1034 §3.6.2 warns of CNAME loops; eight links is more than real zones use.
    public static let maximumCNAMEHops = 8

    public init(servers: [ResolverAddress], timeout: Duration = .seconds(5)) {
        self.servers = servers
        self.timeout = timeout
        self.transport = DNSTransport(group: MultiThreadedEventLoopGroup.singleton)
    }

    /// The nameservers of /etc/resolv.conf (RFC-less format: `nameserver` lines), or 127.0.0.1 if none.
    public static func systemServers(resolvConf: String = "/etc/resolv.conf") -> [ResolverAddress] {
        ResolvConf.nameservers(atPath: resolvConf)
    }

    // MARK: - Queries

    /// One question, asked of each server in turn until one answers with NOERROR or NXDOMAIN.
    public func query(_ name: DNSName, type: DNSRecordType) async throws(DNSResolutionError) -> DNSMessage {
        var failures: [String] = []
        for server in servers {
            let query = DNSMessage.query(id: UInt16.random(in: .min ... .max), name: name, type: type)
            do {
                let response = try await transport.exchange(query, with: server, timeout: timeout)
                switch response.responseCode {
                case .noError, .nameError:
                    return response
                default:  // SERVFAIL, REFUSED, FORMERR, NOTIMP: this server cannot help now
                    failures.append("\(server) answered \(response.responseCode)")
                }
            } catch {
                failures.append(error.description)
            }
            if Task.isCancelled { throw .temporary("lookup cancelled") }
        }
        if failures.isEmpty { failures.append("no nameservers configured") }
        throw .temporary("\(type) \(name): " + failures.joined(separator: "; "))
    }

    /// The records of `type` at `name`, following CNAMEs (RFC 1034 §3.6.2): within one answer as
    /// far as it goes, then with a new question for the chain's end.
    public func lookup(_ name: DNSName, type: DNSRecordType) async throws(DNSResolutionError) -> DNSLookupResult {
        var current = name
        var seen: Set<DNSName> = [name]
        while true {  // every pass follows at least one new link or returns, and links are capped
            let response = try await query(current, type: type)
            if response.responseCode == .nameError { return .noSuchName }
            var followed = false
            while true {
                let owned = response.answers.filter { $0.name == current }
                let records = owned.filter { $0.type == type }.map(\.data)
                if !records.isEmpty { return .records(records, canonicalName: current) }
                guard type != .cname, let alias = owned.lazy.compactMap({ record -> DNSName? in
                    if case .cname(let target) = record.data { return target }
                    return nil
                }).first else { break }
                guard seen.insert(alias).inserted else { throw .temporary("CNAME loop at \(alias)") }
                guard seen.count - 1 <= Self.maximumCNAMEHops else {
                    throw .temporary("CNAME chain from \(name) longer than \(Self.maximumCNAMEHops)")
                }
                current = alias
                followed = true
            }
            // NOERROR without records of the type: NODATA (RFC 2308 §2.2), unless the answer only
            // brought us to a new name, which is asked next.
            if !followed { return .records([], canonicalName: current) }
        }
    }

    /// A + AAAA of `host` (IPv4 first), following CNAMEs; an IP literal is returned as it is.
    /// Empty when the name does not exist or has no address records. If one of the two lookups
    /// failed temporarily and the other found nothing, throws `.temporary`.
    public func addresses(of host: String) async throws -> [String] {
        if IPAddressText.isLiteral(host) { return [host] }
        guard let name = try? DNSName(host) else { return [] }
        return try await addresses(of: name)
    }

    func addresses(of name: DNSName) async throws(DNSResolutionError) -> [String] {
        async let v4 = Result(catching: { () async throws(DNSResolutionError) in try await self.lookup(name, type: .a) })
        async let v6 = Result(catching: { () async throws(DNSResolutionError) in try await self.lookup(name, type: .aaaa) })
        let results = await [v4, v6]
        var addresses: [String] = []
        var failure: DNSResolutionError?
        for result in results {
            switch result {
            case .success(let lookup):
                for data in lookup.records {
                    switch data {
                    case .a(let bytes), .aaaa(let bytes):
                        if let text = IPAddressText.format(bytes) { addresses.append(text) }
                    default: break
                    }
                }
            case .failure(let error):
                failure = error
            }
        }
        if addresses.isEmpty, let failure { throw failure }
        return addresses
    }
}

/// What a lookup found.
public enum DNSLookupResult: Sendable, Hashable {
    /// NOERROR: the records of the asked type at the end of the CNAME chain (empty: NODATA).
    case records([DNSRecordData], canonicalName: DNSName)
    /// NXDOMAIN (RFC 1035 §4.1.1 RCODE 3): the name, or the end of its CNAME chain, does not exist.
    case noSuchName

    public var records: [DNSRecordData] {
        switch self {
        case .records(let records, _): records
        case .noSuchName: []
        }
    }
}

extension Result where Failure == DNSResolutionError {
    init(catching body: () async throws(DNSResolutionError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
