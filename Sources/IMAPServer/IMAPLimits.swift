/// Every limit of the IMAP protocol layer, each with its reason.
public struct IMAPLimits: Hashable, Sendable {
    /// Longest command line (between literals). RFC 7162 §4 asks clients to keep lines under
    /// 8192 octets and servers to accept at least that; long UID sets need more.
    public var lineLength = 65_536
    /// Largest literal of an APPEND message (RFC 7889 APPENDLIMIT advertises it). Announcing a
    /// larger one is refused with [TOOBIG] (RFC 4469 §5) before any of it is read.
    public var messageSize = 64 << 20
    /// APPEND message literals larger than this are not kept in the command: the parser hands
    /// their octets out as they arrive (`IMAPCommandParser.Event.literalOctets`) and the
    /// connection writes them to a spool file, so an upload holds one read buffer, not the message.
    public var inMemoryLiteralSize = 256 << 10
    /// Largest literal in any other argument (a password, a search string, a mailbox name).
    public var stringLiteralSize = 65_536
    /// Largest non-synchronizing literal when the server announces LITERAL- instead of LITERAL+
    /// (RFC 7888 §5: 4096 octets). Nil means LITERAL+: any size up to the limits above.
    public var nonSynchronizingLiteralSize: Int? = nil
    /// One command with all its literals (a MULTIAPPEND of several messages, a SEARCH with many
    /// string literals): bounded so that no command holds more memory than this.
    public var commandSize = 80 << 20
    /// Messages in one MULTIAPPEND (RFC 3502); each is bounded by `messageSize` too.
    public var messagesPerAppend = 64
    /// Nesting of parenthesised lists (search keys, flags): the parser recurses on it.
    public var nestingDepth = 32
    /// RFC 2971 §3.3: at most 30 field-value pairs in ID.
    public var idPairs = 30

    public init() {}

    /// LITERAL- (RFC 7888 §5): non-synchronizing literals only up to 4096 octets.
    public static var literalMinus: IMAPLimits {
        var limits = IMAPLimits()
        limits.nonSynchronizingLiteralSize = 4096
        return limits
    }
}
