import ArchiveStore
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks a time-stamp token: the certificate side of `verify`, which this module leaves to its
/// caller (MailServer holds the configured TSAs' CA certificates and speaks RFC 3161).
public protocol AnchorTokenChecking: Sendable {
    /// Whether `token` (DER) is a valid RFC 3161 time stamp of the SHA-256 digest `digest` by a TSA
    /// whose certificate chains to a configured CA at the token's time; `tsa` is the URL the
    /// stamp was asked from, as journaled.
    func check(token: [UInt8], stamping digest: [UInt8], askedFrom tsa: String) async -> AnchorTokenVerdict
}

/// What a token check found.
public enum AnchorTokenVerdict: Sendable, Hashable {
    /// A valid stamp: when the TSA says it stamped, and who it is (its certificate's subject).
    case valid(genTime: Date, authority: String)
    /// Why the token is no valid stamp of that digest by a configured TSA.
    case invalid(String)
}

/// A witness file as `verify --witness` reads it.
public struct WitnessFile: Sendable {
    /// How reports name it (its path).
    public var name: String
    public var witness: Witness

    public init(name: String, witness: Witness) {
        self.name = name
        self.witness = witness
    }
}

/// What `verify` needs to check anchors beyond the data directory.
public struct AnchorVerification: Sendable {
    /// Checks each token; nil: tokens are not checked (only the chain side is).
    public var tokens: (any AnchorTokenChecking)?
    /// Witnesses kept outside the machine.
    public var witnesses: [WitnessFile]
    /// How often the server stamps while the archive moves: a newest stamp older than twice this,
    /// with records after its point, is reported as a gap (a warning, not a finding).
    public var interval: Duration
    /// Whether TSAs are configured, so that an archive without any stamp is worth a warning.
    public var expectsAnchors: Bool
    public var now: Date

    public init(tokens: (any AnchorTokenChecking)?, witnesses: [WitnessFile] = [], interval: Duration = .seconds(3600),
                expectsAnchors: Bool = false, now: Date) {
        self.tokens = tokens
        self.witnesses = witnesses
        self.interval = interval
        self.expectsAnchors = expectsAnchors
        self.now = now
    }
}

/// One anchor record as `verify` found it.
public struct CheckedAnchor: Sendable, Hashable {
    public var anchor: JournaledAnchor
    /// The token's verdict; nil when tokens were not checked.
    public var verdict: AnchorTokenVerdict?
    /// Whether the chain still holds the stamped point with the stamped value.
    public var pointHolds: Bool
}

/// What `verify` found about anchors and witnesses. Its findings are also in the integrity
/// report's; the rest is for the summary.
public struct AnchorReport: Sendable {
    /// Every anchor record, in archive order.
    public var anchors: [CheckedAnchor] = []
    /// Copies in `DATA/anchors/` compared with the archive.
    public var copies = 0
    /// One line per witness file that holds: what it witnessed and that the archive has it.
    public var witnesses: [String] = []
    public var findings: [IntegrityFinding] = []
    /// Not evidence of tampering, but worth a look: a gap in the stamps, a record without its copy.
    public var warnings: [String] = []
    /// Records after the newest stamped point, anchors left out (nil: no anchor).
    public var recordsSinceNewest: Int?

    public init() {}
}

/// The anchor part of `tresor verify`, fed the records of the single verification pass, then
/// `finish`ed once the archive passed its own checks (so the chain it compares with is sound):
/// - every anchor record's stamped point is still in the chain with the stamped value, and its
///   token is a valid stamp of that point by a configured TSA;
/// - every copy in `DATA/anchors/` names an anchor record the archive still has (a rollback to an
///   older copy of the archive, or a history rewritten and signed again, loses it);
/// - every witness file's point is still in the chain with the same value (also when the anchors
///   were removed with it), signed by the archive key, and its tokens are valid for its points;
/// - the newest stamp is not older than twice the interval while records came after it.
struct AnchorCheck {
    let dataDirectory: URL
    let input: AnchorVerification?
    /// The copies in `DATA/anchors/`, read before the pass; nil when the folder cannot be read.
    let copies: AnchorCopies.Listing?
    let copiesProblem: String?
    /// Points whose chain value the pass keeps (copies', witnesses'); the points of anchor records
    /// found in the pass are looked up afterwards if they are not among them.
    let wanted: Set<RecordLocation>
    var chains: [RecordLocation: [UInt8]] = [:]
    var journaled: [JournaledAnchor] = []
    var undecodable: [RecordLocation] = []
    /// The last few records that are no anchor, to count what came after a stamped point.
    var recentNonAnchors: [RecordLocation] = []
    var newestPoint: RecordLocation?
    var newestGenTime: Date?
    var sinceNewest = 0

    static let recentLimit = 256

    init(dataDirectory: URL, input: AnchorVerification?) {
        self.dataDirectory = dataDirectory
        self.input = input
        var wanted: Set<RecordLocation> = []
        do {
            let listing = try AnchorCopies.read(dataDirectory: dataDirectory)
            for copy in listing.copies { wanted.insert(copy.anchor.record.location) }
            copies = listing
            copiesProblem = nil
        } catch {
            copies = nil
            copiesProblem = "\(error)"
        }
        for file in input?.witnesses ?? [] {
            wanted.insert(file.witness.location)
            for anchor in file.witness.anchors { wanted.insert(anchor.stamped) }
        }
        self.wanted = wanted
    }

