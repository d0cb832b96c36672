@testable import IMAPServer

/// Feeds text to a fresh parser and collects every event.
func events(_ text: String, limits: IMAPLimits = IMAPLimits(), utf8: Bool = false) -> [IMAPCommandParser.Event] {
    events(Array(text.utf8), limits: limits, utf8: utf8)
}

func events(_ bytes: [UInt8], limits: IMAPLimits = IMAPLimits(), utf8: Bool = false) -> [IMAPCommandParser.Event] {
    var parser = IMAPCommandParser(limits: limits, utf8Enabled: utf8)
    parser.append(bytes)
    var result: [IMAPCommandParser.Event] = []
    while let event = parser.next() { result.append(event) }
    return result
}

/// Parses one complete command line (CRLF added) into its command, or nil on error.
func command(_ line: String, utf8: Bool = false) -> IMAPCommand? {
    let all = events(line + "\r\n", utf8: utf8).filter { $0 != .continuationRequest }
    guard all.count == 1, case .command(let tagged) = all[0] else { return nil }
    return tagged.command
}

/// The error a command line gets, or nil if it parsed.
func refusal(_ line: String) -> IMAPCommandError? {
    let all = events(line + "\r\n").filter { $0 != .continuationRequest }
    guard all.count == 1, case .error(let error) = all[0] else { return nil }
    return error
}

func mailbox(_ name: String) -> MailboxName { try! MailboxName(name) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
