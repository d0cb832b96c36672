import MailMessage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The received time of an imported message: the first plausible of, in order, the date of the
/// topmost `Received:` field, the mbox `From ` line, the Maildir file name's timestamp and the
/// `Date:` field, else the import's own time. Plausible: not before 1970 and not later than one
/// day after the archiving (a date the sender's or a relay's clock got wrong is never trusted to
/// start, or end, a retention period). Mail Tresor receives itself has the archive time.
enum ReceivedTimeRule {
    /// The earliest instant any received time may have.
    static let earliest = Date(timeIntervalSince1970: 0)
    /// How far past the archiving a date may lie and still count (clocks drift, zones confuse).
    static let futureSlack: TimeInterval = 86_400

    static func isPlausible(_ date: Date, archivedAt: Date) -> Bool {
        date >= earliest && date <= archivedAt.addingTimeInterval(futureSlack)
    }

    /// For an import at `archivedAt`.
    static func choose(for message: Message, hint: ReceivedTimeHint?, archivedAt: Date)
        -> (date: Date, source: ReceivedTimeSource)
    {
        var candidates: [(Date?, ReceivedTimeSource)] = [(topmostReceivedDate(message), .receivedField)]
        switch hint {
        case .mboxSeparator(let date): candidates.append((date, .mboxSeparator))
        case .maildirName(let date): candidates.append((date, .maildirName))
        case nil: break
        }
        candidates.append((message.date, .dateField))
        for (date, source) in candidates {
            if let date, isPlausible(date, archivedAt: archivedAt) { return (date, source) }
        }
        return (archivedAt, .importTime)
    }

    /// RFC 5321 §4.4: a Received field ends with "; date-time"; the topmost is the last hop's.
    static func topmostReceivedDate(_ message: Message) -> Date? {
        guard let value = message.header.first(named: "Received"),
            let semicolon = value.lastIndex(of: UInt8(ascii: ";"))
        else { return nil }
        return DateParser.parse(value[value.index(after: semicolon)...])
    }
}
