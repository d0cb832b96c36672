#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ZIPFoundation

/// A ZIP file (PKWARE APPNOTE 6.3.x) read within `ExtractionLimits`: Office Open XML and
/// OpenDocument files are ZIP containers, and so are `.zip` attachments. Before ZIPFoundation
/// opens it, the central directory is read here to count members and find encrypted ones
/// (general purpose bit 0, APPNOTE §4.4.4), which ZIPFoundation silently stops listing at. Every
/// member is expanded through a consumer that stops at the limits, whatever sizes the directory
/// announces, so a ZIP bomb costs at most the limit in memory and time.
final class ZipContainer {
    let archive: Archive
    let limits: ExtractionLimits
    let deadline: Deadline?
    /// Bytes expanded so far from this container, against `maximumUncompressedBytes`.
    private(set) var expanded = 0
    /// The files of the container (directories and links left out), in directory order.
    let members: [Entry]

    init(_ bytes: [UInt8], limits: ExtractionLimits, deadline: Deadline?) throws(ExtractionStop) {
        let directory = try CentralDirectory(bytes)
        guard directory.count <= limits.maximumMembers else { throw ExtractionStop(reason: .tooLarge) }
        guard !directory.hasEncryptedMember else { throw ExtractionStop(reason: .encrypted) }
        guard let archive = try? Archive(data: Data(bytes), accessMode: .read, pathEncoding: nil) else {
            throw ExtractionStop(reason: .broken)
        }
        self.archive = archive
        self.limits = limits
        self.deadline = deadline
        var members: [Entry] = []
        for entry in archive where entry.type == .file {
            members.append(entry)
            if members.count > limits.maximumMembers { throw ExtractionStop(reason: .tooLarge) }
        }
        self.members = members
    }

    /// The member at `path`, if any.
    func member(_ path: String) -> Entry? { members.first { $0.path == path } }

    /// Members whose paths match, sorted by path with numbers in order (`slide2` before `slide10`).
    func members(where predicate: (String) -> Bool) -> [Entry] {
        members.filter { predicate($0.path) }.sorted { Self.naturalKey($0.path) < Self.naturalKey($1.path) }
    }

    /// A path split at its last run of digits, so that `slide2.xml` sorts before `slide10.xml`.
    static func naturalKey(_ path: String) -> NaturalKey {
        let scalars = Array(path.unicodeScalars)
        guard let lastDigit = scalars.lastIndex(where: { ("0"..."9").contains($0) }) else {
            return NaturalKey(stem: path, number: -1, rest: "")
        }
        var first = lastDigit
        while first > 0, ("0"..."9").contains(scalars[first - 1]) { first -= 1 }
        var stem = String.UnicodeScalarView(), rest = String.UnicodeScalarView()
        stem.append(contentsOf: scalars[..<first])
        rest.append(contentsOf: scalars[(lastDigit + 1)...])
        let digits = String(String.UnicodeScalarView(scalars[first...lastDigit]))
        return NaturalKey(stem: String(stem), number: Int(digits.prefix(18)) ?? 0, rest: String(rest))
    }

    struct NaturalKey: Comparable {
        let stem: String
        let number: Int
        let rest: String

        static func < (lhs: NaturalKey, rhs: NaturalKey) -> Bool {
            (lhs.stem, lhs.number, lhs.rest) < (rhs.stem, rhs.number, rhs.rest)
        }
    }

    /// A member's bytes, expanded within the limits: the announced size and ratio are checked first,
    /// then the bytes actually produced (announcements can lie).
    func read(_ entry: Entry) throws(ExtractionStop) -> [UInt8] {
        try deadline?.check()
        let announced = entry.uncompressedSize
        let compressed = max(entry.compressedSize, 1)
        let room = limits.maximumUncompressedBytes - expanded
        guard announced <= UInt64(max(room, 0)) else { throw ExtractionStop(reason: .tooLarge) }
        guard announced / compressed <= UInt64(limits.maximumCompressionRatio) || announced < 1 << 16 else {
            throw ExtractionStop(reason: .tooLarge)
        }
        var bytes: [UInt8] = []
        let cap = min(room, Int(announced) + 1)
        let ratioCap = max(Int(min(compressed, UInt64(Int.max / 2))) * limits.maximumCompressionRatio, 1 << 16)
        let deadline = self.deadline
        do {
            _ = try archive.extract(entry, bufferSize: 64 << 10, skipCRC32: false) { chunk in
                guard bytes.count + chunk.count <= min(cap, ratioCap) else { throw ExtractionStop(reason: .tooLarge) }
                bytes.append(contentsOf: chunk)
                try deadline?.check()
            }
        } catch let stop as ExtractionStop {
            throw stop
        } catch {
            throw ExtractionStop(reason: .broken)
        }
        expanded += bytes.count
        return bytes
    }
}

/// The end of central directory record and the central directory headers (APPNOTE §4.3.12,
/// §4.3.16, ZIP64 §4.3.14–15), read only for what ZIPFoundation does not say: how many members
/// there are and whether any is encrypted.
struct CentralDirectory {
    let count: Int
    let hasEncryptedMember: Bool

    init(_ bytes: [UInt8]) throws(ExtractionStop) {
        // The record is 22 bytes plus a comment of up to 65535.
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var position = bytes.count - 22
        var found: Int?
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06 {
                found = position
                break
            }
            position -= 1
        }
        guard let end = found else { throw ExtractionStop(reason: .broken) }
        var entries = Int(Self.uint16(bytes, end + 10))
        var offset = Int(Self.uint32(bytes, end + 16))
        // ZIP64: the locator sits 20 bytes before the record and points at the ZIP64 record.
        if (entries == 0xFFFF || offset == 0xFFFF_FFFF), end >= 20,
           Self.uint32(bytes, end - 20) == 0x0706_4B50 {
            let record = Int(clamping: Self.uint64(bytes, end - 12))
            guard record >= 0, record + 56 <= bytes.count, Self.uint32(bytes, record) == 0x0606_4B50 else {
                throw ExtractionStop(reason: .broken)
            }
            entries = Int(clamping: Self.uint64(bytes, record + 32))
            offset = Int(clamping: Self.uint64(bytes, record + 48))
        }
        var encrypted = false
        var seen = 0
        // Walks the headers as far as they are there; a count beyond them is the archive's claim.
        while seen < entries, offset >= 0, offset + 46 <= bytes.count, Self.uint32(bytes, offset) == 0x0201_4B50 {
            if Self.uint16(bytes, offset + 8) & 1 != 0 { encrypted = true }
            offset += 46 + Int(Self.uint16(bytes, offset + 28)) + Int(Self.uint16(bytes, offset + 30))
                + Int(Self.uint16(bytes, offset + 32))
            seen += 1
        }
        count = entries
        hasEncryptedMember = encrypted
    }

    static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard at >= 0, at + 4 <= bytes.count else { return 0 }
        return UInt32(uint16(bytes, at)) | UInt32(uint16(bytes, at + 2)) << 16
    }

    static func uint64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(uint32(bytes, at)) | UInt64(uint32(bytes, at + 4)) << 32
    }
}
