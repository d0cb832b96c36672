extension SieveScript {
    /// Compiles a script given as bytes (a file, a ManageSieve PUTSCRIPT literal). Unlike
    /// decoding to a `String` first, invalid UTF-8 in a string or comment is reported with its
    /// line and column instead of being replaced (RFC 5228 §2.4.2: strings are UTF-8).
    public init(bytes: some Sequence<UInt8>, name: String = "script") throws(SieveError) {
        let parsed = try SieveParser.parse(bytes: Array(bytes))
        let validated = try SieveValidator.validate(parsed)
        self.name = name
        self.commands = validated.commands
        self.extensions = validated.extensions
        self.includeSites = validated.includes
    }
}
