import ArgumentParser
import Foundation
import MailServer
import MailStore

/// `tresor anchor`: RFC 3161 time stamps of the archive's chain by Time-Stamping Authorities
/// outside the machine, and witness files to keep elsewhere.
struct AnchorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anchor",
        abstract: "Time-stamp the archive's chain by outside TSAs (RFC 3161), and export witnesses.",
        discussion: """
            A time stamp vouches, signed by a Time-Stamping Authority, that the archive's chain had a \
            given value at a given record at that time; it is journaled in the archive and copied to \
            DATA/anchors/. A witness file holds the newest point of the chain and the newest time \
            stamps, signed with the archive key, for someone outside the machine to keep. \
            `tresor verify` checks the stamps, and `tresor verify --witness FILE` finds an archive \
            rolled back or rewritten since the witness was made. `tresor serve` stamps by itself \
            when [[anchor.tsa]] is configured.
            """,
        subcommands: [Stamp.self, Status.self, Export.self]
    )

    struct Stamp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time-stamp the archive's newest record now, by every configured TSA (or --tsa).",
            discussion: """
                Asks each TSA for an RFC 3161 time stamp of the newest point of the chain, checks each \
                token against the TSA's CA certificate, journals the tokens in the archive and copies \
                them to DATA/anchors/ (NAME.tsr, which `openssl ts -verify -in NAME.tsr -token_in` \
                reads, and NAME.json). Exits 1 naming every TSA that failed (unreachable, refusing, \
                a token that does not verify); the stamps of the others are kept.
                """
        )

        @OptionGroup var data: DataDirectoryOptions
        @Option(name: .customLong("tsa"), help: ArgumentHelp("A TSA's URL, instead of the configured ones (with --ca).",
                                                             valueName: "url"))
        var urls: [String] = []
        @Option(name: .customLong("ca"), help: ArgumentHelp("The PEM file of the CA of each --tsa, in the same order.",
                                                            valueName: "file"))
        var caFiles: [String] = []
        @Option(help: ArgumentHelp("Seconds each TSA may take to answer.", valueName: "seconds"))
        var timeout: Int = 10

        func validate() throws {
            guard urls.count == caFiles.count else {
                throw ValidationError("give one --ca for each --tsa (\(urls.count) --tsa, \(caFiles.count) --ca)")
            }
            guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be from 1 to 600 seconds") }
        }

        func run() async throws {
            let located = try data.configuration()
            let configuration = located.configuration
            let url = try data.location(located).requireInitialised()
            let settings = urls.isEmpty
                ? configuration.anchor.authorities
                : zip(urls, caFiles).map { url, ca in
                    TresorConfiguration.TimeStampAuthoritySettings(url: url, caFile: URL(fileURLWithPath: ca), key: "--ca")
                }
            guard !settings.isEmpty else {
                throw CommandError("no TSA to ask: configure [[anchor.tsa]] (url, ca) in tresor.toml, or give --tsa URL --ca FILE")
            }
            let store = try MailStore(dataDirectory: url)
            defer { store.close() }
            let stamper: AnchorStamper
            do {
                stamper = try AnchorStamper(store: store, settings: settings, timeout: .seconds(timeout))
            } catch {
                throw CommandError("\(error)")
            }
            let round: AnchorRound
            do {
                round = try await stamper.stampTip()
            } catch {
                await stamper.shutdown()
                throw CommandError("\(error)")
            }
            await stamper.shutdown()
            print("point: record \(round.point.location), chain \(round.point.chainHex)")
            for anchor in round.journaled {
                print("stamped by \(anchor.record.tsa) at \(Timestamp.string(anchor.record.genTime)): journaled as "
                      + "record \(anchor.location), copy \(AnchorLedger.copyPath(of: anchor)).tsr")
            }
            for failure in round.failures {
                FileHandle.standardError.write(Data("FAILED \(failure.url): \(failure.reason)\n".utf8))
            }
            if !round.failures.isEmpty {
                throw CommandError("\(round.failures.count) of \(settings.count) TSA(s) did not stamp; "
                                   + (round.journaled.isEmpty ? "nothing was journaled" : "the other stamps are kept"))
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The newest time stamp of each TSA: when, its age, and how many records came since.",
            discussion: """
                Lists the archive's newest point, then for every configured TSA (and every other TSA \
                that stamped) its newest stamp, how old it is and how many records came after the \
                point it stamps. A stamp older than twice [anchor] interval while records came after \
                it is marked GAP. Changes nothing of the record; the look itself is audited, like \
                every read.
                """
        )

        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            let located = try data.configuration()
            let configuration = located.configuration
            let url = try data.location(located).requireInitialised()
            let store = try MailStore(dataDirectory: url)
            defer { store.close() }
            let tip = store.anchors.tip
            let newest: [JournaledAnchor]
            do { newest = try await store.anchors.newestPerAuthority() } catch { throw CommandError("\(error)") }
            guard let last = tip.last else {
                print("the archive holds no record yet")
                return
            }
            print("tip:    record \(last.location), chain \(last.chainHex), \(tip.records) records, "
                  + "\(tip.sealedSegments) sealed segment(s)")
            let now = Date()
            let interval = Double(configuration.anchor.interval.components.seconds)
            var urls = configuration.anchor.authorities.map(\.url)
            for anchor in newest where !urls.contains(anchor.record.tsa) { urls.append(anchor.record.tsa) }
            if urls.isEmpty { print("no TSA is configured and none has stamped ([[anchor.tsa]] in tresor.toml)") }
            for tsa in urls {
                guard let anchor = newest.last(where: { $0.record.tsa == tsa }) else {
                    print("TSA \(tsa): never stamped")
                    continue
                }
                let age = now.timeIntervalSince(anchor.record.genTime)
                let since = max(0, tip.records - anchor.record.records)
                let moved = tip.lastNonAnchor.map { $0 > anchor.record.location } ?? false
                var line = "TSA \(tsa): last stamp \(Timestamp.string(anchor.record.genTime)) "
                    + "(\(AnchorCommand.age(age)) ago) of record \(anchor.record.location), "
                line += moved ? "\(since) record(s) since" : "nothing but time stamps since"
                if moved && age > 2 * interval { line += " — GAP: older than twice the interval" }
                if !configuration.anchor.authorities.contains(where: { $0.url == tsa }) { line += " (not configured)" }
                print(line)
            }
            try await store.compliance.record("anchor status", detail: "tip \(last.location)", resultCount: newest.count,
                                              by: actor.auditActor)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a witness file: the archive's newest point and newest time stamps, signed.",
            discussion: """
                The witness names the newest record and its chain value, the record count and the \
                time, and carries each TSA's newest time stamp (token included), signed with the \
                archive key. Keep it outside the machine (another host, an auditor's mailbox): \
                `tresor verify --witness FILE` later proves that the archive still holds that point \
                and extends it. FILE - writes to standard output.
                """
        )

        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: ArgumentHelp("Where to write the witness (- for standard output).", valueName: "file"))
        var file: String
        @Flag(help: "Overwrite FILE if it exists.") var force = false

        func run() async throws {
            let url = try data.requireInitialised()
            if file != "-", !force, FileManager.default.fileExists(atPath: file) {
                throw CommandError("\(file) exists (--force overwrites it)")
            }
            let store = try MailStore(dataDirectory: url)
            defer { store.close() }
            let witness: Witness
            do {
                witness = try await store.anchors.witness(carrying: try await store.anchors.newestPerAuthority())
            } catch {
                throw CommandError("\(error)")
            }
            if file == "-" {
                FileHandle.standardOutput.write(Data(witness.encoded()))
                return
            }
            do {
                try Data(witness.encoded()).write(to: URL(fileURLWithPath: file))
            } catch {
                throw CommandError("cannot write \(file): \(error.localizedDescription)")
            }
            print("witness of record \(witness.location) (\(witness.records) records) with "
                  + "\(witness.anchors.count) time stamp(s) written to \(file)")
            if witness.anchors.isEmpty {
                print("note: it carries no time stamp yet (`tresor anchor stamp`); its signature is the archive key's alone")
            }
        }
    }

    /// `3h 20m`, `2d 4h`, `45s`.
    static func age(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded()))
        if total >= 86_400 { return "\(total / 86_400)d \(total % 86_400 / 3600)h" }
        if total >= 3600 { return "\(total / 3600)h \(total % 3600 / 60)m" }
        if total >= 60 { return "\(total / 60)m \(total % 60)s" }
        return "\(total)s"
    }
}
