/// A list of archive public keys in a text file, the form in which auditors keep the keys they
/// trust (`verify --public-key FILE`, `verify-export --public-key FILE`) and in which the data
/// directory publishes its chain of keys (`keys/archive.ed25519.chain`): one key a line, 64 hex
/// digits, oldest first. Blank lines and lines that start with `#` are ignored, so a file made by
/// hand may say where each key came from. A file with one key is the archive's `.pub` file.
public enum ArchiveKeyList {
    /// Why a file is not a list of keys, with its line.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int?
        public var problem: String
        public var description: String { line.map { "line \($0): \(problem)" } ?? problem }
    }

    /// The keys of `text`, in order; an error for a line that is not a key, or for a file without any.
    public static func parse(_ text: String) -> Result<[ArchivePublicKey], ParseError> {
        var keys: [ArchivePublicKey] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(line).trimmingASCIIWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let key = ArchivePublicKey(hex: trimmed) else {
                return .failure(ParseError(line: index + 1, problem: "not an Ed25519 public key in hex (64 digits)"))
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { return .failure(ParseError(line: nil, problem: "holds no public key")) }
        return .success(keys)
    }

    /// The file's text for `keys`: one hex key a line.
    public static func text(_ keys: [ArchivePublicKey]) -> String {
        keys.map { $0.hex + "\n" }.joined()
    }
}
