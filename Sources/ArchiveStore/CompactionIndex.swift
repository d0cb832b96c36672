import StoreModel
/// The offset table of a compacted segment (format version 2; layout in ArchiveStore.swift).
/// Records keep their LOGICAL offsets — the byte offsets they had before any compaction, which
/// catalog rows and envelopes name — and the table maps each record's logical offset to where its
/// frame now is. Entries are in record order; both columns strictly increase.
///
/// Trailer, the last 28 bytes of the file: table offset u64 | entry count u64 | CRC-32 u32 of the
/// table and the two fields before it | magic "TRESORCT".
struct CompactionIndex: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var logical: UInt64
        var physical: UInt64
    }

    static let magic = Array("TRESORCT".utf8)
    static let trailerSize = 8 + 8 + 4 + 8
    static let entrySize = 16

    struct Problem: Error, ExpressibleByStringLiteral {
        var reason: String
        init(stringLiteral reason: String) { self.reason = reason }
    }

    var entries: [Entry]
    /// Where the table starts: the end of the last frame.
    var tableOffset: UInt64

    /// The physical offset of the record at `logical`, nil when no record starts there.
    func physical(forLogical logical: UInt64) -> UInt64? {
        position(ofLogical: logical).map { entries[$0].physical }
    }

    func position(ofLogical logical: UInt64) -> Int? {
        var low = 0, high = entries.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if entries[middle].logical == logical { return middle }
            if entries[middle].logical < logical { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    /// Table and trailer, appended after the last frame at `tableOffset`.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * Self.entrySize + Self.trailerSize)
        for entry in entries {
            out.appendBigEndian(entry.logical)
            out.appendBigEndian(entry.physical)
        }
        out.appendBigEndian(tableOffset)
        out.appendBigEndian(UInt64(entries.count))
        out.appendBigEndian(crc32Of(out))
        out.append(contentsOf: Self.magic)
        return out
    }

    /// Reads the trailer and table of a compacted segment file; the string says what is wrong.
    static func read(fd: Int32, path: String, fileSize: UInt64) throws(ArchiveError) -> Result<CompactionIndex, Problem> {
        guard fileSize >= UInt64(SegmentHeader.size + trailerSize) else { return .failure("offset table trailer missing") }
        let trailer = try FileIO.read(fd, path: path, offset: fileSize - UInt64(trailerSize), count: trailerSize)
        guard trailer.count == trailerSize, Array(trailer[20...]) == magic else {
            return .failure("offset table trailer missing or damaged")
        }
        var reader = ByteReader(trailer)
        let tableOffset = reader.read(UInt64.self)!
        let count = reader.read(UInt64.self)!
        let crc = reader.read(UInt32.self)!
        guard tableOffset >= UInt64(SegmentHeader.size), count <= (fileSize - tableOffset) / UInt64(entrySize),
            tableOffset + count * UInt64(entrySize) + UInt64(trailerSize) == fileSize
        else { return .failure("offset table trailer names an impossible table") }
        let table = try FileIO.read(fd, path: path, offset: tableOffset, count: Int(count) * entrySize)
        guard crc32Of(table + Array(trailer[0..<16])) == crc else { return .failure("offset table CRC mismatch") }
        struct Problem: Error, ExpressibleByStringLiteral {
        var reason: String
        init(stringLiteral reason: String) { self.reason = reason }
    }

    var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        var fields = ByteReader(table)
        for _ in 0..<count {
            let entry = Entry(logical: fields.read(UInt64.self)!, physical: fields.read(UInt64.self)!)
            if let last = entries.last, entry.logical <= last.logical || entry.physical <= last.physical {
                return .failure("offset table is not in record order")
            }
            entries.append(entry)
        }
        return .success(CompactionIndex(entries: entries, tableOffset: tableOffset))
    }
}
