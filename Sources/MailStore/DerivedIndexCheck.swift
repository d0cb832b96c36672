import ArchiveStore
import AttachmentText
import Catalog
import Crypto
import Logging
import MailMessage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `verify` found comparing the catalog's derived index with the archive
/// (`CatalogMessages.compareDerivedRows`).
public struct DerivedIndexReport: Sendable {
    /// Message rows compared.
    public var messages = 0
    public var findings: [DerivedRowFinding] = []
    /// Attachments whose extraction state and text were not compared: their outcome needs
    /// `pdftotext`, which this machine lacks.
    public var attachmentsNotCompared = 0
    /// Message rows delivered after the check started (a server running meanwhile), not compared.
    public var newerRowsSkipped = false
}

/// Derives each message row's expected index entries from the archive — its bytes read back with
/// `ArchiveBodyReader` (nothing opened for writing), its envelopes as `verify` just read and checked
/// them, its attachments read again by the same extractor the background indexer runs — and has
/// the catalog compare them with its rows, in batches in message order.
enum DerivedIndexCheck {
    static let batchSize = 256

    /// `envelopes`: every envelope record the archive holds (not purged), by location, with the
    /// SHA-256 of the body it names. `partiallyPurged`: bodies a purge took some delivery of.
    static func run(catalog: Catalog, dataDirectory: URL, envelopes: [RecordLocation: (sha256: String, envelope: Envelope)],
                    partiallyPurged: Set<String>, extractor: AttachmentExtractor = AttachmentExtractor())
        async throws -> DerivedIndexReport
    {
        var bySHA: [String: [RecordLocation: Envelope]] = [:]
        for (location, entry) in envelopes { bySHA[entry.sha256, default: [:]][location] = entry.envelope }
        let state = try await catalog.messages.derivedIndexState()
        let reader = ArchiveBodyReader(dataDirectory: dataDirectory)
        var report = DerivedIndexReport()
        var after: Int64 = 0
        while true {
            let rows = try await catalog.messages.messageRowsToCheck(
                after: after, through: state.lastRow, attachmentsReadThrough: state.attachmentsReadThrough, limit: batchSize)
            guard let last = rows.last else { break }
            after = last.row
            let read = await ParallelChunks.map(rows) { row in Self.readMessage(row, reader: reader) }
            var sources: [DerivedSource] = []
            var readings: [(index: Int, row: IndexedMessageRow, message: Message)] = []
            for (row, result) in zip(rows, read) {
                switch result {
                case .unreadable(let finding): report.findings.append(finding)
                case .read(let message): readings.append((sources.count, row, message))
                    sources.append(DerivedSource(row: row.row, sha256: row.sha256, message: message,
                                                 envelopes: bySHA[row.sha256] ?? [:],
                                                 envelopesComplete: !partiallyPurged.contains(row.sha256), attachments: nil))
                }
            }
            for reading in readings where reading.row.attachmentsRead {
                let derived = await Self.attachments(of: reading.row, message: reading.message, extractor: extractor)
                if !derived.outcomesKnown { report.attachmentsNotCompared += derived.records.count }
                sources[reading.index].attachments = derived
            }
            report.findings += try await catalog.messages.compareDerivedRows(sources, state: state)
            report.messages += rows.count
        }
        return report
    }

    /// The archived message a row names, or the finding that it cannot be that message.
    enum Reading: Sendable {
        case read(Message)
        case unreadable(DerivedRowFinding)
    }

    static func readMessage(_ row: IndexedMessageRow, reader: ArchiveBodyReader) -> Reading {
        func finding(_ detail: String) -> Reading {
            .unreadable(DerivedRowFinding(sha256: row.sha256, row: row.row, table: "message", detail: detail))
        }
        let raw: [UInt8]
        do {
            raw = try reader.readBody(at: row.body)
        } catch {
            return finding("names body record \(row.body), which cannot be read: \(error)")
        }
        let sha256 = Hex.string(SHA256.hash(data: raw))
        guard sha256 == row.sha256.lowercased() else {
            return finding("names body record \(row.body), which holds message \(sha256)")
        }
        return .read(Message(parsing: raw))
    }

    /// A reading of the message's attachments as the indexer makes it. Without `pdftotext` here, a
    /// PDF's outcome (and a ZIP's, which may hold PDFs) cannot be derived: the reading then says
    /// its outcomes are not known, and only names, types and sizes are compared.
    static func attachments(of row: IndexedMessageRow, message: Message, extractor: AttachmentExtractor) async
        -> DerivedAttachments
    {
        var quiet = Logger(label: "tresor.verify")
        quiet.logLevel = .critical
        let reading = await DeliveryPipeline.reading(FullTextSource(row: row.row, message: message), extractor: extractor,
                                                     logger: quiet)
        let needsTool = reading.attachments.contains { record in
            record.state == UnextractedReason.toolMissing.rawValue || record.mediaType.lowercased().contains("zip")
                || (record.fileName?.lowercased().hasSuffix(".zip") ?? false)
        }
        return DerivedAttachments(records: reading.attachments, text: reading.text,
                                  outcomesKnown: extractor.pdf.isAvailable || !needsTool)
    }
}
