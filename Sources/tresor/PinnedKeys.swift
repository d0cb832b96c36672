import Foundation
import MailStore

/// `--public-key FILE|HEX` of `verify` and `verify-export`: the archive keys an auditor trusts, as
/// 64 hex digits, or a file of them — the data directory's `keys/archive.ed25519.pub` or
/// `keys/archive.ed25519.chain`, or a list kept by hand (one key a line, `#` comments).
enum PinnedKeys {
    static func read(_ argument: String) throws -> [ArchivePublicKey] {
        if !FileManager.default.fileExists(atPath: argument), let key = ArchivePublicKey(hex: argument) {
            return [key]
        }
        guard let bytes = FileManager.default.contents(atPath: argument) else {
            throw CommandError("cannot read the public key file \(argument) (nor is it a key: 64 hex digits)")
        }
        switch ArchiveKeyList.parse(String(decoding: bytes, as: UTF8.self)) {
        case .success(let keys): return keys
        case .failure(let problem): throw CommandError("\(argument): \(problem)")
        }
    }
}
