import AttachmentText
import Logging
import MailStore
import ServiceLifecycle

extension MailServer {
    /// The background attachment indexer: runs beside the listeners, never in delivery's way.
    func makeAttachmentIndexService(store: MailStore) -> any Service {
        let extractor = AttachmentExtractor()
        if !extractor.pdf.isAvailable {
            logger.error("attachment index: \(extractor.pdf.path) is not installed (Debian: poppler-utils); PDF attachments will be recorded as unextracted (tool-missing)")
        }
        return AttachmentIndexService(store: store, extractor: extractor, clock: ContinuousClock(), logger: logger)
    }
}

/// Reads attachment documents after delivery (`DeliveryPipeline.readAttachments`): a batch at a
/// time in archive order, looking again every `poll` once caught up. Its position is in the
/// catalog, so after a restart or a crash it goes on from the next unread message. How far it is
/// behind (messages and seconds) is logged every `report` while it is behind, and `tresor status`
/// shows it. A failure (the catalog busy or full) is logged and retried at the next look.
struct AttachmentIndexService<C: Clock<Duration>>: Service {
    let store: MailStore
    let extractor: AttachmentExtractor
    let clock: C
    var poll: Duration = .seconds(1)
    var report: Duration = .seconds(60)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastReport = clock.now
            while !Task.isCancelled {
                do {
                    // A few batches per look, so a shutdown is noticed between them.
                    let pass = try await store.delivery.readAttachments(extractor: extractor, maximumBatches: 4)
                    if pass.messages > 0 {
                        logger.debug("attachment index: read", metadata: [
                            "messages": "\(pass.messages)", "attachments": "\(pass.attachments)",
                            "unextracted": "\(pass.unextracted)",
                        ])
                        if lastReport.duration(to: clock.now) >= report {
                            lastReport = clock.now
                            let lag = try await store.delivery.attachmentIndexLag()
                            logger.info("attachment index: behind", metadata: [
                                "messages": "\(lag.messages)", "seconds": "\(Int(lag.seconds))",
                            ])
                        }
                        continue
                    }
                } catch {
                    logger.warning("attachment index: pass failed, retrying", metadata: ["error": "\(error)"])
                }
                do { try await clock.sleep(for: poll) } catch { break }
            }
        }
    }
}
