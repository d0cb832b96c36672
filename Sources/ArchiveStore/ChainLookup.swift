#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

extension ArchiveVerifier {
    /// The chain value after each record that starts at one of `locations`, read from the files
    /// alone (no key, no lock, nothing opened for writing), for checks that learn which points of
    /// the chain they need only after `verify` passed them (an anchor names a point before itself).
    ///
    /// Each segment holding a wanted location is scanned from its first record up to the last
    /// wanted offset, so only a real record boundary answers — never bytes inside a record (a
    /// message stored as it is may contain anything) that happen to look like a frame. A location
    /// that is no record boundary, or whose segment is missing or unreadable up to it, is absent
    /// from the result; the scan trusts the frames `verify` checked just before (CRC and chain).
    public static func chainValues(dataDirectory: URL, at locations: Set<RecordLocation>) -> [RecordLocation: [UInt8]] {
        let directory = dataDirectory.appendingPathComponent("archive", isDirectory: true).path
        var found: [RecordLocation: [UInt8]] = [:]
        let bySegment = Dictionary(grouping: locations, by: \.segment)
        for (segment, wanted) in bySegment.sorted(by: { $0.key < $1.key }) {
            let offsets = Set(wanted.map(\.offset))
            guard let last = offsets.max(),
                var scanner = try? SegmentScanner(path: directory + "/" + SegmentName.fileName(segment))
            else { continue }
            scan: while true {
                guard case .record(let record)? = try? scanner.next(checkCRC: false), record.offset <= last else {
                    break scan
                }
                if offsets.contains(record.offset) {
                    found[RecordLocation(segment: segment, offset: record.offset)] = record.frame.chain
                }
            }
        }
        return found
    }
}
