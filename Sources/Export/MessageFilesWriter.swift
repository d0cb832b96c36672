import MailStore
import Foundation
import MailMessage

/// Writes the messages of an export under `messages/` in one format, and collects the manifest
/// rows and the files' SHA-256s. One group (folder) at a time: `begin`, `write`…, `end`.
struct MessageFilesWriter {
    let root: String
    let format: ExportFormat
    var directories: ExportDirectories
    /// Message files are fsync'd together (`ExportFileSystemSync`), not one by one.
    let sync: ExportFileSystemSync
    private(set) var rows: [ManifestRow] = []
    /// Relative path → hex SHA-256, for every message file.
    private(set) var sums: [String: String] = [:]
    private(set) var bytes: Int64 = 0
    private(set) var drafts = 0

    /// The group's folder relative to the export (`messages` or `messages/<folder>`).
    private var groupPath = ExportPaths.messagesDirectory
    private var mbox: ExportFile?
    private var mboxPath = ""
    private var namesInGroup: Set<String> = []
    private var sequence = 0

    init(root: String, format: ExportFormat, directories: ExportDirectories, sync: ExportFileSystemSync) {
        self.root = root
        self.format = format
        self.directories = directories
        self.sync = sync
    }

    /// A whole message file, fsync'd later with the others.
    private mutating func create(_ file: String, _ raw: [UInt8]) throws {
        sums[file] = try ExportFile.create(path: root + "/" + file, contents: raw, sync: false)
        sync.add(root + "/" + file)
    }

    mutating func begin(_ group: ExportGroup) throws {
        namesInGroup = []
        let messages = ExportPaths.messagesDirectory
        switch format {
        case .mbox:
            let name = group.folder.map { ExportPaths.folder($0, format: format) + ".mbox" } ?? ExportPaths.queryMbox
            mboxPath = messages + "/" + name
            try directories.make(parentPath(root + "/" + mboxPath))
            mbox = try ExportFile(path: root + "/" + mboxPath)
        case .maildir, .eml:
            groupPath = group.folder.map { messages + "/" + ExportPaths.folder($0, format: format) } ?? messages
            try directories.make(root + "/" + groupPath)
            if format == .maildir {
                for sub in ["cur", "new", "tmp"] { try directories.make(root + "/" + groupPath + "/" + sub) }
            }
        }
    }

    mutating func write(_ item: ExportItem, bytes raw: [UInt8], summary: MessageSummary) throws {
        let file: String
        switch format {
        case .mbox:
            guard let mbox else { preconditionFailure("write before begin") }
            try mbox.append(Mboxrd.separator(sender: summary.sender, date: item.receivedAt))
            try mbox.append(Mboxrd.escapedMessage(raw))
            file = mboxPath
        case .maildir:
            sequence += 1
            let name = ExportPaths.maildirName(date: item.receivedAt, sequence: sequence, sha256: item.sha256,
                                               flags: MaildirFlags.letters(item.flags))
            file = groupPath + "/cur/" + name
            try create(file, raw)
        case .eml:
            let base = ExportPaths.emlName(date: summary.date ?? item.receivedAt, sha256: item.sha256)
            var name = base
            var n = 2
            while namesInGroup.contains(name) {
                name = String(base.dropLast(4)) + "_\(n).eml"
                n += 1
            }
            namesInGroup.insert(name)
            file = groupPath + "/" + name
            try create(file, raw)
        }
        rows.append(ManifestRow(
            archiveID: item.isDraft ? "" : item.sha256, sha256: item.sha256,
            date: summary.date.map { Timestamp.string($0) } ?? "", from: summary.from, to: summary.to,
            subject: summary.subject,
            folders: item.folders, size: raw.count, file: file, flags: item.flags.joined(separator: " ")))
        bytes += Int64(raw.count)
        if item.isDraft { drafts += 1 }
    }

    mutating func end() throws {
        if let mbox {
            sums[mboxPath] = try mbox.finish()
            self.mbox = nil
        }
    }

}

/// What the manifest and the file names need from a message's header.
struct MessageSummary: Sendable {
    var date: Date?
    /// The first From address: the mbox separator's sender.
    var sender: String?
    var from: String
    var to: String
    var subject: String

    init(_ raw: [UInt8]) {
        let message = Message(parsing: raw)
        date = message.date
        sender = message.from.first?.mailbox
        from = Self.addresses(message.from)
        to = Self.addresses(message.to)
        subject = message.subject ?? ""
    }

    /// `Name <mailbox>` or `mailbox`, separated by "; " (names may hold commas).
    static func addresses(_ list: [Address]) -> String {
        list.map { address in
            let text = address.displayName.map { $0.isEmpty ? address.mailbox : "\($0) <\(address.mailbox)>" }
                ?? address.mailbox
            return String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        }.joined(separator: "; ")
    }
}
