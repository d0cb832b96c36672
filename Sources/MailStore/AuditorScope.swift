import Crypto
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One folder of an auditor's read-only IMAP tree.
public enum AuditorFolder: Sendable, Hashable {
    /// Always empty: some clients insist on an INBOX.
    case inbox
    /// `Cases/HOLD`: the messages of a legal hold the scope names.
    case caseFolder(String)
    /// `Archive/YYYY/MM`: the scope's messages archived in that month (UTC).
    case month(year: Int, month: Int)
    /// `Searches/NAME`: a saved search, within the scope.
    case search(String)

    /// The folder a mailbox name denotes ("/" between levels), or nil.
    public init?(name: String) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "INBOX" where parts.count == 1: self = .inbox
        // A hold's name may hold "/": everything after "Cases/" is the name.
        case "Cases" where parts.count >= 2: self = .caseFolder(parts.dropFirst().joined(separator: "/"))
        case "Searches" where parts.count == 2: self = .search(parts[1])
        case "Archive" where parts.count == 3:
            guard parts[1].count == 4, parts[2].count == 2, let year = Int(parts[1]), let month = Int(parts[2]),
                (1...12).contains(month)
            else { return nil }
            self = .month(year: year, month: month)
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .inbox: "INBOX"
        case .caseFolder(let hold): "Cases/\(hold)"
        case .month(let year, let month): "Archive/\(year)/\(month < 10 ? "0" : "")\(month)"
        case .search(let search): "Searches/\(search)"
        }
    }

    /// The month folder of a time (UTC).
    static func month(of time: Date) -> AuditorFolder {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.year, .month], from: time)
        return .month(year: parts.year ?? 1970, month: parts.month ?? 1)
    }
}

/// Which archived messages an auditor may see, and in which folder: the one place that decides it.
/// Every read of the auditor's IMAP tree — LIST, SELECT, STATUS, FETCH — goes through `condition(for:)`
/// and `admits(_:in:)`, so a rule that hides messages from auditors is added here and nowhere
/// else: restrictions of processing (GDPR Art. 18; unless the scope includes restricted mail) and
/// the private-mail rule hide theirs through `hidden`.
///
/// The scope is a union of grants: every message of each named case (the hold's query, whether
/// the hold is active or released) and every message the scope's query matches. A folder narrows
/// it: a case folder to that case's messages (only for cases the scope names), a saved search to
/// its query, a month folder to the month the message was archived. Pure: built from the catalog's
/// cached governance by `ComplianceService.auditorScope(of:)`.
public struct AuditorScope: Sendable {
    public let operatorName: String
    public let definition: AuditorScopeDefinition
    /// The named cases' queries, by hold name; a case whose hold does not exist shows nothing.
    let caseQueries: [String: String]
    /// The saved searches: name → query.
    let searches: [String: String]
    /// Messages (SHA-256) no folder shows: those a restriction of processing hides (unless the
    /// scope includes restricted mail) and private mail (the private-mail rule).
    let hidden: Set<String>

    init(operatorName: String, definition: AuditorScopeDefinition, caseQueries: [String: String],
         searches: [String: String], hidden: Set<String> = []) {
        self.operatorName = operatorName
        self.definition = definition
        self.caseQueries = caseQueries
        self.searches = searches
        self.hidden = hidden
    }

    /// The scope as one query tree; nil when it grants nothing.
    var scopeCondition: QueryNode? {
        var grants: [QueryNode] = []
        for name in definition.cases {
            if let text = caseQueries[name], let query = try? SearchQuery(parsing: text) { grants.append(query.root) }
        }
        if let text = definition.query, let query = try? SearchQuery(parsing: text) { grants.append(query.root) }
        switch grants.count {
        case 0: return nil
        case 1: return grants[0]
        default: return .or(grants)
        }
    }

    /// The catalog condition of a folder's messages; nil when the folder shows none (or does not
    /// exist in this tree). Month folders are narrowed further by `admits(_:in:)`.
    func condition(for folder: AuditorFolder) -> QueryNode? {
        guard let scope = scopeCondition else { return nil }
        switch folder {
        case .inbox:
            return nil
        case .caseFolder(let name):
            guard definition.cases.contains(name), let text = caseQueries[name],
                let query = try? SearchQuery(parsing: text)
            else { return nil }
            return .and([scope, query.root])
        case .month:
            return scope
        case .search(let name):
            guard let text = searches[name], let query = try? SearchQuery(parsing: text) else { return nil }
            return .and([scope, query.root])
        }
    }

    /// Whether a message the folder's condition matched belongs in it: never a hidden one.
    func admits(_ message: ScopedMessage, in folder: AuditorFolder) -> Bool {
        guard isVisible(message) else { return false }
        if case .month = folder { return AuditorFolder.month(of: message.archivedAt) == folder }
        return true
    }

    /// Whether any folder may show the message (restricted and private mail stay out).
    func isVisible(_ message: ScopedMessage) -> Bool { !hidden.contains(message.sha256) }

    /// The folders besides the months: INBOX, each named case whose hold exists, each saved search.
    var fixedFolders: [AuditorFolder] {
        [.inbox] + definition.cases.filter { caseQueries[$0] != nil }.map(AuditorFolder.caseFolder)
            + searches.keys.sorted().map(AuditorFolder.search)
    }

    /// UIDVALIDITY (RFC 3501 §2.3.1.1) from what defines the folder — the operator, the folder, the
    /// scope and the queries involved — so a changed scope or query gives the folder a new one, and
    /// clients drop what they kept. Never 0.
    func uidValidity(of folder: AuditorFolder) -> UInt32 {
        var definitionText = "\(operatorName)\n\(folder.name)\n\(definition.summary)\n"
        for name in definition.cases { definitionText += "case \(name): \(caseQueries[name] ?? "-")\n" }
        if case .search(let name) = folder { definitionText += "search: \(searches[name] ?? "-")\n" }
        let digest = Array(SHA256.hash(data: Array(definitionText.utf8)))
        let value = digest[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return value == 0 ? 1 : value
    }
}
