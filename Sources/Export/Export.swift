import MailStore
/// Export: evidence leaves Tresor as files that standard tools read (mbox, Maildir, `.eml`)
/// and that prove they were not altered (`manifest.csv`, `SHA256SUMS`, a signed `export.json`).
///
/// Invariants
/// - Every exported message is byte-identical to what the archive (or, for a draft, the
///   catalog's draft store) holds: the bytes are read by SHA-256 and hashed again as they are
///   written; a mismatch aborts the export. mbox is the one format that adds bytes: the
///   "From " separator, one ">" before lines that match `>*From ` (mboxrd, reversible), and a
///   line end after a message that lacks one (RFC 4155 §2); the manifest keeps the original's
///   SHA-256 and size, so `verify-export` checks each message after undoing exactly that.
/// - Never an export that looks complete but is not: `INCOMPLETE` is the first file written
///   (and fsync'd), and it is removed only after every file and directory is fsync'd and the
///   export is in the audit log. `verify-export` refuses a folder that still has it.
/// - Never writes into a non-empty folder, and never through an existing file (`O_EXCL`).
/// - The signature binds everything: `SHA256SUMS` names every other file except `export.json`
///   and `export.sig` (manifest included), `export.json` names the manifest's SHA-256, and
///   `export.sig` is the archive key's Ed25519 signature over both (`ExportSignature`).
/// - Verification needs no data directory: only the export folder and, optionally, the
///   archive's published public key.
///
/// Layout of an export folder
/// ```
/// DIR/INCOMPLETE                 only while writing, or after an interruption
/// DIR/messages/…                 the messages:
///     query, case or subject:  export.mbox | cur/ new/ tmp/ (Maildir) | <date>_<sha256>.eml
///     mailbox:        <folder>.mbox | <folder>/cur/ new/ tmp/ | <folder>/<date>_<sha256>.eml
///                     one per IMAP folder, nested folders as nested directories (`ExportPaths`)
/// DIR/manifest.csv               one row per exported message, in file order (`ManifestCSV`)
/// DIR/SHA256SUMS                 `sha256sum -c` format, every file but the three below
/// DIR/export.json                who, when, what was asked, counts, archive head and key
/// DIR/export.sig                 hex Ed25519 signature (`ExportSignature.signedBytes`)
/// ```

/// The file format of the exported messages.
public enum ExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// mboxrd (RFC 4155 §2 and its mboxrd escaping): one file per folder.
    case mbox
    /// Maildir (cr.yp.to/proto/maildir.html): one file per message in `cur/`, IMAP flags in the
    /// name's info part (`:2,FRS`).
    case maildir
    /// One RFC 5322 message per `.eml` file, named by date and SHA-256.
    case eml
}

/// What to export, as the user asked for it.
public enum ExportSelection: Sendable, Hashable {
    /// The archive's messages that match a query of the search language (`SearchQuery`).
    case query(String)
    /// A user's folders as IMAP shows them: all of them, or one folder and the folders below it.
    case mailbox(user: String, folder: String?)
    /// What a legal hold covers: the messages its query matches now, without private mail unless
    /// the request includes it (`ExportRequest.includePrivate`).
    case legalHold(name: String)
    /// A data subject's access request (GDPR Art. 15): every message in which the address takes
    /// part, in any role, restricted messages included; `export.json` carries a summary.
    case subjectAccess(address: String)
}

/// The version written into `export.json`.
public enum TresorVersion {
    public static let current = "0.1.0"
}
