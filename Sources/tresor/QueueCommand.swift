import ArgumentParser
import Foundation
import MailStore

/// `tresor queue`: the administrator's view of the outbound queue. Every subcommand is audited.
/// Changes take effect in a running server at its next look at the queue (about a second).
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "The outbound queue: list, show, retry, delete.",
        subcommands: [QueueListCommand.self, QueueShowCommand.self, QueueRetryCommand.self, QueueDeleteCommand.self])
}

struct QueueListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List queued recipients (with --all, delivered and failed ones too).")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Flag(help: "Include delivered and failed rows.") var all = false

    func run() async throws {
        let store = try MailStore(dataDirectory: data.requireInitialised())
        defer { store.close() }
        let rows = try await store.queue.list().filter {
            all || $0.status == QueueStatus.queued.rawValue || $0.status == QueueStatus.sending.rawValue
        }
        try await store.compliance.record("queue list", detail: all ? "all" : "waiting", resultCount: rows.count,
                                          by: actor.auditActor)
        if rows.isEmpty {
            print(all ? "the queue is empty" : "nothing waits in the queue")
            return
        }
        for row in rows { print(QueueFormatting.line(row)) }
    }
}

struct QueueShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one queue row.")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Argument(help: "The queue id (first column of `tresor queue list`).") var id: Int64

    func run() async throws {
        let store = try MailStore(dataDirectory: data.requireInitialised())
        defer { store.close() }
        guard let row = try await store.queue.entry(id: id) else {
            throw CommandError("no queue entry \(id)")
        }
        try await store.compliance.record("queue show", detail: "\(id)", by: actor.auditActor)
        print(QueueFormatting.details(row))
    }
}

struct QueueRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Make queued rows due now.",
        discussion: "Only rows waiting for their next attempt change; delivered and failed rows stay as they are.")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Argument(help: "The queue id.") var id: Int64?
    @Flag(help: "Every queued row.") var all = false

    func validate() throws {
        if (id == nil) == !all { throw ValidationError("give one queue id or --all") }
    }

    func run() async throws {
        let store = try MailStore(dataDirectory: data.requireInitialised())
        defer { store.close() }
        let changed = try await store.queue.retry(ids: id.map { [$0] }, by: actor.auditActor)
        if let id, changed == 0 { throw CommandError("queue entry \(id) is not waiting for a retry") }
        print("\(changed) row\(changed == 1 ? "" : "s") due now")
    }
}

/// Deleting is the administrator giving up on a recipient. By default nobody is told (the sender
/// may be a spammer's forged address); `--bounce` sends the sender a DSN (status 5.0.0) instead,
/// as a failure would.
struct QueueDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Remove a queued row (no DSN unless --bounce).",
        discussion: "A row being sent right now, or already delivered, cannot be deleted.")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @Argument(help: "The queue id.") var id: Int64
    @Flag(help: "Tell the sender with a delivery status notification.") var bounce = false

    func run() async throws {
        let store = try MailStore(dataDirectory: data.requireInitialised())
        defer { store.close() }
        let row = try await store.queue.delete(id: id, bounce: bounce, by: actor.auditActor)
        guard let row else { throw CommandError("queue entry \(id) is not queued or failed (being sent, delivered, or unknown)") }
        print(bounce && row.status == QueueStatus.queued.rawValue
              ? "failed \(id) (<\(row.recipient)>): the sender will get a DSN"
              : "deleted \(id) (<\(row.recipient)>)")
    }
}

enum QueueFormatting {
    static func line(_ row: QueuedMessage) -> String {
        let from = row.mailFrom.isEmpty ? "<>" : row.mailFrom
        var text = "\(row.id)  \(row.status)  attempts=\(row.attempts)"
        if row.status == QueueStatus.queued.rawValue { text += "  next=\(timestamp(row.nextAttempt))" }
        text += "  \(from) -> \(row.recipient)"
        if let error = row.lastError, row.status != QueueStatus.delivered.rawValue { text += "  (\(error))" }
        return text
    }

    static func details(_ row: QueuedMessage) -> String {
        var lines: [(String, String)] = [
            ("ID", "\(row.id)"), ("Status", row.status), ("From", row.mailFrom.isEmpty ? "<>" : row.mailFrom),
            ("To", row.recipient), ("Message", row.sha256), ("Delivery", row.envelopeLocation),
            ("Queued", timestamp(row.created)), ("Attempts", "\(row.attempts)"),
        ]
        if row.status == QueueStatus.queued.rawValue { lines.append(("Next attempt", timestamp(row.nextAttempt))) }
        if let last = row.lastAttempt { lines.append(("Last attempt", timestamp(last))) }
        if let delivered = row.deliveredAt { lines.append(("Delivered", timestamp(delivered))) }
        if let remote = row.remoteMTA { lines.append(("Remote MTA", remote)) }
        if let code = row.statusCode { lines.append(("Status code", code)) }
        if let error = row.lastError { lines.append(("Last reply", error)) }
        if let bounce = row.bounce { lines.append(("Bounce", bounce)) }
        return lines.map { ($0.0 + ":").padding(toLength: 14, withPad: " ", startingAt: 0) + $0.1 }
            .joined(separator: "\n")
    }

    static func timestamp(_ date: Date) -> String {
        Timestamp.string(date)
    }
}
