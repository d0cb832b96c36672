/// Bounds that keep the parse of hostile input linear and shallow, each with its reason.
public struct MIMELimits: Sendable {
    /// Nesting of multiparts and encapsulated messages. Real mail rarely passes 10 levels;
    /// 64 keeps recursion (two stack frames per level) far from any thread's stack limit and
    /// each line's boundary check short. Deeper entities are kept opaque (`.nestingTooDeep`).
    public var nestingDepth = 64
    /// Children of one multipart. Each child costs a `MIMEPart` (a few hundred bytes), so a
    /// message of millions of empty parts could otherwise cost far more memory than its size.
    /// Body parts past the limit are skipped (not listed as children).
    public var partsPerMultipart = 10_000

    public init() {}
}
