import Logging
import MailStore
import ServiceLifecycle
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MailServer {
    /// The anchor service when `[[anchor.tsa]]` names at least one TSA. The CA files are read here,
    /// so a missing or broken one stops `tresor serve` before it listens, naming its key.
    func makeAnchorServices(store: MailStore) throws -> [any Service] {
        let settings = configuration.anchor
        guard !settings.authorities.isEmpty else { return [] }
        let authorities = try AnchorStamper.authorities(settings.authorities)
        logger.info("anchoring the archive", metadata: [
            "tsa": "\(authorities.map(\.url).joined(separator: ","))", "interval": "\(settings.interval)",
            "witness": "\(settings.witnessAddresses.joined(separator: ","))",
        ])
        return [AnchorService(store: store, stamper: AnchorStamper(store: store, authorities: authorities),
                              settings: settings, hostname: configuration.hostname, logger: logger)]
    }
}

/// Stamps the archive's tip by the configured TSAs on `AnchorSchedule`'s rules — after every seal,
/// and at the configured interval while the archive moves — and mails the daily witness. Looks
/// every `poll` (on the injected `clock`); "now" is the store's clock.
///
/// It never stands in delivery's way: it runs in a task of its own, a TSA is asked without holding
/// anything of the store, and a failure (a TSA down, slow or refusing) is logged and retried later
/// while mail flows on; the gap shows in `tresor anchor status` and `tresor verify`.
struct AnchorService: Service {
    let store: MailStore
    let stamper: AnchorStamper
    let settings: TresorConfiguration.AnchorSettings
    let hostname: String
    var clock: any Clock<Duration> = ContinuousClock()
    /// How often the tip is looked at: a seal is stamped within this.
    var poll: Duration = .seconds(10)
    let logger: Logger

    func run() async throws {
        let schedule = await initialSchedule()
        await cancelWhenGracefulShutdown {
            var schedule = schedule
            while !Task.isCancelled {
                await tick(&schedule)
                do { try await clock.sleep(for: poll) } catch { break }
            }
        }
        await stamper.shutdown()
    }

    /// The schedule, resumed from the newest journaled stamps and the last witness mail.
    func initialSchedule() async -> AnchorSchedule {
        let newest: [JournaledAnchor]
        do { newest = try await store.anchors.newestPerAuthority() } catch {
            logger.warning("anchors: cannot read the newest time stamps; stamping anew", metadata: ["error": "\(error)"])
            newest = []
        }
        return AnchorSchedule(urls: stamper.authorities.map(\.url), interval: settings.interval, newest: newest,
                              witnessDay: await store.anchors.witnessMailedDay())
    }

    /// One look: stamps what is due, mails the witness if it is due. Never throws.
    func tick(_ schedule: inout AnchorSchedule) async {
        let now = store.clock.now()
        let tip = store.anchors.tip
        let due = schedule.due(now: now, tip: tip)
        if !due.isEmpty, let point = tip.last {
            do {
                let round = try await stamper.stamp(point, recordCount: tip.records, by: Set(due))
                // Cancelled by a graceful shutdown: what did not answer is no TSA's failure.
                if Task.isCancelled && round.journaled.isEmpty { return }
                for anchor in round.journaled {
                    schedule.stamped(anchor.record.tsa, covering: tip.lastNonAnchor, at: now)
                    logger.info("anchors: the archive's chain was time-stamped", metadata: [
                        "tsa": "\(anchor.record.tsa)", "point": "\(point.location)",
                        "gen_time": "\(Timestamp.string(anchor.record.genTime))", "record": "\(anchor.location)",
                    ])
                }
                for failure in round.failures {
                    let retry = schedule.failed(failure.url, at: now)
                    logger.warning("anchors: time stamp failed; mail flows on, the stamp is retried", metadata: [
                        "tsa": "\(failure.url)", "error": "\(failure.reason)", "retry_at": "\(Timestamp.string(retry))",
                    ])
                }
            } catch {
                for url in due { schedule.failed(url, at: now) }
                logger.error("anchors: time stamps could not be journaled", metadata: ["error": "\(error)"])
            }
        }
        if !settings.witnessAddresses.isEmpty, schedule.witnessDue(now: now) {
            await mailWitness(&schedule, now: now)
        }
    }

    /// Mails the witness of the tip, with each TSA's newest stamp, to every witness address.
    func mailWitness(_ schedule: inout AnchorSchedule, now: Date) async {
        do {
            let witness = try await store.anchors.witness(carrying: try await store.anchors.newestPerAuthority())
            let message = WitnessMail.make(witness: witness, to: settings.witnessAddresses, hostname: hostname, date: now)
            for address in settings.witnessAddresses {
                try await store.delivery.deliverFromNullSender(message, to: address, source: .witness,
                                                               detail: "witness of record \(witness.location)")
            }
            try await store.anchors.noteWitnessMailed(day: Timestamp.day(now))
            schedule.witnessMailed(at: now)
            logger.notice("anchors: witness mailed", metadata: [
                "to": "\(settings.witnessAddresses.joined(separator: ","))", "record": "\(witness.location)",
            ])
        } catch {
            schedule.witnessFailed(at: now)
            logger.error("anchors: the witness mail could not be sent; tried again later", metadata: ["error": "\(error)"])
        }
    }
}
