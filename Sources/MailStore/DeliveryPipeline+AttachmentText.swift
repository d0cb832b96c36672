import ArchiveStore
import AttachmentText
import Catalog
import Logging
import MailMessage
import StoreModel
import Synchronization

/// The background attachment indexer's work: delivery answers `250` once the message's own text
/// is indexed, and the documents attached to it (PDF, Office, OpenDocument, RTF, ZIP) are read
/// afterwards, here, in archive order (message id), in batches. Where it stopped is in the catalog
/// (`attachments_read_through`), so a restart — after a crash too — picks up at the next message.
extension DeliveryPipeline {
    /// What one `readAttachments` call did.
    public struct AttachmentPass: Sendable, Hashable {
        /// Messages whose attachments were read.
        public var messages = 0
        /// Attachments read, and how many of them ended unextracted.
        public var attachments = 0
        public var unextracted = 0
        /// Messages whose bytes could not be read back from the archive (skipped, logged).
        public var unreadable: [String] = []
    }

    /// Reads the attachments of every message not read yet, in archive order, `batchSize` messages
    /// per catalog transaction; returns when caught up (or after `maximumBatches`). Deliveries go on
    /// meanwhile; a message delivered during the pass is read by it or by the next.
    public func readAttachments(extractor: AttachmentExtractor, batchSize: Int = 16, maximumBatches: Int = .max,
                                progress: (Int) -> Void = { _ in }) async throws(DeliveryError) -> AttachmentPass {
        try await catching {
            var pass = AttachmentPass()
            var batches = 0
            while batches < maximumBatches {
                let batch = try await catalog.messages.attachmentReadingBatch(limit: batchSize)
                guard let last = batch.last else { break }
                batches += 1
                let read = try await Self.readForFullText(batch, archive: archive)
                pass.unreadable += read.unreadable
                var readings: [AttachmentReading] = []
                for source in read.sources {
                    let reading = await Self.reading(source, extractor: extractor, logger: logger)
                    pass.attachments += reading.attachments.count
                    pass.unextracted += reading.attachments.count { !$0.isExtracted }
                    readings.append(reading)
                }
                try await catalog.messages.recordAttachmentReadings(readings, through: last.row)
                pass.messages += readings.count
                progress(pass.messages)
            }
            for sha256 in pass.unreadable {
                logger.error("attachment index: message unreadable in the archive, attachments not read",
                             metadata: ["sha256": "\(sha256)"])
            }
            return pass
        }
    }

    /// One message's attachments, each read within the extractor's limits.
    static func reading(_ source: FullTextSource, extractor: AttachmentExtractor, logger: Logger) async -> AttachmentReading {
        var records: [AttachmentRecord] = []
        var texts: [String] = []
        for (position, attachment) in source.message.attachmentDocuments.enumerated() {
            let document = attachment.document
            let result = await extractor.extract(document)
            if result.state == .notExtracted(.toolMissing) { PDFToolNotice.reportOnce(extractor.pdf, logger: logger) }
            records.append(AttachmentRecord(position: position, part: attachment.partNumber, fileName: document.fileName,
                                            mediaType: document.mediaType, size: document.bytes.count,
                                            state: result.state.name))
            if !result.text.isEmpty { texts.append(result.text) }
        }
        return AttachmentReading(row: source.row, attachments: records, text: texts.joined(separator: "\n\n"))
    }

    /// How far the attachment indexer is behind the archive, by the store's clock.
    public func attachmentIndexLag() async throws(DeliveryError) -> AttachmentIndexLag {
        try await catching { try await catalog.messages.attachmentIndexLag(now: clock.now()) }
    }

    /// Forgets every attachment reading: the indexer reads all messages' attachments again.
    public func restartAttachmentReading() async throws(DeliveryError) {
        try await catching { try await catalog.messages.restartAttachmentReading() }
    }
}

/// A missing `pdftotext` is said once per process, clearly, instead of once per PDF.
enum PDFToolNotice {
    private static let said = Mutex(false)

    static func reportOnce(_ tool: PDFTextTool, logger: Logger) {
        let first = said.withLock { said in
            defer { said = true }
            return !said
        }
        guard first else { return }
        logger.error("attachment index: \(tool.path) is not installed (Debian: poppler-utils); PDF attachments are recorded as unextracted (tool-missing) until it is and `tresor reindex --attachments` runs")
    }
}
