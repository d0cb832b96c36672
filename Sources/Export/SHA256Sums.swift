import MailStore
/// `SHA256SUMS` in the format GNU `sha256sum -c` checks: per file, 64 lower-case hex digits,
/// two spaces (the second marks text mode, which is binary on POSIX), the relative path, LF.
/// Sorted by path (byte order). Export paths never hold a backslash or a line end
/// (`ExportPaths`), so no name needs sha256sum's escaping.
public enum SHA256Sums {
    public static let fileName = "SHA256SUMS"

    public static func encode(_ sums: [String: String]) -> [UInt8] {
        var out = ""
        for path in sums.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            out += "\(sums[path]!)  \(path)\n"
        }
        return Array(out.utf8)
    }

    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed(line: Int)
        case duplicate(path: String)
        public var description: String {
            switch self {
            case .malformed(let line): "line \(line) is not \"<64 hex digits>  <path>\""
            case .duplicate(let path): "\(path) is listed twice"
            }
        }
    }

    /// Path → hex digest. Accepts the binary-mode marker ("*") too, as sha256sum does.
    public static func decode(_ bytes: [UInt8]) throws(ParseError) -> [String: String] {
        var sums: [String: String] = [:]
        var number = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty { continue }
            let text = String(decoding: line, as: UTF8.self)
            let utf8 = Array(text.utf8)
            guard utf8.count > 66, utf8[64] == 0x20, utf8[65] == 0x20 || utf8[65] == UInt8(ascii: "*") else {
                throw .malformed(line: number)
            }
            let digest = String(decoding: utf8[0..<64], as: UTF8.self)
            guard digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw .malformed(line: number)
            }
            let path = String(decoding: utf8[66...], as: UTF8.self)
            guard sums.updateValue(digest, forKey: path) == nil else { throw .duplicate(path: path) }
        }
        return sums
    }
}
