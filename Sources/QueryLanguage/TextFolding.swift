import Foundation

/// The one folding used for every exact comparison the catalog makes outside FTS5
/// (addresses, domains, Message-IDs, sources): case and diacritics removed, so that
/// `Zoë@Example.COM` and `zoe@example.com` compare equal. FTS5 columns get the same effect
/// from `tokenize = "unicode61 remove_diacritics 2"`.
package enum TextFolding {
    package static func key(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
