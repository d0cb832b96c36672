/// Why a search hit matched: a short stretch of the text that holds the query's words, with each
/// match marked. Cut from the message's own text as read back from the archive (an audited content
/// read), never from the index, which keeps no body text and only folded attachment text.
public struct SearchSnippet: Sendable, Codable, Hashable {
    /// Which text the stretch comes from.
    public enum Source: String, Sendable, Codable, Hashable {
        case subject, body, attachment
    }

    public var source: Source
    /// For an attachment: its file name (nil when it has none) and MIME part number ("2", "1.3").
    public var attachment: String?
    public var part: String?
    /// The stretch as it stands (white space runs shown as one space; "…" where it was cut).
    public var text: String
    /// Where each match stands in `text`: offsets and lengths in Unicode scalars (code points, as
    /// Python and most JSON readers index strings).
    public var matches: [Match]

    public struct Match: Sendable, Codable, Hashable {
        public var offset: Int
        public var length: Int

        public init(offset: Int, length: Int) {
            self.offset = offset
            self.length = length
        }
    }

    public init(source: Source, attachment: String? = nil, part: String? = nil, text: String, matches: [Match]) {
        self.source = source
        self.attachment = attachment
        self.part = part
        self.text = text
        self.matches = matches
    }

    /// `text` with every match in square brackets, for people: "… the [Straße] was closed …".
    public var marked: String {
        var scalars = Array(text.unicodeScalars)
        for match in matches.sorted(by: { $0.offset > $1.offset })
        where match.offset >= 0 && match.offset + match.length <= scalars.count {
            scalars.insert("]", at: match.offset + match.length)
            scalars.insert("[", at: match.offset)
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    private enum CodingKeys: String, CodingKey {
        case source, attachment, part, text, matches, marked
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        source = try container.decode(Source.self, forKey: .source)
        attachment = try container.decodeIfPresent(String.self, forKey: .attachment)
        part = try container.decodeIfPresent(String.self, forKey: .part)
        text = try container.decode(String.self, forKey: .text)
        matches = try container.decode([Match].self, forKey: .matches)
    }

    /// JSON carries the marked text beside the plain one and the offsets.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(attachment, forKey: .attachment)
        try container.encodeIfPresent(part, forKey: .part)
        try container.encode(text, forKey: .text)
        try container.encode(matches, forKey: .matches)
        try container.encode(marked, forKey: .marked)
    }
}
