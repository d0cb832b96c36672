import ArgumentParser
import Foundation
import MailServer
import MailStore

/// `tresor status`: what an administrator checks first — is a server running on this data
/// directory, where does it listen, is mail stuck, how big is the archive, is it sealed, indexed
/// and anchored. Reads only: nothing in the data directory is written or created, and it is not
/// audited (it reads no message and no governance).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show whether a server runs on the data directory, its listeners, queue, archive, index and anchoring.",
        discussion: """
            A server is running when it holds DATA/serve.lock (checked with a non-blocking \
            flock, never created). The listeners are those the configuration enables. The \
            queue counts outbound rows by state; the full-text lag is the number of messages \
            search cannot find by their words yet; anchoring is due when a TSA is configured \
            and no stamp is younger than [anchor] interval. Opens everything read-only and \
            writes nothing. --json prints one object.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let located = try data.configuration()
        let configuration = located.configuration
        let url = try data.location(located).requireInitialised()
        let running = ServerPresence.isRunning(dataDirectory: url)
        let store: StoreStatus
        // When it cannot be told, the catalog is read as if a server had it open (never immutable).
        do { store = try await MailStore.status(dataDirectory: url, serverRunning: running ?? true) } catch {
            throw CommandError("\(error)")
        }
        let report = StatusReport(dataDirectory: url.path, running: running, configuration: configuration, store: store,
                                  now: Date())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text, terminator: "")
        }
    }
}

/// Whether a `tresor serve` holds `DATA/serve.lock`. The file is opened read-only and never
/// created; a shared, non-blocking flock that fails with EWOULDBLOCK means the server's exclusive
/// lock is held. A lock we got is released at once.
/// Nil when that cannot be told: the file exists but cannot be opened (another user's, mode 0600).
enum ServerPresence {
    static func isRunning(dataDirectory: URL) -> Bool? {
        let fd = open(dataDirectory.appendingPathComponent("serve.lock").path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? false : nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK ? true : nil
    }
}

/// `tresor status` as text and as JSON (the same fields).
struct StatusReport: Encodable {
    struct Server: Encodable {
        /// Null when it cannot be told (serve.lock unreadable to this user).
        var running: Bool?
        var lockFile: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(running, forKey: .running)
            try container.encode(lockFile, forKey: .lockFile)
        }
        enum CodingKeys: String, CodingKey { case running, lockFile }
    }
    struct ListenerEntry: Encodable { var name: String; var address: String; var port: Int }
    struct Archive: Encodable {
        var segments: Int, sealedSegments: Int, bytes: UInt64, records: UInt64?, messages: Int, deliveries: Int
        var lastSeal: String?

        // Absent values are written as null, so that every key is always there.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(segments, forKey: .segments)
            try container.encode(sealedSegments, forKey: .sealedSegments)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(records, forKey: .records)
            try container.encode(messages, forKey: .messages)
            try container.encode(deliveries, forKey: .deliveries)
            try container.encode(lastSeal, forKey: .lastSeal)
        }
        enum CodingKeys: String, CodingKey { case segments, sealedSegments, bytes, records, messages, deliveries, lastSeal }
    }
    struct FullTextIndex: Encodable { var current: Bool; var lag: Int }
    struct AttachmentIndex: Encodable { var messagesBehind: Int; var secondsBehind: Double }
    struct Anchoring: Encodable {
        var authorities: Int, intervalSeconds: Int64, stamps: Int
        var lastStamp: String?, lastAuthority: String?, due: Bool

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(authorities, forKey: .authorities)
            try container.encode(intervalSeconds, forKey: .intervalSeconds)
            try container.encode(stamps, forKey: .stamps)
            try container.encode(lastStamp, forKey: .lastStamp)
            try container.encode(lastAuthority, forKey: .lastAuthority)
            try container.encode(due, forKey: .due)
        }
        enum CodingKeys: String, CodingKey { case authorities, intervalSeconds, stamps, lastStamp, lastAuthority, due }
    }

    var dataDirectory: String
    var server: Server
    var listeners: [ListenerEntry]
    var queue: [String: Int]
    var archive: Archive
    var fullTextIndex: FullTextIndex
    var attachmentIndex: AttachmentIndex
    var anchoring: Anchoring
    var users: Int
    var domains: Int

    init(dataDirectory: String, running: Bool?, configuration: TresorConfiguration, store: StoreStatus, now: Date) {
        self.dataDirectory = dataDirectory
        server = Server(running: running, lockFile: dataDirectory + "/serve.lock")
        let all = [("smtp", configuration.smtp), ("submission", configuration.submission),
                   ("submissions", configuration.submissions), ("pop3", configuration.pop3),
                   ("pop3s", configuration.pop3s), ("imap", configuration.imap), ("imaps", configuration.imaps),
                   ("managesieve", configuration.manageSieve.listener)]
        listeners = all.filter { $0.1.enabled }.map { ListenerEntry(name: $0.0, address: $0.1.address, port: $0.1.port) }
        if configuration.metrics.enabled {
            listeners.append(ListenerEntry(name: "metrics", address: configuration.metrics.address, port: configuration.metrics.port))
        }
        var queue = store.queue
        for state in ["queued", "sending", "delivered", "failed"] where queue[state] == nil { queue[state] = 0 }
        self.queue = queue
        archive = Archive(segments: store.archive.segments, sealedSegments: store.archive.sealedSegments,
                          bytes: store.archive.bytes, records: store.archive.records, messages: store.archive.messages,
                          deliveries: store.archive.deliveries, lastSeal: store.archive.lastSeal.map(Timestamp.string))
        fullTextIndex = FullTextIndex(current: store.fullText.current, lag: store.fullText.lag)
        attachmentIndex = AttachmentIndex(messagesBehind: store.attachmentIndex.messages,
                                          secondsBehind: store.attachmentIndex.seconds.rounded())
        let interval = configuration.anchor.interval.components.seconds
        let authorities = configuration.anchor.authorities.count
        let stale = store.anchoring.lastStamp.map { now.timeIntervalSince($0) >= Double(interval) } ?? true
        let moved = store.anchoring.lastStampRecords.map { UInt64($0) < (store.archive.records ?? 0) } ?? true
        anchoring = Anchoring(authorities: authorities, intervalSeconds: interval, stamps: store.anchoring.stamps,
                              lastStamp: store.anchoring.lastStamp.map(Timestamp.string),
                              lastAuthority: store.anchoring.lastAuthority, due: authorities > 0 && stale && moved)
        users = store.users
        domains = store.domains
    }

    var text: String {
        var out = "data directory: \(dataDirectory)\n"
        switch server.running {
        case true?: out += "server:         running (it holds \(server.lockFile))\n"
        case false?: out += "server:         not running\n"
        case nil: out += "server:         unknown (\(server.lockFile) cannot be read by this user)\n"
        }
        out += "listeners:      " + (listeners.isEmpty ? "none enabled" : listeners.map {
            "\($0.name) \($0.address.contains(":") ? "[\($0.address)]" : $0.address):\($0.port)"
        }.joined(separator: ", ")) + " (as configured)\n"
        out += "outbound queue: " + ["queued", "sending", "delivered", "failed"].map { "\($0) \(queue[$0] ?? 0)" }
            .joined(separator: ", ") + "\n"
        out += "archive:        \(archive.segments) segment(s) (\(archive.sealedSegments) sealed), "
            + "\(ByteSize.text(archive.bytes)), \(archive.records.map(String.init) ?? "?") records; "
            + "\(archive.messages) messages, \(archive.deliveries) deliveries\n"
        out += "last seal:      \(archive.lastSeal ?? "none yet (the active segment is sealed at 64 MiB or the next UTC day)")\n"
        out += "full-text:      " + (fullTextIndex.current ? "current" : "being rebuilt for a new format")
            + ", \(fullTextIndex.lag) message(s) not searchable by their words yet\n"
        out += "attachments:    \(attachmentIndex.messagesBehind) message(s) with attachments not read yet"
            + (attachmentIndex.messagesBehind > 0 ? ", \(Int(attachmentIndex.secondsBehind)) s behind\n" : "\n")
        var anchorLine: [String] = []
        anchorLine.append(anchoring.authorities == 0 ? "no TSA configured ([[anchor.tsa]])"
                          : "\(anchoring.authorities) TSA(s), every \(anchoring.intervalSeconds) s")
        if let last = anchoring.lastStamp {
            anchorLine.append("last stamp \(last) by \(anchoring.lastAuthority ?? "?")")
        } else if anchoring.authorities > 0 {
            anchorLine.append("never stamped")
        }
        out += "anchoring:      " + anchorLine.joined(separator: "; ") + (anchoring.due ? " — DUE\n" : "\n")
        out += "accounts:       \(users) user(s), \(domains) domain(s)\n"
        return out
    }
}
