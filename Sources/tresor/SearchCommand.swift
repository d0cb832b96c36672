import ArgumentParser
import Foundation
import MailStore

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find messages in the whole archive with the query language; newest first.",
        discussion: """
            Fields: from: to: cc: bcc: (envelope recipients not in the headers) participant: \
            domain: subject: body: attachment: message-id: after: (inclusive) before: \
            (exclusive) on: (YYYY-MM-DD, YYYY-MM or YYYY, UTC) larger: smaller: (10k, 5M) \
            has:attachment direction: (in, out, internal, imported) source:. Free words match \
            subject, addresses, body and attachment names. Terms are ANDed; OR binds tighter \
            than AND (a b OR c = a AND (b OR c)); -term negates; "phrases", parentheses and \
            prefix* work; case and diacritics are ignored and ß is ss. Messages under a restriction of \
            processing (tresor restrict) are left out unless --include-restricted, which the \
            audit trail records as "search restricted".
            Each hit shows a snippet: where a word of the query stands in the body, an attachment \
            (named) or the subject, matches in [brackets] (in --json: "snippet" with the text, the \
            marked text and each match's offset and length in code points). Snippets are read from the \
            archived message, so the audit trail records them as "search snippets" with the messages \
            shown, and a data directory that requires an operator for content reads asks for one \
            (--operator) or leaves them out; --no-snippets reads no content.
            Example: tresor search 'from:alice@example.com subject:"quarterly report" after:2024-01-01 -draft'
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOption
    @OptionGroup(title: "Operator (for snippets when the data directory requires one for content)")
    var signing: OperatorOption
    // `.allUnrecognized` so that a negated term such as `-subject:draft` reaches the query
    // instead of being taken for an unknown option.
    @Argument(parsing: .allUnrecognized,
              help: ArgumentHelp("The query (several words are joined with spaces).", valueName: "query"))
    var words: [String]
    @Flag(help: "One JSON array of results.") var json = false
    @Flag(help: "CSV with a header line.") var csv = false
    @Flag(help: "Print only the number of matches.") var count = false
    @Option(help: "At most this many results (default 100 on a terminal table, all otherwise).") var limit: Int?
    /// How many rows a table on a terminal shows when no --limit is given.
    static let terminalPage = 100
    @Option(help: "Skip this many results first.") var offset = 0
    @Flag(help: "Show no snippets (reads no message content).") var noSnippets = false
    @Flag(help: "Also show messages under a restriction of processing (audited as such).")
    var includeRestricted = false

    func validate() throws {
        if words.isEmpty { throw ValidationError("give a query, e.g. tresor search 'from:alice subject:contract'") }
        if [json, csv, count].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --csv, --count") }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
        if offset < 0 { throw ValidationError("--offset must be 0 or more") }
    }

    func run() async throws {
        let url = try data.requireInitialised()
        let text = words.joined(separator: " ")
        let query: SearchQuery
        do { query = try SearchQuery(parsing: text) } catch {
            FileHandle.standardError.write(Data("\(error)\n  \(text)\n  \(String(repeating: " ", count: max(0, error.column - 1)))^\n".utf8))
            throw ExitCode(2)
        }
        let store = try MailStore(dataDirectory: url)
        defer { store.close() }
        if try await !store.compliance.fullTextIsCurrent() {
            FileHandle.standardError.write(Data(("warning: the full-text index is being built anew (new index format), so words "
                + "in messages not yet reached are not found; `tresor serve` and `tresor import` build it\n").utf8))
        }
        if count {
            print(try await store.compliance.count(query, includeRestricted: includeRestricted,
                                                     by: actor.auditActor))
            return
        }
        let tableOnTerminal = !json && !csv && isatty(STDOUT_FILENO) == 1
        let page = try await store.compliance.searchPage(
            query, limit: limit ?? (tableOnTerminal ? Self.terminalPage : nil), offset: offset,
            includeRestricted: includeRestricted, by: actor.auditActor)
        var hits = page.hits
        if !csv && !noSnippets { hits = try await snippets(page.hits, query: query, store: store) }
        if json {
            print(try SearchOutput.json(hits))
        } else if csv {
            print(SearchOutput.csv(hits), terminator: "")
        } else {
            print(SearchOutput.table(hits, width: tableOnTerminal ? SearchOutput.terminalWidth() : nil),
                  terminator: "")
            print(SearchOutput.footer(page))
        }
        // JSON and CSV carry only the rows; a page that leaves messages out says so where a person looks.
        if (json || csv) && page.isPartial {
            FileHandle.standardError.write(Data((SearchOutput.footer(page) + "\n").utf8))
        }
    }

    /// The hits with their snippets; without them (said on standard error) where the data
    /// directory requires an operator for content reads and none was named, or the named
    /// operator's key cannot be unlocked: the search itself needs no operator and still answers.
    private func snippets(_ hits: [SearchHit], query: SearchQuery, store: MailStore) async throws -> [SearchHit] {
        func leftOut(_ reason: String) -> [SearchHit] {
            FileHandle.standardError.write(Data("snippets left out: \(reason)\n".utf8))
            return hits
        }
        let reader: AuditActor
        do { reader = try await signing.contentReader(else: actor.auditActor) } catch { return leftOut("\(error)") }
        do {
            return try await store.compliance.addingSnippets(to: hits, query: query, by: reader)
        } catch ComplianceError.operatorRequired(let reason) {
            return leftOut(reason)
        }
    }
}
