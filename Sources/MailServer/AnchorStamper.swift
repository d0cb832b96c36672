import MailStore
import TimeStamping
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What one round of stamping did: the point asked for, the stamps journaled, and the TSAs that
/// failed (each with why), in the order of the configuration.
public struct AnchorRound: Sendable {
    public var point: ChainPoint
    public var journaled: [JournaledAnchor]
    public var failures: [(url: String, reason: String)]
}

/// Stamps the archive's tip by Time-Stamping Authorities (RFC 3161) and journals the tokens: what
/// `tresor anchor stamp` does once and `AnchorService` does on its schedule. The TSAs are asked
/// concurrently, each token is verified by `TimeStampClient` before it is kept, and the tokens of
/// one round are journaled together (one group commit) after every TSA answered or failed, so
/// nothing waits on a TSA while holding the archive.
public struct AnchorStamper: Sendable {
    public let authorities: [TimeStampAuthority]
    let store: MailStore
    let client: TimeStampClient

    /// `timeout`: how long one TSA may take to answer, measured on `clock`.
    public init(store: MailStore, authorities: [TimeStampAuthority], timeout: Duration = .seconds(10),
                clock: any Clock<Duration> = ContinuousClock()) {
        self.store = store
        self.authorities = authorities
        self.client = TimeStampClient(timeout: timeout, clock: clock)
    }

    /// A stamper for TSAs as configured (or given on a command line), their CA files read now.
    public init(store: MailStore, settings: [TresorConfiguration.TimeStampAuthoritySettings],
                timeout: Duration = .seconds(10)) throws(ConfigurationError) {
        self.init(store: store, authorities: try Self.authorities(settings), timeout: timeout)
    }

    /// The URLs of the TSAs, in order.
    public var urls: [String] { authorities.map(\.url) }

    /// The configured TSAs, their CA files read and parsed now; a file that cannot be read, or holds
    /// no certificate, is an error naming its key (`anchor.tsa[0].ca`).
    public static func authorities(_ settings: [TresorConfiguration.TimeStampAuthoritySettings])
        throws(ConfigurationError) -> [TimeStampAuthority]
    {
        var authorities: [TimeStampAuthority] = []
        for entry in settings {
            authorities.append(TimeStampAuthority(url: entry.url, verifier: try verifier(caFile: entry.caFile,
                                                                                          key: entry.key + ".ca",
                                                                                          file: entry.file)))
        }
        return authorities
    }

    /// A verifier trusting the CA certificate(s) of a PEM file; `key` names it in errors.
    public static func verifier(caFile: URL, key: String,
                                file: String = TresorConfiguration.defaultFileName) throws(ConfigurationError) -> TimeStampVerifier {
        let text: String
        do {
            text = try String(contentsOf: caFile, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: file, line: nil, key: key,
                                     problem: "cannot read \(caFile.path): \(error.localizedDescription)")
        }
        do {
            return try TimeStampVerifier(pemEncodedRoots: text)
        } catch {
            throw ConfigurationError(file: file, line: nil, key: key,
                                     problem: "\(caFile.path): \(error)")
        }
    }

    /// Stamps `point` (normally `store.anchors.tip.last`) by the TSAs whose URLs are in `urls` (all
    /// when nil) and journals what they granted; `recordCount` is the archive's record count up to
    /// the point. Throws only when the journal fails; a TSA's failure is in the round.
    public func stamp(_ point: ChainPoint, recordCount: Int, by urls: Set<String>? = nil)
        async throws(AnchorError) -> AnchorRound
    {
        let chosen = authorities.filter { urls?.contains($0.url) ?? true }
        let digest = point.anchorDigest
        let client = self.client
        typealias Answer = Result<VerifiedTimeStamp, any Error>
        let answers = await withTaskGroup(of: (Int, Answer).self, returning: [Int: Answer].self) { group in
            for (index, authority) in chosen.enumerated() {
                group.addTask {
                    // The answer is awaited before the tuple is built: with `(index, .success(try await …))`
                    // Swift 6.3's release build returned a clobbered index (the stamp was then lost).
                    let answer: Answer
                    do {
                        answer = .success(try await client.stamp(sha256Digest: digest, by: authority))
                    } catch {
                        answer = .failure(error)
                    }
                    return (index, answer)
                }
            }
            var collected: [Int: Answer] = [:]
            for await (index, answer) in group { collected[index] = answer }
            return collected
        }
        var records: [AnchorRecord] = []
        var failures: [(url: String, reason: String)] = []
        for (index, authority) in chosen.enumerated() {
            guard let answer = answers[index] else {
                failures.append((authority.url, "no answer"))
                continue
            }
            switch answer {
            case .success(let stamped):
                records.append(AnchorRecord(point: point, records: recordCount,
                                            tsa: authority.url, genTime: stamped.genTime,
                                            token: stamped.token.derEncoded))
            case .failure(let error):
                failures.append((authority.url, "\(error)"))
            }
        }
        let journaled = records.isEmpty ? [] : try await store.anchors.journal(records)
        return AnchorRound(point: point, journaled: journaled, failures: failures)
    }

    /// Stamps the tip as this process knows it now.
    public func stampTip(by urls: Set<String>? = nil) async throws(AnchorError) -> AnchorRound {
        let tip = store.anchors.tip
        guard let point = tip.last else { throw .emptyArchive }
        return try await stamp(point, recordCount: tip.records, by: urls)
    }

    /// Shuts the HTTP client down; call once when done.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
