/// A compiled Sieve script: parsed (RFC 5228 §8) and validated (known commands and tests,
/// argument shapes, `require` before use, `elsif`/`else` only after `if`). Compile once,
/// run many times; a value, safe to share.
public struct SieveScript: Sendable, Hashable {
    /// The script's name (a file name, a ManageSieve script name) — only for messages.
    public let name: String
    public let commands: [SieveCommand]
    /// The capabilities named by `require` (lower-cased), e.g. "fileinto", "imap4flags".
    public let extensions: Set<String>
    /// Every `include` of the script (RFC 6609), in the order written, whether or not a run reaches it.
    public let includeSites: [SieveIncludeSite]

    /// The scripts this one includes.
    public var includes: [SieveIncludeReference] { includeSites.map(\.reference) }

    /// Compiles `source`; throws the first error with its line and column.
    public init(source: String, name: String = "script") throws(SieveError) {
        let parsed = try SieveParser.parse(source)
        let validated = try SieveValidator.validate(parsed)
        self.name = name
        self.commands = validated.commands
        self.extensions = validated.extensions
        self.includeSites = validated.includes
    }

    /// The capability strings this implementation supports (ManageSieve's SIEVE capability,
    /// RFC 5804 §1.7), in a stable order.
    public static var supportedExtensions: [String] { SieveValidator.supportedExtensions }
}
