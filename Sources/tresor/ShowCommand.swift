import ArgumentParser
import Foundation
import MailMessage
import MailStore

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one archived message: a summary, its exact bytes, its text or its attachments.",
        discussion: """
            ID is the SHA-256 shown by `tresor search` (or a unique prefix of at least 8 characters), a \
            Message-ID such as <a1b2@example.com> (quote the brackets in a shell), or the SMTP \
            transaction id of a delivery: the id in the server's `transaction` log line, in the 250 \
            reply and in the Received field.
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @OptionGroup(title: "Operator (needed for content when the data directory requires one)") var signing: OperatorOption
    @Argument(help: "The message: its id (SHA-256 or a unique prefix), Message-ID or SMTP transaction id.") var id: String
    @Flag(help: "Print the message's exact archived bytes.") var raw = false
    @Flag(help: "Print the message's text (decoded, HTML turned into text).") var text = false
    @Option(help: ArgumentHelp("Save the attachments into this folder.", valueName: "dir")) var attachments: String?

    func validate() throws {
        if [raw, text, attachments != nil].filter({ $0 }).count > 1 { throw ValidationError("choose one of --raw, --text, --attachments") }
    }

    func run() async throws {
        let url = try data.requireInitialised()
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        let mode = raw ? "raw" : text ? "text" : attachments != nil ? "attachments" : "summary"
        let reader = mode == "summary" ? actor.auditActor : try await signing.contentReader(else: actor.auditActor)
        let shown = try await store.compliance.show(id: try await store.compliance.messageID(for: id), purpose: mode,
                                                    by: reader)
        let entry = shown.entry, bytes = shown.raw
        if raw {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let message = Message(parsing: bytes)
        if text {
            print(message.plainText(limit: Int.max))
            return
        }
        if let attachments {
            let saved = try AttachmentSaver.save(message, into: URL(fileURLWithPath: attachments, isDirectory: true))
            for path in saved { print(path) }
            print("\(saved.count) attachment\(saved.count == 1 ? "" : "s") saved")
            return
        }
        print(Self.summary(entry, message: message))
        if message.hasAttachments {
            let records = try await store.compliance.attachmentRecords(id: entry.id)
            for line in Self.attachmentLines(records, message: message) { print(line) }
        }
    }

    /// One line per attachment with its extraction state (what the index saw of it), or a note
    /// that the background indexer has not read them yet.
    static func attachmentLines(_ records: [AttachmentRecord]?, message: Message) -> [String] {
        guard let records else {
            return ["Extraction:  " + "not read yet (the background indexer has not reached this message)"]
        }
        return records.map { record in
            let state = record.isExtracted ? "text extracted" : "not extracted: \(record.state)"
            return "Extraction:  " + "part \(record.part) \(record.fileName ?? "(no name)") "
                + "(\(record.mediaType), \(record.size) bytes): \(state)"
        }
    }

    static func summary(_ entry: CatalogMessage, message: Message) -> String {
        var lines: [String] = []
        func add(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append(label.padding(toLength: 13, withPad: " ", startingAt: 0) + value) }
        }
        add("ID:", entry.id)
        add("Date:", message.date.map { Timestamp.string($0) })
        add("From:", message.from.map(format).joined(separator: ", "))
        add("To:", message.to.map(format).joined(separator: ", "))
        add("Cc:", message.cc.map(format).joined(separator: ", "))
        add("Subject:", message.subject)
        add("Message-ID:", message.messageID)
        add("Size:", "\(message.raw.count) bytes")
        add("Attachments:", message.attachmentFileNames.joined(separator: ", "))
        add("Parts:", partList(message.root).joined(separator: ", "))
        if !message.problems.isEmpty { add("Problems:", message.problems.map { "byte \($0.offset): \($0.kind)" }.joined(separator: "; ")) }
        for delivery in entry.deliveries {
            let envelope = delivery.envelope
            var line = "\(Timestamp.string(envelope.receivedAt)) \(envelope.direction.rawValue) via \(envelope.source)"
            if let detail = envelope.sourceDetail { line += " (\(detail))" }
            if !envelope.mailFrom.isEmpty { line += " from <\(envelope.mailFrom)>" }
            if !envelope.recipients.isEmpty { line += " to \(envelope.recipients.joined(separator: ", "))" }
            add("Delivery:", line + " [envelope \(delivery.envelopeLocation)]")
            add("Received:", "\(Timestamp.string(envelope.receivedAt)) from \((envelope.receivedFrom ?? .archive).rawValue), "
                + "archived \(Timestamp.string(envelope.archiveTime))")
            for floor in envelope.retentionFloors ?? [] {
                add("Floor:", "kept until \(Timestamp.string(floor.until)) by locked policy \"\(floor.policy)\" "
                    + "(policy text sha256 \(floor.policyHash.prefix(16)))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ address: Address) -> String {
        address.displayName.map { "\($0) <\(address.mailbox)>" } ?? address.mailbox
    }

    static func partList(_ part: MIMEPart) -> [String] {
        // A multipart root has no IMAP part number (RFC 3501 §6.4.5).
        let number = part.partNumber.isEmpty ? "" : part.partNumber + " "
        return ["\(number)\(part.contentType.mimeType)"] + part.children.flatMap(partList)
    }
}

/// Writes a message's attachments into a folder under safe names: path separators and
/// leading dots are replaced, and a name already taken gets " (2)", " (3)", …
enum AttachmentSaver {
    /// A file name from a sender, made safe to create inside the target folder: judged by
    /// Unicode scalars, not Characters (a "/" followed by a combining mark is one Character but
    /// still a path separator), separators and control characters become "_", leading dots go,
    /// and the name is cut to 200 UTF-8 bytes (file systems allow 255).
    static func safeFileName(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let unsafe = scalar == "/" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F
            scalars.append(unsafe ? "_" : scalar)
        }
        var safe = String(scalars)
        while safe.hasPrefix(".") { safe.removeFirst() }
        while safe.utf8.count > 200 { safe.unicodeScalars.removeLast() }
        return safe
    }

    static func save(_ message: Message, into folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var saved: [String] = []
        var taken: Set<String> = []
        func visit(_ part: MIMEPart) throws {
            if let name = part.fileName, part.children.isEmpty {
                var safe = safeFileName(name)
                if safe.isEmpty { safe = "attachment-\(part.partNumber)" }
                var candidate = safe
                var n = 2
                while taken.contains(candidate) || FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate).path) {
                    candidate = "\(safe) (\(n))"
                    n += 1
                }
                taken.insert(candidate)
                let target = folder.appendingPathComponent(candidate)
                // O_EXCL: never write through a file or symlink that appeared meanwhile.
                try Data(part.decodedBody(in: message.raw)).write(to: target, options: .withoutOverwriting)
                saved.append(target.path)
            }
            for child in part.children { try visit(child) }
        }
        try visit(message.root)
        return saved
    }
}
