#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Events are records too: the archive journals them in the chain like deliveries.
/// The payload is opaque to the archive (callers give JSON bytes).
public enum ArchiveEventKind: UInt8, Sendable, Codable, CaseIterable {
    case audit = 1
    case purge = 2
    case export = 3
    case hold = 4
    case retention = 5
    /// A change of what governs the record (protection settings; see `ProtectionChange`).
    case governance = 6
    /// An RFC 3161 time stamp of a point of the chain, by a Time-Stamping Authority outside the
    /// machine (see `AnchorRecord`). Anchors are not counted as the archive moving: stamping one
    /// never makes the next stamp due (`ArchiveTip.lastNonAnchor`).
    case anchor = 7
    /// The seal key changed: the old key hands over to a new one (see `KeyRotationRecord`).
    case keyRotation = 8
}
