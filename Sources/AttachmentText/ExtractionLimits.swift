/// The bounds every attachment is read within, so that no single attachment — hostile or just big —
/// can take unbounded time, memory or disk: what is over a bound is recorded unextracted with the
/// reason, never half-read silently.
public struct ExtractionLimits: Sendable, Hashable {
    /// Largest attachment (decoded bytes) that is read at all.
    public var maximumAttachmentBytes: Int
    /// Most bytes all members of one ZIP container (an Office file, an OpenDocument file, a `.zip`)
    /// may expand to together.
    public var maximumUncompressedBytes: Int
    /// Largest ratio of a member's expanded size to its compressed size: deflate reaches about
    /// 1032:1 at most, real documents stay far below 100:1, and a ZIP bomb lives above.
    public var maximumCompressionRatio: Int
    /// Most members of one ZIP container.
    public var maximumMembers: Int
    /// Most text kept per attachment (UTF-8 bytes); the rest is cut, like the body text.
    public var maximumTextBytes: Int
    /// Wall-clock time one attachment may take (the PDF tool is killed past it; in-process readers
    /// check it between steps).
    public var timeLimit: Duration
    /// Address space the PDF tool may use.
    public var toolMemoryBytes: Int

    public init(maximumAttachmentBytes: Int = 50 << 20, maximumUncompressedBytes: Int = 200 << 20,
                maximumCompressionRatio: Int = 200, maximumMembers: Int = 10_000, maximumTextBytes: Int = 4 << 20,
                timeLimit: Duration = .seconds(60), toolMemoryBytes: Int = 1 << 30) {
        self.maximumAttachmentBytes = maximumAttachmentBytes
        self.maximumUncompressedBytes = maximumUncompressedBytes
        self.maximumCompressionRatio = maximumCompressionRatio
        self.maximumMembers = maximumMembers
        self.maximumTextBytes = maximumTextBytes
        self.timeLimit = timeLimit
        self.toolMemoryBytes = toolMemoryBytes
    }

    public static let standard = ExtractionLimits()
}

/// When an in-process reader has to give up. `now` is injected so tests can run out of time at will.
struct Deadline: Sendable {
    let end: ContinuousClock.Instant
    let now: @Sendable () -> ContinuousClock.Instant

    func check() throws(ExtractionStop) {
        if now() >= end { throw ExtractionStop(reason: .timedOut) }
    }
}
