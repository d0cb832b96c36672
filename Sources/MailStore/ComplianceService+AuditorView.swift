import Catalog
import QueryLanguage
import StoreModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A folder of an auditor's tree as it is now: its UIDVALIDITY and its messages, UID ascending.
public struct AuditorFolderView: Sendable, Hashable {
    public struct Message: Sendable, Hashable {
        /// The catalog's message row id.
        public var uid: UInt32
        public var sha256: String
        public var archivedAt: Date
        /// Octets with CRLF line ends.
        public var transmittedSize: Int
    }

    public var folder: AuditorFolder
    public var uidValidity: UInt32
    public var messages: [Message]
}

/// Auditors' read-only view of the archive over IMAP. Every call resolves the operator's scope
/// afresh from the catalog's governance cache (`auditorScope(of:)`), so a revocation or a changed
/// scope applies to a session already logged in; every message comes from the archive by its
/// SHA-256, never from a user's mailbox. Writes do not exist here.
extension ComplianceService {
    /// IMAP login as an operator: an active auditor or compliance operator with an IMAP password.
    /// Failures wait out the store's throttle like every other login (counted per client address
    /// across protocols); an unknown name costs the same scrypt work as a wrong password.
    public func authenticateAuditor(_ name: String, password: String, client: String, protocolName: String) async
        -> String?
    {
        var matched = false
        do {
            let active = try await catalog.governance.operators().first {
                $0.record.name == name && $0.isActive && ($0.record.role == .auditor || $0.record.role == .compliance)
            }
            let stored = active == nil ? nil
                : try await catalog.governance.operatorAccess(named: name)?.passwordHash.flatMap(PasswordHash.init(phcString:))
            matched = try await BlockingWork.passwordHashing.run {
                guard let stored else {
                    _ = try AccountService.dummyHash.verify(password: password)
                    return false
                }
                return try stored.verify(password: password)
            }
        } catch {
            logger.error("operator authentication lookup failed", metadata: ["error": "\(error)"])
        }
        if matched { return name }
        let delay = store.authenticationThrottle.recordFailure(from: client)
        logger.notice("authentication failed", metadata: ["user": "\(name)", "client": "\(client)",
                                                          "protocol": "\(protocolName)", "operator": "true"])
        try? await Task.sleep(for: delay)
        return nil
    }

    /// The scope of `name` now; nil when they are no active auditor or compliance operator with an
    /// IMAP password (revoked since login, say).
    public func auditorScope(of name: String) async throws(ComplianceError) -> AuditorScope? {
        try await catching {
            guard let op = try await catalog.governance.operators().first(where: { $0.record.name == name }), op.isActive,
                op.record.role == .auditor || op.record.role == .compliance,
                let access = try await catalog.governance.operatorAccess(named: name), access.passwordHash != nil
            else { return nil }
            let definition = access.scope ?? AuditorScopeDefinition(cases: [], query: nil)
            var caseQueries: [String: String] = [:]
            for hold in definition.cases {
                if let found = try await catalog.governance.legalHold(named: hold) { caseQueries[hold] = found.query }
            }
            var hidden = try await privateMessages()
            if !definition.includeRestricted { hidden.formUnion(try await restrictedMessages()) }
            return AuditorScope(operatorName: name, definition: definition, caseQueries: caseQueries,
                                searches: access.searches, hidden: hidden)
        }
    }

    /// The folders of the tree: INBOX (empty), the cases, one per month with messages, the searches.
    public func auditorFolders(of scope: AuditorScope) async throws(ComplianceError) -> [AuditorFolder] {
        try await catching {
            var months: Set<AuditorFolder> = []
            if let condition = scope.condition(for: .month(year: 1970, month: 1)) {
                for message in try await catalog.messages.scopedMessages(matching: condition) where scope.isVisible(message) {
                    months.insert(AuditorFolder.month(of: message.archivedAt))
                }
            }
            return scope.fixedFolders + months.sorted { $0.name < $1.name }
        }
    }

    /// A folder as it is now, or nil when the tree has no such folder.
    public func auditorFolder(_ folder: AuditorFolder, of scope: AuditorScope) async throws(ComplianceError)
        -> AuditorFolderView?
    {
        try await catching {
            guard let rows = try await scopedRows(in: folder, of: scope, ids: nil) else { return nil }
            var messages: [AuditorFolderView.Message] = []
            for message in rows {
                guard let uid = UInt32(exactly: message.id) else { continue }
                var size = message.transmittedSize
                if size == nil, let bytes = try await store.reader.content(sha256: message.sha256) {
                    size = TransmittedSize.of(bytes)
                }
                messages.append(AuditorFolderView.Message(uid: uid, sha256: message.sha256, archivedAt: message.archivedAt,
                                                          transmittedSize: size ?? 0))
            }
            if case .month = folder, messages.isEmpty { return nil }
            return AuditorFolderView(folder: folder, uidValidity: scope.uidValidity(of: folder), messages: messages)
        }
    }

    /// The archived bytes of those of `uids` the folder shows (a UID outside it is left out, as an
    /// expunged one would be). Each read is an audit entry naming the operator, the message and
    /// the client's address, journaled before the bytes are handed out.
    public func auditorMessages(_ uids: [UInt32], in folder: AuditorFolder, of scope: AuditorScope, client: String?)
        async throws(ComplianceError) -> [UInt32: [UInt8]]
    {
        try await catching {
            guard !uids.isEmpty,
                let rows = try await scopedRows(in: folder, of: scope, ids: uids.map { Int64($0) })
            else { return [:] }
            var contents: [UInt32: [UInt8]] = [:]
            var entries: [AuditEntry] = []
            let actor = AuditActor(kind: .operator, name: scope.operatorName, clientAddress: client)
            for message in rows {
                guard let uid = UInt32(exactly: message.id),
                    let bytes = try await store.reader.content(sha256: message.sha256)
                else { continue }
                contents[uid] = bytes
                entries.append(AuditEntry(time: clock.now(), actor: actor, action: "auditor fetch",
                                          detail: "\(message.sha256) in \(folder.name) uid \(uid)", resultCount: 1))
            }
            if !entries.isEmpty { try await journal(entries) }
            return contents
        }
    }

    /// The catalog rows a folder shows (only `ids` among them when given), through `AuditorScope`;
    /// nil when the tree has no such folder.
    private func scopedRows(in folder: AuditorFolder, of scope: AuditorScope, ids: [Int64]?) async throws
        -> [ScopedMessage]?
    {
        switch folder {
        case .inbox, .month:
            break
        case .caseFolder(let name):
            guard scope.fixedFolders.contains(.caseFolder(name)) else { return nil }
        case .search(let name):
            guard scope.searches[name] != nil else { return nil }
        }
        guard let condition = scope.condition(for: folder) else { return [] }
        return try await catalog.messages.scopedMessages(matching: condition, ids: ids)
            .filter { scope.admits($0, in: folder) }
    }
}
