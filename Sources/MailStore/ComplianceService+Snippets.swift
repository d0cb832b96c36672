import AttachmentText
import Catalog
import MailMessage
import QueryLanguage
import StoreModel

/// Snippets for legal search: for each hit, a stretch of its text with the query's words marked.
///
/// Where the text comes from: the message itself, read back from the archive, not the index.
/// `message_fts` is contentless (it keeps terms, no text, so FTS5's `snippet()` has nothing to cut
/// from), and `attachment_fts` keeps only the folded text of all a message's attachments run
/// together, which would show "strasse" for "Straße" and could not say which attachment spoke.
/// Reading the message costs one archive read per hit shown (plus re-reading attachment documents
/// when neither the body nor the subject holds a word), and it is a read of content like
/// `tresor show --text`: admitted the same way (an operator's key where the data directory
/// requires one) and audited as "search snippets", naming every message whose text was shown.
/// Where the words stand is found by `MatchHighlighter`, i.e. by FTS5 itself, so the marks agree
/// with what the search matched (ß/ss, diacritics, prefixes, phrases).
extension ComplianceService {
    /// `hits` with a snippet each (nil where none of the query's words stands in the text read:
    /// a match on an address, a date or `has:` only). A query without free words, `subject:`,
    /// `body:` or `in:attachment:` reads nothing and records nothing.
    public func addingSnippets(to hits: [SearchHit], query: SearchQuery,
                               extractor: AttachmentExtractor = AttachmentExtractor(),
                               by actor: AuditActor) async throws(ComplianceError) -> [SearchHit] {
        let expressions = SnippetExpressions(query)
        guard !hits.isEmpty, expressions.any else { return hits }
        return try await catching {
            try await admitContentRead("search snippets", by: actor)
            var result = hits
            var shown: [String] = []
            for index in result.indices {
                guard let raw = try await store.reader.content(sha256: result[index].id) else { continue }
                let snippet = try await snippet(Message(parsing: raw), id: result[index].id, expressions: expressions,
                                                extractor: extractor)
                result[index].snippet = snippet
                if snippet != nil { shown.append(result[index].id) }
            }
            if !shown.isEmpty {
                try await audit("search snippets", "query=\(Self.quoted(query.text)) messages=\(shown.joined(separator: ","))",
                                count: shown.count, by: actor)
            }
            return result
        }
    }

    /// The first place a word stands: the body text (every text-bearing part, as indexed), then
    /// each attachment document in order, then the subject. Attachment documents are read again
    /// only when the attachment index says a word stands in them (extraction costs far more than
    /// the other two, and a free word may have matched an address instead).
    func snippet(_ message: Message, id: String, expressions: SnippetExpressions,
                 extractor: AttachmentExtractor) async throws -> SearchSnippet? {
        if let body = expressions.body {
            let text = message.plainText()  // the limit the body is indexed with
            let matches = try await MatchHighlighter.matches(of: body, in: text)
            if let snippet = SnippetWindow.cut(text, matches: matches, source: .body) { return snippet }
        }
        if let attachments = expressions.attachments,
            try await catalog.messages.attachmentTextMatches(attachments, sha256: id) {
            for attachment in message.attachmentDocuments {
                let extracted = await extractor.extract(attachment.document)
                guard !extracted.text.isEmpty else { continue }
                let matches = try await MatchHighlighter.matches(of: attachments, in: extracted.text)
                if let snippet = SnippetWindow.cut(extracted.text, matches: matches, source: .attachment,
                                                   attachment: attachment.document.fileName, part: attachment.partNumber) {
                    return snippet
                }
            }
        }
        if let subject = expressions.subject, let text = message.subject {
            let matches = try await MatchHighlighter.matches(of: subject, in: text)
            if let snippet = SnippetWindow.cut(text, matches: matches, source: .subject) { return snippet }
        }
        return nil
    }
}

/// The FTS5 expressions a snippet looks for in each kind of text (nil: the query has no word for it).
struct SnippetExpressions: Sendable {
    let subject, body, attachments: String?

    init(_ query: SearchQuery) {
        subject = MatchHighlighter.expression(query, for: .subject)
        body = MatchHighlighter.expression(query, for: .body)
        attachments = MatchHighlighter.expression(query, for: .attachmentText)
    }

    var any: Bool { subject != nil || body != nil || attachments != nil }
}
