#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where verification failed: the first bad segment file and byte offset, and why.
public struct VerificationProblem: Sendable, Hashable, CustomStringConvertible {
    /// File name relative to `DATA/archive/` (or `DATA/keys/` for a missing key).
    public var file: String
    public var segment: UInt32
    public var offset: UInt64
    public var reason: String

    public init(file: String, segment: UInt32, offset: UInt64, reason: String) {
        self.file = file
        self.segment = segment
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(file) (segment \(segment)) at byte \(offset): \(reason)" }
}

public struct VerificationReport: Sendable {
    public var segments = 0
    public var sealedSegments = 0
    /// Every record, seals included.
    public var records = 0
    public var bodies = 0
    public var envelopes = 0
    public var events = 0
    /// Hex chain value after the last record checked.
    public var chainHead = ""
    /// The root of the chain of keys: the key the archive was created with (its genesis value).
    public var publicKeyHex = ""
    /// The chain of seal keys as far as it was checked: the root and every key rotation, in archive
    /// order (the seals and HEAD after a rotation are checked with its key).
    public var sealKeys: SealKeyChain?
    /// Segments rewritten by purges (format version 2) and the stubs they hold.
    public var compactedSegments = 0
    public var purgedRecords = 0
    /// Every purge record, in archive order.
    public var purges: [VerifiedPurge] = []
    public var problem: VerificationProblem?
    public var isValid: Bool { problem == nil }

    public init() {}
}

/// One purge record as `verify` found it.
public struct VerifiedPurge: Sendable, Hashable {
    public var location: RecordLocation
    public var record: PurgeRecord
    /// How many of the records it names are stubs now (the rest await their compaction).
    public var stubsFound: Int

    public init(location: RecordLocation, record: PurgeRecord, stubsFound: Int) {
        self.location = location
        self.record = record
        self.stubsFound = stubsFound
    }
}

