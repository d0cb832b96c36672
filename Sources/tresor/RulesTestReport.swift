import ArgumentParser
import Foundation
import MailMessage
import MailStore
import Sieve

/// How `rules test` shows a `SieveOutcome`: one action per line, or JSON.
enum RulesTestReport {
    static func lines(_ outcome: SieveOutcome) -> [String] {
        if let error = outcome.error { return ["error: \(error) → INBOX"] }
        var lines = outcome.actions.map(describe)
        if outcome.implicitKeep { lines.append("implicit keep → INBOX" + flags(outcome.implicitKeepFlags)) }
        if let header = editedHeader(outcome) {
            lines.append("edited header (the user's copy carries it; the archive keeps the original too):")
            lines += header.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.dropLast()
                .map { "  " + $0 }
        }
        return lines
    }

    /// The header of the message as editheader (RFC 5293) left it, without its empty last line;
    /// nil when the script edited nothing.
    static func editedHeader(_ outcome: SieveOutcome) -> String? {
        guard let raw = outcome.editedMessage else { return nil }
        let message = Message(parsing: raw)
        let end = message.header.fields.last?.range.upperBound ?? message.header.range.lowerBound
        return String(decoding: raw[message.header.range.lowerBound..<end], as: UTF8.self)
    }

    static func describe(_ action: SieveAction) -> String {
        switch action {
        case .keep(let flags): "keep" + Self.flags(flags)
        case .fileInto(let mailbox, let flags, let create, let copy):
            "fileinto \(quoted(mailbox))" + (create ? " :create" : "") + (copy ? " :copy" : "") + Self.flags(flags)
        case .redirect(let address, let copy): "redirect \(address)" + (copy ? " :copy" : "")
        case .discard: "discard"
        case .reject(let reason, let extended): (extended ? "ereject " : "reject ") + quoted(reason)
        case .vacation(let vacation):
            "vacation" + (vacation.subject.map { " :subject " + quoted($0) } ?? "")
                + (vacation.from.map { " :from " + quoted($0) } ?? "") + (vacation.mime ? " :mime" : "")
                + " period=\(vacation.period)s " + quoted(vacation.reason)
        }
    }

    /// The vacation request of an outcome, if any.
    static func vacation(in outcome: SieveOutcome) -> SieveVacation? {
        for case .vacation(let request) in outcome.actions { return request }
        return nil
    }

    /// The reply delivery would send, indented under a heading line, or why there is none.
    static func lines(_ preview: VacationPreview) -> [String] {
        switch preview {
        case .noReply(let reason): return ["vacation: no reply (\(reason))"]
        case .reply(let to, let message):
            let text = String(decoding: message, as: UTF8.self)
            return ["vacation reply to <\(to)> (from the null reverse-path):"]
                + text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 }
        }
    }

    /// Flags last on the line: IMAP flags contain no spaces (RFC 3501 §9 `flag`), so the list
    /// after `flags=` is unambiguous.
    static func flags(_ flags: [String]) -> String {
        flags.isEmpty ? "" : " flags=" + flags.joined(separator: " ")
    }

    /// A Sieve quoted string (RFC 5228 §2.4.2), with line breaks shown as \r and \n so that
    /// every action stays on one line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\r\n": out += "\\r\\n"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    private struct JSONOutcome: Encodable {
        struct Action: Encodable {
            var action: String
            var mailbox: String?
            var address: String?
            var reason: String?
            var flags: [String]?
            var create: Bool?
            var copy: Bool?
        }
        struct Failure: Encodable {
            var line: Int
            var column: Int
            var message: String
        }
        var actions: [Action]
        var implicitKeep: Bool
        var implicitKeepFlags: [String]
        var error: Failure?
        var vacationReply: VacationReply?
        /// The header fields as editheader left them (RFC 5293), when the script edited any.
        var editedHeader: String?
    }

    private struct VacationReply: Encodable {
        var to: String?
        var message: String?
        var notSent: String?
    }

    static func json(_ outcome: SieveOutcome, vacation preview: VacationPreview? = nil) throws -> String {
        let actions = outcome.actions.map { action -> JSONOutcome.Action in
            switch action {
            case .keep(let flags): JSONOutcome.Action(action: "keep", mailbox: "INBOX", flags: flags)
            case .fileInto(let mailbox, let flags, let create, let copy):
                JSONOutcome.Action(action: "fileinto", mailbox: mailbox, flags: flags, create: create, copy: copy)
            case .redirect(let address, let copy): JSONOutcome.Action(action: "redirect", address: address, copy: copy)
            case .discard: JSONOutcome.Action(action: "discard")
            case .reject(let reason, let extended): JSONOutcome.Action(action: extended ? "ereject" : "reject", reason: reason)
            case .vacation(let vacation): JSONOutcome.Action(action: "vacation", reason: vacation.reason)
            }
        }
        let report = JSONOutcome(
            actions: actions, implicitKeep: outcome.implicitKeep, implicitKeepFlags: outcome.implicitKeepFlags,
            error: outcome.error.map { JSONOutcome.Failure(line: $0.location.line, column: $0.location.column, message: $0.message) },
            vacationReply: preview.map { preview in
                switch preview {
                case .reply(let to, let message): VacationReply(to: to, message: String(decoding: message, as: UTF8.self))
                case .noReply(let reason): VacationReply(notSent: reason)
                }
            }, editedHeader: editedHeader(outcome))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// The envelope sender when `--from` is not given: the Return-Path a delivery agent put on
    /// the message (RFC 5321 §4.4), else the first From address, else the null reverse-path.
    static func envelopeSender(of message: Message) -> String {
        if let returnPath = message.header.first(named: "Return-Path") {
            let text = String(decoding: returnPath, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let path = text.hasPrefix("<") && text.hasSuffix(">") ? String(text.dropFirst().dropLast()) : text
            return path.trimmingCharacters(in: .whitespaces)
        }
        return message.from.first?.mailbox ?? ""
    }

    /// ISO 8601 date and time with a zone, with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