    mutating func visit(_ record: ArchiveRecord) {
        if wanted.contains(record.location), let chain = Hex.bytes(record.chain) { chains[record.location] = chain }
        guard record.kind == .event, record.eventKind == .anchor else {
            recentNonAnchors.append(record.location)
            if recentNonAnchors.count > 2 * Self.recentLimit { recentNonAnchors.removeFirst(Self.recentLimit) }
            sinceNewest += 1
            return
        }
        guard let payload = record.eventPayload, let anchor = AnchorRecord.decode(payload) else {
            undecodable.append(record.location)
            return
        }
        journaled.append(JournaledAnchor(location: record.location, record: anchor))
        if newestPoint.map({ anchor.location >= $0 }) ?? true {
            newestPoint = anchor.location
            newestGenTime = anchor.genTime
            sinceNewest = recentNonAnchors.reversed().prefix { $0 > anchor.location }.count
        }
    }

    /// `sealKeys`: the archive's chain of seal keys (hex), any of which may have signed a witness.
    func finish(sealKeys: Set<String>) async -> AnchorReport {
        var report = AnchorReport()
        var chains = self.chains
        let missing = Set(journaled.map(\.record.location)).subtracting(chains.keys)
        if !missing.isEmpty {
            let directory = dataDirectory
            let found = await BlockingWork.io.perform { ArchiveVerifier.chainValues(dataDirectory: directory, at: missing) }
            chains.merge(found) { old, _ in old }
        }
        for location in undecodable {
            report.findings.append(IntegrityFinding(area: "anchor", detail: "anchor record \(location) does not decode"))
        }
        for anchor in journaled {
            let checked = await check(anchor, chains: chains, into: &report)
            report.anchors.append(checked)
        }
        await checkCopies(chains: chains, into: &report)
        for file in input?.witnesses ?? [] { await check(file, sealKeys: sealKeys, chains: chains, into: &report) }
        if let newestGenTime {
            report.recordsSinceNewest = sinceNewest
            if let input, sinceNewest > 0, input.now.timeIntervalSince(newestGenTime) > 2 * input.interval.seconds {
                report.warnings.append("gap: the newest time stamp is of \(Timestamp.string(newestGenTime)), "
                    + "\(Self.age(input.now.timeIntervalSince(newestGenTime))) ago (more than twice the interval of "
                    + "\(Self.age(input.interval.seconds))), and \(sinceNewest) record(s) came after the point it stamps")
            }
        } else if let input, input.expectsAnchors {
            report.warnings.append("gap: TSAs are configured, but the archive holds no time stamp yet")
        }
        return report
    }

    /// One anchor record: its point still in the chain with its value, its token valid for it.
    private func check(_ anchor: JournaledAnchor, chains: [RecordLocation: [UInt8]], into report: inout AnchorReport)
        async -> CheckedAnchor
    {
        let record = anchor.record
        let name = "anchor record \(anchor.location) (stamped \(Timestamp.string(record.genTime)) by \(record.tsa))"
        guard let claimed = record.point else {
            report.findings.append(IntegrityFinding(area: "anchor", detail: "\(name) names no valid chain value"))
            return CheckedAnchor(anchor: anchor, verdict: nil, pointHolds: false)
        }
        var holds = false
        if record.location >= anchor.location {
            report.findings.append(IntegrityFinding(
                area: "anchor", detail: "\(name) stamps record \(record.location), which does not come before it"))
        } else if let found = chains[record.location] {
            holds = found == claimed.chain
            if !holds {
                report.findings.append(IntegrityFinding(
                    area: "anchor", detail: "\(name) stamps record \(record.location) with chain \(claimed.chainHex), "
                        + "but the chain has \(Hex.string(found)) there: the history up to that record was rewritten "
                        + "after it was stamped"))
            }
        } else {
            report.findings.append(IntegrityFinding(
                area: "anchor", detail: "\(name) stamps record \(record.location), which the chain does not have"))
        }
        let verdict = await verdict(record.tokenBytes, digest: claimed.anchorDigest, tsa: record.tsa)
        if case .invalid(let reason)? = verdict {
            report.findings.append(IntegrityFinding(area: "anchor", detail: "\(name): \(reason)"))
        }
        return CheckedAnchor(anchor: anchor, verdict: verdict, pointHolds: holds)
    }

