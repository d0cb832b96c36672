#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import StoreModel

/// `DATA/anchors/`: a copy of every time stamp the archive journals (event kind `.anchor`), kept
/// outside the segments, so that the tokens can be handed on (`tresor anchor export`, the daily
/// witness mail) and read without scanning the archive, and so that an archive put back to an
/// older copy, or rewritten, disagrees with them.
///
/// Per anchor, named after the token's genTime and the location of the anchor record (names sort
/// by time and never collide):
/// ```
/// DATA/anchors/20260105T120000Z-3-1048576.tsr    the token, the exact DER the TSA sent
///                                                 (`openssl ts -verify -in F -token_in …`)
/// DATA/anchors/20260105T120000Z-3-1048576.json   the JournaledAnchor (record location + record)
/// ```
/// Invariant: a copy is written only after its anchor record is durable (a temporary file,
/// fsynced, renamed, then the folder fsynced), so it never names a record the archive did not
/// have. A copy whose record is gone, or whose stamped point the chain no longer holds with the
/// same value, is evidence of a rollback or a rewritten history; a record without a copy is
/// only a crash between the two writes (or a deleted copy).
public enum AnchorCopies {
    public static let folderName = "anchors"

    public static func folder(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent(folderName, isDirectory: true)
    }

    /// `20260105T120000Z-3-1048576`: the genTime to the second, and the anchor record's location.
    public static func baseName(of anchor: JournaledAnchor) -> String {
        let time = Timestamp.string(anchor.record.genTime).filter { $0 != "-" && $0 != ":" }
        return "\(time)-\(anchor.location.segment)-\(anchor.location.offset)"
    }

    /// Writes the copies of journaled anchors (the caller journaled them first).
    public static func write(_ anchors: [JournaledAnchor], dataDirectory: URL) throws(ArchiveError) {
        guard !anchors.isEmpty else { return }
        let folder = folder(in: dataDirectory)
        try FileIO.makeDirectory(folder, mode: 0o755)
        for anchor in anchors {
            let base = folder.appendingPathComponent(baseName(of: anchor)).path
            if let token = anchor.record.tokenBytes { try writeDurably(base + ".tsr", token) }
            try writeDurably(base + ".json", anchor.encoded())
        }
        try FileIO.syncDirectory(folder.path)
    }

    /// What `DATA/anchors/` holds, in the order of the anchor records (a missing folder holds
    /// nothing). A `.json` file that does not decode is listed by name in `unreadable`.
    public static func read(dataDirectory: URL) throws(ArchiveError) -> Listing {
        let folder = folder(in: dataDirectory)
        guard FileIO.exists(folder.path) else { return Listing() }
        var listing = Listing()
        for name in try FileIO.listDirectory(folder.path).sorted() where name.hasSuffix(".json") {
            let bytes = try FileIO.readAll(path: folder.appendingPathComponent(name).path)
            if let anchor = JournaledAnchor.decode(bytes) {
                listing.copies.append(Copy(file: folderName + "/" + name, anchor: anchor))
            } else {
                listing.unreadable.append(folderName + "/" + name)
            }
        }
        listing.copies.sort { $0.anchor.location < $1.anchor.location }
        return listing
    }

    /// `DATA/anchors/witness-mailed`: the UTC day (`2026-01-05`) the server last mailed a witness,
    /// so that a restart does not mail it twice in a day.
    public static let witnessMailedFileName = "witness-mailed"

    /// The day the last witness mail went out; nil when none did (or the file is unreadable).
    public static func witnessMailedDay(dataDirectory: URL) -> String? {
        let path = folder(in: dataDirectory).appendingPathComponent(witnessMailedFileName).path
        guard FileIO.exists(path), let bytes = try? FileIO.readAll(path: path) else { return nil }
        let day = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
        return day.isEmpty ? nil : day
    }

    public static func noteWitnessMailed(day: String, dataDirectory: URL) throws(ArchiveError) {
        let folder = folder(in: dataDirectory)
        try FileIO.makeDirectory(folder, mode: 0o755)
        try writeDurably(folder.appendingPathComponent(witnessMailedFileName).path, Array((day + "\n").utf8))
        try FileIO.syncDirectory(folder.path)
    }

    public struct Copy: Sendable, Hashable {
        /// The file, relative to the data directory (`anchors/….json`).
        public var file: String
        public var anchor: JournaledAnchor
    }

    public struct Listing: Sendable {
        public var copies: [Copy] = []
        public var unreadable: [String] = []
    }

    /// A temporary file beside `path`, fsynced, renamed over it (the folder is fsynced by the caller).
    private static func writeDurably(_ path: String, _ bytes: [UInt8]) throws(ArchiveError) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = try FileIO.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        do {
            try FileIO.write(fd, path: temporary, bytes: bytes, at: 0)
            try FileIO.sync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let failure = FileIO.fail("rename", path)
            unlink(temporary)
            throw failure
        }
    }
}
