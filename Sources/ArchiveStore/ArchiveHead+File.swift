#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StoreModel

extension ArchiveHead {
    /// The file's bytes.
    var encoded: [UInt8] {
        var out = ArchiveHead.magic
        out.appendBigEndian(UInt16(1))
        out.append(contentsOf: signedBytes.dropFirst(ArchiveHead.label.count))
        out.append(contentsOf: signature)
        return out
    }

    /// `DATA/archive/HEAD` of a data directory, or nil when the archive has none yet (never
    /// written to). Throws `.corrupted` when the file is not a HEAD, `.io` when it is unreadable.
    public static func read(dataDirectory: URL) throws(ArchiveError) -> ArchiveHead? {
        let path = dataDirectory.appendingPathComponent("archive", isDirectory: true)
            .appendingPathComponent(fileName).path
        guard FileIO.exists(path) else { return nil }
        guard let head = ArchiveHead(file: try FileIO.readAll(path: path)) else {
            throw .corrupted(file: fileName, offset: 0, reason: "HEAD does not decode")
        }
        return head
    }
}
