#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A nameserver to ask: an IP literal and a port (53 unless a test runs its own server).
public struct ResolverAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal; host names are not resolved (that would need a resolver).
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 53) {
        self.host = host
        self.port = port
    }

    /// "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:5353" (the form of
    /// `dns_resolver` in tresor.toml); nil for anything else.
    public init?(parsing text: String) {
        let text = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { self.init(host: host); return }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            self.init(host: host, port: port)
            return
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") {
            guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            self.init(host: String(text[..<colon]), port: port)
            return
        }
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else { return nil }
        self.init(host: text)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The `nameserver` lines of resolv.conf(5). The file has no RFC; glibc reads at most three
/// (MAXNS), ignores comment lines starting with `#` or `;`, and uses the local host when none
/// is listed.
public enum ResolvConf {
    /// glibc's MAXNS.
    public static let maximumServers = 3

    public static func nameservers(in text: String) -> [ResolverAddress] {
        var servers: [ResolverAddress] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            guard servers.count < maximumServers else { break }
            servers.append(ResolverAddress(host: String(words[1])))
        }
        return servers
    }

    /// The file's nameservers, or 127.0.0.1 when it lists none or cannot be read.
    public static func nameservers(atPath path: String) -> [ResolverAddress] {
        guard let data = FileManager.default.contents(atPath: path) else { return [ResolverAddress(host: "127.0.0.1")] }
        let servers = nameservers(in: String(decoding: data, as: UTF8.self))
        return servers.isEmpty ? [ResolverAddress(host: "127.0.0.1")] : servers
    }
}
