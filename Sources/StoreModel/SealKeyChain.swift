/// The chain of keys that seal one archive: the key it was created with (the root, which its
/// genesis chain value names) and every key-rotation record after it, in archive order. At each
/// point of the archive one key is in effect — the root, or the new key of the last rotation
/// before that point — and every seal and HEAD there must be signed by it.
///
/// A rotation record is signed by both the key it hands over from and the key it hands over to,
/// and binds the chain value before it, so the keys of an archive form a chain that nobody can
/// extend without the private key in effect, nor splice into another archive.
public struct SealKeyChain: Sendable, Hashable {
    /// The key the archive was created with.
    public private(set) var root: ArchivePublicKey
    /// Every key rotation, in archive order.
    public private(set) var rotations: [VerifiedKeyRotation] = []

    public init(root: ArchivePublicKey) {
        self.root = root
    }

    /// The key in effect after the last rotation: the one that seals new records.
    public var current: ArchivePublicKey {
        rotations.last.flatMap { ArchivePublicKey(hex: $0.record.new) } ?? root
    }

    /// Every key of the chain, oldest first.
    public var keys: [ArchivePublicKey] {
        [root] + rotations.compactMap { ArchivePublicKey(hex: $0.record.new) }
    }

    /// The keys someone who trusts `pinned` trusts: each pinned key of the chain and every key
    /// rotated to after it, since the key in effect signed each hand-over. Empty when no pinned
    /// key is in the chain.
    public func keys(reachableFrom pinned: some Sequence<ArchivePublicKey>) -> [ArchivePublicKey] {
        let pins = Set(pinned)
        let all = keys
        guard let first = all.firstIndex(where: pins.contains) else { return [] }
        return Array(all[first...])
    }

    /// Appends the rotation `record`, found at `location` after the chain value `previousChain`;
    /// nil when it continues the chain, else why not (nothing is changed then).
    public mutating func apply(_ record: KeyRotationRecord, at location: RecordLocation, previousChain: [UInt8])
        -> String?
    {
        if let problem = record.problem(previousChain: previousChain, current: current) { return problem }
        rotations.append(VerifiedKeyRotation(location: location, record: record))
        return nil
    }

    /// A chain whose first rotation is `record`: its root is the key that record hands over from.
    /// Nil, with the reason, when the record does not hand over validly.
    public static func starting(with record: KeyRotationRecord, at location: RecordLocation, previousChain: [UInt8])
        -> Result<SealKeyChain, KeyRotationProblem>
    {
        guard let old = ArchivePublicKey(hex: record.old) else {
            return .failure(KeyRotationProblem(reason: "key rotation names a key that is not an Ed25519 public key"))
        }
        var chain = SealKeyChain(root: old)
        if let problem = chain.apply(record, at: location, previousChain: previousChain) {
            return .failure(KeyRotationProblem(reason: problem))
        }
        return .success(chain)
    }
}

/// Why a key-rotation record does not continue the chain of keys.
public struct KeyRotationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
