// Placeholder until the validator lands (issue 5, in progress).
enum SieveValidator {
    static let supportedExtensions: [String] = []
    static func validate(_ commands: [SieveCommand]) throws(SieveError) -> (commands: [SieveCommand], extensions: Set<String>) {
        (commands, [])
    }
}
