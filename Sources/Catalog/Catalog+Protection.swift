import Foundation
import GRDB
import StoreModel

/// The cached protection settings as the catalog holds them, with the governance record behind them.
public struct StoredProtection: Sendable, Hashable {
    public var settings: ProtectionSettings
    public var changedBy: String
    public var changedAt: Date
    public var record: RecordLocation
}

extension CatalogGovernance {
    /// The current settings; nil when they were never set (both off).
    public func protection() async throws -> StoredProtection? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT require_approval, auto_purge, changed_by, changed_at, record_segment, record_offset, require_operator
                FROM protection_setting WHERE id = 1
                """).map { row in
                StoredProtection(
                    settings: ProtectionSettings(requireApproval: row[0], autoPurge: row[1], requireOperator: row[6]),
                    changedBy: row[2], changedAt: Date(timeIntervalSince1970: row[3]),
                    record: RecordLocation(segment: UInt32(row[4] as Int64), offset: UInt64(row[5] as Int64)))
            }
        }
    }

    /// Caches a journaled change; with `proposal`, marks that proposal approved in the same transaction.
    public func setProtection(_ change: ProtectionChange, record: RecordLocation) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO protection_setting (id, require_approval, auto_purge, changed_by, changed_at, record_segment,
                    record_offset, require_operator) VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET require_approval = excluded.require_approval,
                    auto_purge = excluded.auto_purge, changed_by = excluded.changed_by, changed_at = excluded.changed_at,
                    record_segment = excluded.record_segment, record_offset = excluded.record_offset,
                    require_operator = excluded.require_operator
                """, arguments: [change.settings.requireApproval, change.settings.autoPurge, change.by,
                                 change.at.timeIntervalSince1970, Int64(record.segment), Int64(record.offset),
                                 change.settings.requireOperator])
            if let proposal = change.proposal {
                try db.execute(sql: """
                    UPDATE protection_proposal SET status = 'approved', decided_by = ?, decided_at = ?
                    WHERE id = ? AND status = 'pending'
                    """, arguments: [change.approvedBy, change.at.timeIntervalSince1970, proposal])
            }
        }
    }

    public func saveProtectionProposal(_ proposal: ProtectionProposal) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO protection_proposal (id, from_require_approval, from_auto_purge, require_approval, auto_purge,
                    created_by, created_at, status, from_require_operator, require_operator)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [proposal.id, proposal.from.requireApproval, proposal.from.autoPurge,
                                 proposal.settings.requireApproval, proposal.settings.autoPurge, proposal.createdBy,
                                 proposal.createdAt.timeIntervalSince1970, proposal.status.rawValue,
                                 proposal.from.requireOperator, proposal.settings.requireOperator])
        }
    }

    public func protectionProposal(id: String) async throws -> ProtectionProposal? {
        try await protectionProposals(where: "id = ?", [id]).first
    }

    /// All proposals, oldest first.
    public func protectionProposals() async throws -> [ProtectionProposal] {
        try await protectionProposals(where: "1", [])
    }

    private func protectionProposals(where condition: String, _ arguments: StatementArguments) async throws
        -> [ProtectionProposal]
    {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, from_require_approval, from_auto_purge, require_approval, auto_purge, created_by, created_at,
                    status, decided_by, decided_at, from_require_operator, require_operator
                FROM protection_proposal WHERE \(condition) ORDER BY created_at, id
                """, arguments: arguments).map { row in
                ProtectionProposal(
                    id: row[0], from: ProtectionSettings(requireApproval: row[1], autoPurge: row[2], requireOperator: row[10]),
                    settings: ProtectionSettings(requireApproval: row[3], autoPurge: row[4], requireOperator: row[11]),
                    createdBy: row[5],
                    createdAt: Date(timeIntervalSince1970: row[6]),
                    status: ProtectionProposal.Status(rawValue: row[7]) ?? .withdrawn, decidedBy: row[8],
                    decidedAt: (row[9] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }
}
