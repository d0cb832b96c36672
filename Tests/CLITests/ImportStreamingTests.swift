import Foundation
import Testing
import TestSupport

/// `tresor import` splits an mbox while it reads it, a chunk at a time, from a file or from
/// standard input. The messages it archives must be exactly those an mboxrd writer put in, byte
/// for byte, wherever the reader's chunks happen to end: importing the same messages as single
/// `.eml` files afterwards must find every one already archived.
@Suite struct ImportStreamingTests {
    func tresor(_ dataDir: URL, _ arguments: [String], stdin: [UInt8]? = nil) throws -> CommandResult {
        try CommandRunner.run("tresor", arguments + ["--data-dir", dataDir.path], stdin: stdin)
    }

    /// Messages with LF and CRLF lines, "From " lines inside paragraphs, quoted ">From " lines,
    /// and one line of 2.5 MB, so that chunk ends fall inside lines, line ends and separators.
    static func messages() -> [[UInt8]] {
        var result: [[UInt8]] = []
        result.append(Array("From: a@example.com\nSubject: first\n\nFrom here on, a paragraph.\n>From a quote\n".utf8))
        result.append(Array("From: b@example.com\r\nSubject: crlf\r\n\r\nline\r\n\r\nFrom the top\r\n".utf8))
        let long = String(repeating: "QUJD", count: 640_000)
        result.append(Array("From: c@example.com\nSubject: one long line\n\n\(long)\n".utf8))
        for n in 0..<40 {
            let filler = String(repeating: "word\(n) ", count: (n * 7_919) % 30_000)
            result.append(Array("From: d\(n)@example.com\nSubject: filler \(n)\n\n\(filler)\n>>From twice quoted\n".utf8))
        }
        return result
    }

    /// An mboxrd file (RFC 4155 §2): a separator, the message with every `>*From ` line given one
    /// more ">", and an empty line.
    static func mbox(of messages: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for message in messages {
            out += Array("From sender@example.com Mon Jan  1 00:00:00 2024\n".utf8)
            var lineStart = true
            var index = 0
            while index < message.count {
                if lineStart {
                    var quotes = index
                    while quotes < message.count, message[quotes] == UInt8(ascii: ">") { quotes += 1 }
                    if message[quotes...].starts(with: Array("From ".utf8)) { out.append(UInt8(ascii: ">")) }
                }
                out.append(message[index])
                lineStart = message[index] == 0x0A
                index += 1
            }
            out += Array("\n".utf8)
        }
        return out
    }

    @Test func anMboxReadInChunksGivesBackEveryMessageByteForByte() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            let messages = Self.messages()
            let mbox = Self.mbox(of: messages)
            let file = dir.appendingPathComponent("mail.mbox")
            try Data(mbox).write(to: file)

            let fromFile = try tresor(data, ["import", file.path])
            #expect(fromFile.status == 0, "\(fromFile.stderr)")
            #expect(fromFile.stdout.contains("read \(messages.count) messages"), "\(fromFile.stdout)")
            #expect(fromFile.stdout.contains("archived \(messages.count) new"), "\(fromFile.stdout)")

            let fromPipe = try tresor(data, ["import", "-"], stdin: mbox)
            #expect(fromPipe.status == 0, "\(fromPipe.stderr)")
            #expect(fromPipe.stdout.contains("archived 0 new messages (0.0 MB); \(messages.count) already archived"), "\(fromPipe.stdout)")

            let folder = dir.appendingPathComponent("emls")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (n, message) in messages.enumerated() {
                try Data(message).write(to: folder.appendingPathComponent("\(n).eml"))
            }
            let single = try tresor(data, ["import", folder.path])
            #expect(single.status == 0, "\(single.stderr)")
            #expect(single.stdout.contains("archived 0 new messages (0.0 MB); \(messages.count) already archived"), "\(single.stdout)")
        }
    }

    /// A message on standard input that is not an mbox is one message, however long.
    @Test func standardInputWithoutSeparatorIsOneMessage() async throws {
        try await withTemporaryDirectory { dir in
            let data = dir.appendingPathComponent("data")
            #expect(try tresor(data, ["init"]).status == 0)
            let message = Self.messages()[2]
            let piped = try tresor(data, ["import", "-"], stdin: message)
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(piped.stdout.contains("archived 1 new"), "\(piped.stdout)")
            let file = dir.appendingPathComponent("one.eml")
            try Data(message).write(to: file)
            #expect(try tresor(data, ["import", file.path]).stdout.contains("1 already archived"))
        }
    }
}
