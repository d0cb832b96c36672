import StoreModel

/// verify's check of the DLP quarantine against the archive. The catalog's `dlp_quarantine` rows
/// are what `tresor quarantine list` shows and what a release acts on; the archive holds what they
/// must agree with: every delivery a DLP rule held (its envelope's placement is `held`), every
/// operator's signed decision (`quarantineDecided`), and every release delivery (source
/// `dlp-release`, detail "quarantine N"). So a row deleted to hide held mail from compliance, a
/// status changed without a signed decision, and quarantined mail sent without a release are each
/// a finding.
enum QuarantineCheck {
    /// `entries`: every catalog row (held and decided); `decisions`: the archive's governance
    /// records; `envelopes`: the archive's delivery records not purged; `purged`: those a purge took.
    static func findings(entries: [QuarantinedMessage], decisions: [(GovernanceRecord, RecordLocation)],
                         envelopes: [RecordLocation: (sha256: String, envelope: Envelope)],
                         purged: Set<RecordLocation>) -> [IntegrityFinding]
    {
        var findings: [IntegrityFinding] = []
        func finding(_ detail: String) { findings.append(IntegrityFinding(area: "quarantine", detail: detail)) }
        // Only the first decision on an entry counts (a second one is refused when it is made).
        var decided: [Int64: (status: String, signer: String, location: RecordLocation)] = [:]
        for (record, location) in decisions where record.hasValidSignature {
            guard case .quarantineDecided(let id, let status, _) = record.action, decided[id] == nil else { continue }
            decided[id] = (status, record.signer, location)
        }
        let listed = Dictionary(entries.map { ($0.envelope, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = Set(entries.map(\.id))
        var heldDeliveries: [String: String] = [:]
        for (location, delivery) in envelopes where delivery.envelope.filterPlacement == .held {
            heldDeliveries["\(location)"] = delivery.sha256
        }
        let purgedText = Set(purged.map { "\($0)" })
        for (location, (sha256, envelope)) in envelopes.sorted(by: { $0.key < $1.key }) {
            if envelope.filterPlacement == .held, listed["\(location)"] == nil {
                finding("archive record \(location) (message \(sha256)) was held by a DLP rule, but the quarantine "
                    + "does not list it: nobody can release or reject it")
            }
            if envelope.source == .other("dlp-release") {
                let id = envelope.sourceDetail.flatMap { Int64($0.replacingOccurrences(of: "quarantine ", with: "")) }
                if id.flatMap({ decided[$0] })?.status != QuarantinedMessage.Status.released.rawValue {
                    finding("archive record \(location) (message \(sha256)) sends quarantined mail "
                        + "(\(envelope.sourceDetail ?? "no quarantine named")) without a signed release")
                }
            }
        }
        for entry in entries {
            let decision = decided[entry.id]
            switch (entry.status, decision) {
            case (.held, let decision?):
                finding("quarantine \(entry.id) is listed as held, but \(decision.signer)'s signed decision "
                    + "(record \(decision.location)) says \(decision.status)")
            case (.held, nil):
                break
            case (let status, nil):
                finding("quarantine \(entry.id) is listed as \(status.rawValue), but no signed decision in the archive says so")
            case (let status, let decision?) where decision.status != status.rawValue:
                finding("quarantine \(entry.id) is listed as \(status.rawValue), but \(decision.signer)'s signed decision "
                    + "(record \(decision.location)) says \(decision.status)")
            case (_, _?):
                break
            }
            // A retention purge may have taken the held delivery since; the entry stays as history.
            if !purgedText.contains(entry.envelope), heldDeliveries[entry.envelope] != entry.sha256.lowercased() {
                finding("quarantine \(entry.id) names archive record \(entry.envelope) (message \(entry.sha256)), "
                    + "which the archive does not hold as a delivery a DLP rule held")
            }
        }
        for (id, decision) in decided.sorted(by: { $0.key < $1.key }) where !ids.contains(id) {
            finding("\(decision.signer)'s signed decision on quarantine \(id) (record \(decision.location)) names an "
                + "entry the quarantine does not list")
        }
        return findings
    }
}
