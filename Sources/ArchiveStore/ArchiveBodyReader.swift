#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

/// Reads message bodies from a data directory's segments without opening the archive as a store:
/// no writer, no lock, no recovery, no file created or changed. For `verify`, which must leave the
/// data directory as it found it, also while a server appends.
public final class ArchiveBodyReader: Sendable {
    private let readers: SegmentReaders
    private let maximumSize: Int

    public init(dataDirectory: URL, maximumMessageSize: Int = ArchiveConfiguration().maximumMessageSize) {
        readers = SegmentReaders(directory: dataDirectory.appendingPathComponent("archive", isDirectory: true).path)
        maximumSize = maximumMessageSize
    }

    deinit { readers.closeAll() }

    /// The raw message of the body record at `location`: inflated, SHA-256 checked, size-capped.
    /// Throws `.purged` for a compacted-away body and `.notABody` for any other record there.
    public func readBody(at location: RecordLocation) throws(ArchiveError) -> [UInt8] {
        let (frame, dictionary) = try readers.frame(at: location)
        if frame.isPurgedStub { throw .purged(location) }
        guard frame.kind == ArchiveRecordKind.body.rawValue else { throw .notABody(location) }
        return try ArchiveStore.bodyBytes(of: frame, dictionary: dictionary, maximumSize: maximumSize,
                                          file: SegmentName.fileName(location.segment), offset: location.offset)
    }
}
