import ArgumentParser
import Foundation
import MailServer
import MailStore

/// What `tresor verify` needs to check time stamps and witnesses.
struct VerifyAnchorOptions: ParsableArguments {
    @Option(name: .customLong("witness"),
            help: ArgumentHelp("A witness file (`tresor anchor export`, the witness mail) to check the archive against.",
                               valueName: "file"))
    var witnessFiles: [String] = []
    @Option(name: .customLong("tsa-ca"),
            help: ArgumentHelp("A TSA's CA certificate (PEM) to trust besides the configured ones.", valueName: "file"))
    var caFiles: [String] = []

    /// The anchors' side of `MailStore.verify`: the token checker, the witnesses, the interval.
    /// `configuration`: the one the command runs under, whose [[anchor.tsa]] CAs check the stamps.
    func verification(_ configuration: TresorConfiguration) throws -> AnchorVerification {
        let checker: AnchorTokenVerifier
        do {
            checker = try AnchorTokenVerifier(settings: configuration.anchor.authorities,
                                              extraCAFiles: caFiles.map { URL(fileURLWithPath: $0) })
        } catch {
            throw CommandError("\(error)")
        }
        var witnesses: [WitnessFile] = []
        for file in witnessFiles {
            guard let bytes = FileManager.default.contents(atPath: file) else {
                throw CommandError("cannot read the witness file \(file)")
            }
            do {
                witnesses.append(WitnessFile(name: file, witness: try Witness.decode(Array(bytes))))
            } catch {
                throw CommandError("\(file) is no witness file: \(error)")
            }
        }
        return AnchorVerification(tokens: checker, witnesses: witnesses, interval: configuration.anchor.interval,
                                  expectsAnchors: !configuration.anchor.authorities.isEmpty, now: Date())
    }
}

extension VerifyCommand {
    /// The time stamps (per TSA: how many, first and newest, who signed), the copies, the witnesses
    /// that hold and the warnings; the findings are printed with the others. With `verbose`, every
    /// stamp.
    static func printAnchors(_ report: AnchorReport, verbose: Bool) {
        guard !report.anchors.isEmpty || report.copies > 0 || !report.witnesses.isEmpty || !report.warnings.isEmpty
        else { return }
        var line = "anchors:    \(report.anchors.count) time stamp(s), \(report.copies) cop\(report.copies == 1 ? "y" : "ies") "
            + "in anchors/ compared"
        if let since = report.recordsSinceNewest { line += "; \(since) record(s) after the newest stamped point" }
        print(line)
        var byTSA: [String: [CheckedAnchor]] = [:]
        for anchor in report.anchors { byTSA[anchor.anchor.record.tsa, default: []].append(anchor) }
        for (tsa, anchors) in byTSA.sorted(by: { $0.key < $1.key }) {
            let times = anchors.map(\.anchor.record.genTime)
            let verified = anchors.filter { if case .valid? = $0.verdict { true } else { false } }.count
            var authorities = Set<String>()
            for anchor in anchors { if case .valid(_, let authority)? = anchor.verdict { authorities.insert(authority) } }
            print("  TSA \(tsa): \(anchors.count) stamp(s) from \(Timestamp.string(times.min()!)) to "
                  + "\(Timestamp.string(times.max()!)), \(verified) token(s) verified"
                  + (authorities.isEmpty ? "" : " (signed by \(authorities.sorted().joined(separator: "; ")))"))
            if verbose {
                for anchor in anchors {
                    let state = switch anchor.verdict {
                    case .valid?: anchor.pointHolds ? "ok" : "POINT CHANGED"
                    case .invalid?: "TOKEN INVALID"
                    case nil: anchor.pointHolds ? "point ok, token not checked" : "POINT CHANGED"
                    }
                    print("    \(Timestamp.string(anchor.anchor.record.genTime)) record \(anchor.anchor.location) "
                          + "stamps \(anchor.anchor.record.location): \(state)")
                }
            }
        }
        for witness in report.witnesses { print("witness:    \(witness)") }
        for warning in report.warnings { print("WARNING \(warning)") }
    }
}
