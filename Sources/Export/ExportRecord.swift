import Foundation
import MailStore

/// `export.json`: what an export is, for the person who receives it. Keys in snake_case, sorted,
/// dates in ISO 8601 UTC. Its exact bytes are signed (`ExportSignature`).
public struct ExportRecord: Codable, Sendable, Hashable {
    /// Of this file's layout; a verifier refuses versions it does not know.
    public var exportVersion: Int
    public var tresorVersion: String
    public var format: ExportFormat
    /// Who ran the export (`--actor`, else the OS user).
    public var createdBy: String
    public var startedAt: Date
    public var completedAt: Date
    public var selection: Selection
    public var counts: Counts
    public var archive: ArchiveState
    /// SHA-256 of `manifest.csv`.
    public var manifestSha256: String

    public static let fileName = "export.json"
    public static let currentVersion = 1

    /// Exactly what was asked for.
    public struct Selection: Codable, Sendable, Hashable {
        public var kind: Kind
        /// The query as given; for a case, the hold's query at the time of the export.
        public var query: String?
        public var user: String?
        /// The folder asked for (nil: all the user's folders).
        public var folder: String?
        /// The folders exported, in order.
        public var folders: [String]?
        /// For a case export: the legal hold as it stood.
        public var legalHold: LegalHoldState?
        /// For a case export: private messages left out (the private-mail rule), or nil when the
        /// export included them (`include_private`).
        public var privateMessagesLeftOut: Int?
        /// For a case export that names its private messages explicitly: true.
        public var includePrivate: Bool?
        /// For a subject-access export: the address and what was found.
        public var subjectAccess: SubjectAccessSummary?
    }

    /// The summary of a subject-access export (GDPR Art. 15). Counts are of distinct messages; a
    /// message counts once under each folder it is filed in and each role the address has in it.
    public struct SubjectAccessSummary: Codable, Sendable, Hashable {
        /// The address, folded as the index folds it.
        public var address: String
        public var messages: Int
        /// Messages a restriction of processing hides from their owners; they are in the export.
        public var restrictedMessages: Int
        public var note: String
        /// "user:folder", or "(archive only)" for a message no mailbox holds now.
        public var byFolder: [Count]
        /// The year of the message's Date field (else of its arrival), UTC.
        public var byYear: [Count]
        /// from, sender, reply-to, to, cc, bcc, envelope-from, envelope-to.
        public var byRole: [Count]

        public struct Count: Codable, Sendable, Hashable {
            public var name: String
            public var messages: Int
        }
    }

    /// How the messages were chosen (the JSON value in parentheses).
    public enum Kind: String, Codable, Sendable, Hashable {
        /// `--query` ("query").
        case query
        /// `--mailbox` ("mailbox").
        case mailbox
        /// `--case` ("case").
        case legalHold = "case"
        /// `--subject` ("subject-access").
        case subjectAccess = "subject-access"
    }

    public struct LegalHoldState: Codable, Sendable, Hashable {
        public var name: String
        public var reason: String
        public var createdBy: String
        public var createdAt: Date
        public var active: Bool
        public var releasedBy: String?
        public var releasedAt: Date?
        public var releaseReason: String?
    }

    public struct Counts: Codable, Sendable, Hashable {
        /// Manifest rows: exported messages (a message in two folders counts twice).
        public var messages: Int
        /// Distinct SHA-256s among them.
        public var distinctMessages: Int
        /// Drafts among the messages (not in the archive).
        public var drafts: Int
        /// Files under `messages/`.
        public var files: Int
        /// Octets of the messages as archived.
        public var bytes: Int64
    }

    public struct ArchiveState: Codable, Sendable, Hashable {
        /// Hex Ed25519 public key of the archive, which made `export.sig`.
        public var publicKey: String
        /// The archive's signed HEAD when the messages were chosen (nil for an archive that was
        /// never written to), in ArchiveStore's JSON form of it.
        public var head: ArchiveHead?
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public func encoded() throws -> [UInt8] {
        Array(try Self.encoder().encode(self)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) throws -> ExportRecord {
        try decoder().decode(ExportRecord.self, from: Data(bytes))
    }
}
