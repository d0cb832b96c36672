import QueryLanguage

/// One `[[rule]]` of a DLP rule file. It matches an outgoing message when every detector finds
/// something and the query (if any) matches: `detect = ["attachment-type", "external-recipient"]`
/// is "a PDF leaving the organisation", not "any PDF or any external mail".
public struct DLPRule: Sendable {
    public var name: String
    public var detectors: [DLPDetector]
    /// A condition in the search language, evaluated on the one outgoing message as `tresor search`
    /// would evaluate it once indexed (`PolicyMatcher`); nil: no condition.
    public var query: SearchQuery?
    public var queryText: String?
    public var action: DLPAction
    /// Where the rule was defined, for messages and the audit trail.
    public var file: String
    public var line: Int

    public init(name: String, detectors: [DLPDetector], query: SearchQuery? = nil, queryText: String? = nil,
                action: DLPAction, file: String = "", line: Int = 0) {
        self.name = name
        self.detectors = detectors
        self.query = query
        self.queryText = queryText
        self.action = action
        self.file = file
        self.line = line
    }
}
