import Foundation

/// The operators CLI tests act as: keys under the test's own folder (never the user's
/// configuration), one passphrase for every key, `alice` unless a test says otherwise. `tresor init`
/// run in this environment makes alice the first admin.
enum TestOperators {
    static let passphrase = "correct horse battery staple"

    static func environment(_ dir: URL, as person: String = "alice") -> [String: String] {
        [
            "TRESOR_OPERATOR_KEYS": dir.appendingPathComponent("operators", isDirectory: true).path,
            "TRESOR_OPERATOR": person,
            "TRESOR_PASSPHRASE": passphrase,
            "TRESOR_NEW_PASSPHRASE": passphrase,
        ]
    }
}
