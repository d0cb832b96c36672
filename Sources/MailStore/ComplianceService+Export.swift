import ArchiveStore
import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What an export may sign with: the archive's key, which never leaves this module.
public struct ExportSigner: Sendable {
    let key: ArchiveKey

    /// Hex of the archive's Ed25519 public key, recorded in `export.json`.
    public var publicKeyHex: String { key.publicKeyHex }

    /// The Ed25519 signature (64 bytes) of `bytes`.
    public func sign(_ bytes: [UInt8]) -> [UInt8] { key.sign(bytes) }
}

extension ComplianceService {
    /// The messages a query export writes, newest first. Audited as the start of an export (the
    /// query and the ids chosen), since every one of them will be read.
    public func exportSelection(_ query: SearchQuery, describing selection: String, by actor: AuditActor)
        async throws(ComplianceError) -> [SearchHit]
    {
        try await catching {
            try await admitContentRead("export \(selection)", by: actor)
            let hits = try await catalog.messages.search(query, limit: nil, offset: 0)
            try await audit("export start", "\(selection) "
                                + Self.searchDetail(query, limit: nil, offset: 0, total: hits.count, hits: hits),
                            count: hits.count, by: actor)
            return hits
        }
    }

    /// The hold of a case export and the messages its query matches now, newest first; nil when
    /// there is no such hold. Private messages (the private-mail rule) are left out unless
    /// `includePrivate` — the case then names them explicitly, and the trail says so. Audited as the
    /// start of an export, with how many private messages were left out.
    public func exportSelection(forHold name: String, includePrivate: Bool = false, by actor: AuditActor)
        async throws(ComplianceError) -> (hold: LegalHold, hits: [SearchHit], privateLeftOut: Int)?
    {
        try await catching {
            try await admitContentRead("export case=\(Self.quoted(name))", by: actor)
            guard let hold = try await catalog.governance.legalHold(named: name) else { return nil }
            let query = try Self.parse(hold.query)
            var hits = try await catalog.messages.search(query, limit: nil, offset: 0)
            var leftOut = 0
            let privateNote: String
            if includePrivate {
                privateNote = " private=included"
            } else {
                let privateIDs = try await privateMessages()
                let before = hits.count
                hits.removeAll { privateIDs.contains($0.id) }
                leftOut = before - hits.count
                privateNote = " private-left-out=\(leftOut)"
            }
            try await audit("export start", "case=\(Self.quoted(name)) "
                                + Self.searchDetail(query, limit: nil, offset: 0, total: hits.count, hits: hits)
                                + privateNote,
                            count: hits.count, by: actor)
            return (hold, hits, leftOut)
        }
    }

    /// The folders of a user an export writes (with their messages, drafts included). Audited as
    /// the start of an export.
    public func exportMailboxes(of user: String, folders: [String], by actor: AuditActor)
        async throws(ComplianceError) -> [(folder: String, snapshot: MailboxSnapshot)]
    {
        try await catching {
            try await admitContentRead("export mailbox=\(AccountAddress.fold(user))", by: actor)
            var result: [(folder: String, snapshot: MailboxSnapshot)] = []
            // An export is no owner's view: restricted messages are in it (the export is audited).
            for folder in folders {
                result.append((folder, try await store.mailboxes.snapshot(folder, of: user, hidingRestricted: false)))
            }
            try await audit("export start", "mailbox=\(AccountAddress.fold(user)) folders=\(folders.joined(separator: ","))",
                            count: result.reduce(0) { $0 + $1.snapshot.messages.count }, by: actor)
            return result
        }
    }

    /// `user:folder` for every placement of the given messages, across all users (an export's
    /// manifest lists where each message was filed).
    public func placements(of wanted: Set<String>) async throws(ComplianceError) -> [String: [String]] {
        try await catching {
            guard !wanted.isEmpty else { return [:] }
            var result: [String: [String]] = [:]
            for user in try await catalog.accounts.users() {
                for mailbox in try await catalog.mailboxes.mailboxes(of: user) where mailbox.messages > 0 {
                    for message in try await catalog.mailboxes.messages(in: mailbox.name, of: user)
                    where wanted.contains(message.sha256) {
                        let name = "\(user):\(mailbox.name)"
                        if result[message.sha256, default: []].last != name {
                            result[message.sha256, default: []].append(name)
                        }
                    }
                }
            }
            return result
        }
    }

    /// The archive's seal key in effect, to sign an export with (after any rotation by another
    /// process), so that the export's signature and the HEAD it records name the same key.
    public func exportSigner() async throws(ComplianceError) -> ExportSigner {
        try await catching { ExportSigner(key: try await store.archive.currentSealKey().key) }
    }

    /// The archive's HEAD (nil before the first write), checked to be signed by the archive key:
    /// an export records it, so that it names a point of the chain that covers every message.
    public func signedHead() async throws(ComplianceError) -> ArchiveHead? {
        try await catching {
            let signer = try await exportSigner()
            let directory = store.dataDirectory
            let head = try await BlockingWork.io.run { try ArchiveHead.read(dataDirectory: directory) }
            if let head, !head.isSigned(by: signer.key.publicKey) {
                throw ComplianceError.storage(StorageFailure(kind: .damaged,
                                                             description: "archive/HEAD is not signed by the archive key"))
            }
            return head
        }
    }
}
