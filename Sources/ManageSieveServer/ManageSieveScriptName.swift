/// Script names (RFC 5804 §1.6): checked here, before any backend sees them.
public enum ManageSieveScriptName {
    /// The longest name accepted, in octets. RFC 5804 §1.6 requires at least 128 characters
    /// (512 octets of UTF-8) and forbids truncation; quoted strings carry at most 1024 octets.
    public static let maximumOctets = 1024

    /// A valid name as a String, or the reason it is not one.
    ///
    /// RFC 5804 §1.6: UTF-8, Net-Unicode (RFC 5198 §2), at least one octet, and none of
    /// U+0000–U+001F, U+007F, U+0080–U+009F, U+2028, U+2029. (Net-Unicode's normalization to
    /// NFC is not checked: the standard library has no public normalization check.)
    public static func validate(_ bytes: [UInt8]) -> Result<String, ManageSieveSyntaxError> {
        guard !bytes.isEmpty else { return .failure(.badScriptName("A script name may not be empty")) }
        guard bytes.count <= maximumOctets else {
            return .failure(.badScriptName("Script names are limited to \(maximumOctets) octets"))
        }
        guard let name = String(validating: bytes, as: UTF8.self) else {
            return .failure(.badScriptName("A script name must be UTF-8"))
        }
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F, 0x80...0x9F, 0x2028, 0x2029:
                return .failure(.badScriptName("A script name may not contain control characters or line separators"))
            default:
                continue
            }
        }
        return .success(name)
    }
}
