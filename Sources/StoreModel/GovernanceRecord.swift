import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A change to what governs the record — an operator added or revoked, a legal hold or a
/// restriction of processing placed or released, the private-mail rule set, a locked retention policy recorded or forgotten, a purge plan made or decided, a purge
/// ordered, a protection setting changed or proposed — journaled in the archive (an event of kind
/// governance) and signed with the acting operator's Ed25519 key, or with the archive's seal key
/// for what the server does by itself ("system": only changes that keep more, see
/// `GovernanceState.refusal(of:)`). The catalog's tables are a cache of these records; `reindex`
/// rebuilds them.
///
/// The signature covers "tresor-governance-v1\n" followed by the record's canonical JSON (sorted
/// keys, no escaped slashes, dates in milliseconds since 1970) with `signature` empty.
public struct GovernanceRecord: Sendable, Hashable, Codable {
    public var version = 1
    /// The operator's name, or "system" for the archive's seal key.
    public var signer: String
    /// Hex of the signer's Ed25519 public key.
    public var key: String
    public var at: Date
    public var action: GovernanceAction
    /// Hex Ed25519 signature.
    public var signature: String

    public static let systemSigner = "system"
    static let label = Array("tresor-governance-v1\n".utf8)

    public init(signer: String, key: String, at: Date, action: GovernanceAction, signature: String = "") {
        self.signer = signer
        self.key = key
        self.at = at
        self.action = action
        self.signature = signature
    }

    /// What the signature covers.
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = ""
        return Self.label + unsigned.canonicalJSON()
    }

    /// Whether `signature` is `key`'s signature of `signedBytes`.
    public var hasValidSignature: Bool {
        guard let raw = Hex.bytes(key), let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let signature = Hex.bytes(signature)
        else { return false }
        return publicKey.isValidSignature(signature, for: signedBytes)
    }

    public func canonicalJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return Array((try? encoder.encode(self)) ?? Data())
    }

    public static func decode(_ bytes: [UInt8]) -> GovernanceRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(GovernanceRecord.self, from: Data(bytes))
    }

    /// "operator:alice" or "system".
    public var signerDescription: String {
        signer == Self.systemSigner ? "system (seal key)" : "operator:\(signer)"
    }
}

/// An operator as the chain records them.
public struct OperatorRecord: Sendable, Hashable, Codable {
    public var name: String
    public var role: OperatorRole
    /// Hex of the Ed25519 public key.
    public var publicKey: String

    public init(name: String, role: OperatorRole, publicKey: String) {
        self.name = name
        self.role = role
        self.publicKey = publicKey
    }

    /// The first 16 hex digits of the SHA-256 of the key, for people to compare.
    public var fingerprint: String {
        Hex.string(SHA256.hash(data: Hex.bytes(publicKey) ?? [])).prefix(16).description
    }
}

/// A locked policy's version as the chain records it (`RetentionLockRecord` without the catalog's
/// bookkeeping is the same fields).
public struct LockedPolicyVersion: Sendable, Hashable, Codable {
    public var policy: String
    public var match: String
    public var retain: String
    public var countFrom: String
    public var action: String
    public var file: String

    public init(_ record: RetentionLockRecord) {
        policy = record.policy
        match = record.match
        retain = record.retain
        countFrom = record.countFrom
        action = record.action
        file = record.file
    }

    public func record(at time: Date) -> RetentionLockRecord {
        RetentionLockRecord(policy: policy, match: match, retain: retain, countFrom: countFrom, action: action, file: file,
                            recordedAt: time)
    }
}

/// A purge plan as the chain records it: who made it against which state, and every item.
public struct PlanVersion: Sendable, Hashable, Codable {
    public var id: String
    public var asOf: Date
    public var archiveState: String
    public var policyFingerprint: String
    public var items: [PurgeItem]

    public init(_ plan: PurgePlanRecord) {
        id = plan.id
        asOf = plan.asOf
        archiveState = plan.archiveState
        policyFingerprint = plan.policyFingerprint
        items = plan.items
    }
}

/// What one governance record does.
public enum GovernanceAction: Sendable, Hashable, Codable {
    case operatorAdded(OperatorRecord)
    case operatorRevoked(name: String, reason: String)
    case holdPlaced(name: String, query: String, reason: String)
    case holdReleased(name: String, reason: String)
    case lockRecorded(LockedPolicyVersion)
    case lockForgotten(policy: String)
    case planMade(PlanVersion)
    /// `executed` (an approval: carried out) or `expired`.
    case planDecided(id: String, status: PurgePlanRecord.Status, outcome: String)
    /// A purge without a plan, where no approval is required: the messages, by SHA-256.
    case purgeOrdered(id: String, messages: [String], reason: String)
    case protectionChanged(ProtectionChange)
    case protectionProposed(ProtectionProposal)
    /// A restriction of processing (GDPR Art. 18) placed: its query's messages leave their owners' views.
    case restrictionPlaced(name: String, query: String, reason: String)
    case restrictionReleased(name: String, reason: String)
    /// The private-mail rule from now on (an empty rule: none).
    case privateRuleSet(PrivateMailRule)
    /// An IMAP password for an auditor or compliance operator: the hash only (a PHC string, scrypt).
    /// Signed by the operator themself or by an admin.
    case operatorPasswordSet(name: String, hash: String)
    /// What an auditor or compliance operator may read over IMAP; signed by an admin or a compliance operator.
    case operatorScopeSet(name: String, scope: AuditorScopeDefinition)
    /// A saved search shown as `Searches/SEARCH` (within the scope); signed by the operator, an admin or
    /// a compliance operator.
    case operatorSearchSaved(name: String, search: String, query: String)
    case operatorSearchRemoved(name: String, search: String)
    /// A DLP quarantine decision: the held message `id` is `released` (sent on) or `rejected`
    /// (never sent; its sender told), and why. Signed by an admin or a compliance operator.
    case quarantineDecided(id: Int64, status: String, reason: String)

    /// A short name for findings and the audit trail.
    public var name: String {
        switch self {
        case .operatorAdded: "operator add"
        case .operatorRevoked: "operator revoke"
        case .holdPlaced: "hold add"
        case .holdReleased: "hold release"
        case .lockRecorded: "retention lock"
        case .lockForgotten: "retention lock forget"
        case .planMade: "retention plan"
        case .planDecided: "retention plan decision"
        case .purgeOrdered: "purge order"
        case .protectionChanged: "protection"
        case .protectionProposed: "protection proposal"
        case .restrictionPlaced: "restrict add"
        case .restrictionReleased: "restrict release"
        case .privateRuleSet: "private set"
        case .operatorPasswordSet: "operator passwd"
        case .operatorScopeSet: "operator scope"
        case .operatorSearchSaved: "operator search add"
        case .operatorSearchRemoved: "operator search remove"
        case .quarantineDecided(_, let status, _): status == "released" ? "quarantine release" : "quarantine reject"
        }
    }
}
