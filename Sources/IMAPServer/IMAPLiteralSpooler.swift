import NIOCore
import NIOFileSystem

/// Writes the streamed literals of the command being read into spool files, in the order the
/// parser hands out their octets (`IMAPCommandParser.Event.literalOctets`), and removes them
/// when the command is done. One per connection; only the connection's task uses it.
///
/// Files are created new (never replacing one), readable by the server's user only, in the
/// configured spool directory; the server empties that directory at start, so a crash leaves
/// nothing behind for long.
struct IMAPLiteralSpooler {
    let directory: String
    /// The literals of the current command that are complete, in order.
    private(set) var completed: [IMAPLiteralSpool] = []
    private var open: (handle: WriteFileHandle, path: String, written: Int64)?

    init(directory: String) {
        self.directory = directory
    }

    /// Appends octets to the current literal, creating its file at the first; `isLast` closes it.
    mutating func write(_ octets: [UInt8], isLast: Bool) async throws {
        if open == nil {
            let path = "\(directory)/imap-literal-\(UInt64.random(in: 0...UInt64.max)).tmp"
            let handle = try await FileSystem.shared.openFile(
                forWritingAt: FilePath(path),
                options: .newFile(replaceExisting: false, permissions: .ownerReadWrite))
            open = (handle, path, 0)
        }
        guard var current = open else { return }
        if !octets.isEmpty {
            current.written += try await current.handle.write(contentsOf: octets, toAbsoluteOffset: current.written)
            open = current
        }
        if isLast {
            open = nil
            try await current.handle.close()
            completed.append(IMAPLiteralSpool(path: current.path, count: Int(current.written)))
        }
    }

    /// The command with its streamed literals replaced by the files that hold them.
    func resolve(_ tagged: IMAPTaggedCommand) -> IMAPTaggedCommand {
        guard case .append(let mailbox, var messages) = tagged.command else { return tagged }
        for index in messages.indices {
            if case .streamed(let position, _) = messages[index].octets, position < completed.count {
                messages[index].octets = .spooled(completed[position])
            }
        }
        return IMAPTaggedCommand(tag: tagged.tag, command: .append(mailbox, messages))
    }

    /// Removes every file of the current command (done, refused, or the connection ended).
    mutating func discard() async {
        var paths = completed.map(\.path)
        completed = []
        if let current = open {
            open = nil
            try? await current.handle.close()
            paths.append(current.path)
        }
        for path in paths {
            _ = try? await FileSystem.shared.removeItem(at: FilePath(path))
        }
    }

    var isEmpty: Bool { completed.isEmpty && open == nil }
}