    /// Every copy in `DATA/anchors/` must name an anchor record the archive still has.
    private func checkCopies(chains: [RecordLocation: [UInt8]], into report: inout AnchorReport) async {
        guard let copies else {
            report.warnings.append("\(AnchorCopies.folderName)/ cannot be read: \(copiesProblem ?? "")")
            return
        }
        for file in copies.unreadable { report.warnings.append("\(file) is no anchor copy (it does not decode)") }
        var journaled: [RecordLocation: AnchorRecord] = [:]
        for anchor in self.journaled { journaled[anchor.location] = anchor.record }
        var copied: Set<RecordLocation> = []
        for copy in copies.copies {
            report.copies += 1
            let anchor = copy.anchor
            copied.insert(anchor.location)
            if let record = journaled[anchor.location], record.isSameStamp(as: anchor.record) { continue }
            let time = Timestamp.string(anchor.record.genTime)
            var detail = "\(copy.file): the time stamp of \(time) by \(anchor.record.tsa), journaled as record "
                + "\(anchor.location), is not in the archive: it was rolled back or rewritten after \(time)"
            let point = anchor.record.location
            if let found = chains[point], let claimed = anchor.record.point {
                detail += found == claimed.chain
                    ? " (the record it stamps, \(point), is still there)"
                    : " (the record it stamps, \(point), now has another chain value)"
            } else {
                detail += " (the record it stamps, \(point), is gone too)"
            }
            if let claimed = anchor.record.point,
                case .invalid(let reason)? = await verdict(anchor.record.tokenBytes, digest: claimed.anchorDigest,
                                                           tsa: anchor.record.tsa)
            {
                detail += "; its token does not verify: \(reason)"
            }
            report.findings.append(IntegrityFinding(area: "anchors", detail: detail))
        }
        for anchor in self.journaled where !copied.contains(anchor.location) {
            report.warnings.append("anchor record \(anchor.location) has no copy in \(AnchorCopies.folderName)/ "
                + "(a crash after journaling it, or the copy was deleted)")
        }
    }

    /// A witness file: signed by a seal key of the archive, its point still in the chain, its tokens valid.
    private func check(_ file: WitnessFile, sealKeys: Set<String>, chains: [RecordLocation: [UInt8]],
                       into report: inout AnchorReport) async
    {
        let witness = file.witness
        let name = "witness \(file.name) (made \(witness.time))"
        var holds = true
        if !sealKeys.contains(witness.key.lowercased()) {
            holds = false
            report.findings.append(IntegrityFinding(
                area: "witness", detail: "\(name) is of archive key \(witness.key), not of this archive's "
                    + "(\(sealKeys.sorted().joined(separator: ", ")))"))
        } else if !(ArchivePublicKey(hex: witness.key).map(witness.isSigned(by:)) ?? false) {
            holds = false
            report.findings.append(IntegrityFinding(
                area: "witness", detail: "\(name) is not signed by the archive key: it was altered or made elsewhere"))
        }
        let location = witness.location
        if let found = chains[location] {
            if Hex.string(found) != witness.chain.lowercased() {
                holds = false
                report.findings.append(IntegrityFinding(
                    area: "witness", detail: "\(name) names record \(location) with chain \(witness.chain), but the "
                        + "archive has \(Hex.string(found)) there: its history up to that record was rewritten after "
                        + witness.time))
            }
        } else {
            holds = false
            report.findings.append(IntegrityFinding(
                area: "witness", detail: "\(name) names record \(location) with chain \(witness.chain), which the "
                    + "archive no longer has: it was rolled back, or its history rewritten, after \(witness.time)"))
        }
        for anchor in witness.anchors {
            let stampName = "\(name): its time stamp of \(anchor.genTime) by \(anchor.tsa)"
            guard let digest = Hex.bytes(anchor.digest), digest.count == 32 else {
                holds = false
                report.findings.append(IntegrityFinding(area: "witness", detail: "\(stampName) names no valid digest"))
                continue
            }
            if let found = chains[anchor.stamped],
                ChainPoint(location: anchor.stamped, chain: found).anchorDigest != digest
            {
                holds = false
                report.findings.append(IntegrityFinding(
                    area: "witness", detail: "\(stampName) vouches for record \(anchor.stamped) with another chain "
                        + "value than the archive has there"))
            } else if chains[anchor.stamped] == nil {
                holds = false
                report.findings.append(IntegrityFinding(
                    area: "witness", detail: "\(stampName) vouches for record \(anchor.stamped), which the archive "
                        + "no longer has"))
            }
            if case .invalid(let reason)? = await verdict(Data(base64Encoded: anchor.token).map(Array.init), digest: digest,
                                                          tsa: anchor.tsa)
            {
                holds = false
                report.findings.append(IntegrityFinding(area: "witness", detail: "\(stampName): \(reason)"))
            }
        }
        if holds {
            report.witnesses.append("\(file.name): record \(location) of \(witness.time) (\(witness.records) records, "
                + "\(witness.anchors.count) time stamp(s)) is in the chain with the same value")
        }
    }

    private func verdict(_ token: [UInt8]?, digest: [UInt8], tsa: String) async -> AnchorTokenVerdict? {
        guard let checker = input?.tokens else { return nil }
        guard let token else { return .invalid("the token is not base64") }
        return await checker.check(token: token, stamping: digest, askedFrom: tsa)
    }

    /// `3h 20m`, `2d 4h`, `45s`: an age for a report.
    static func age(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 86_400 { return "\(total / 86_400)d \(total % 86_400 / 3600)h" }
        if total >= 3600 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        if total >= 60 { return "\(total / 60)m \(total % 60)s" }
        return "\(total)s"
    }
}
