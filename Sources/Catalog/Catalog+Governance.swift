import Foundation
import GRDB
import StoreModel

extension CatalogGovernance {
    /// The operators, by name.
    public func operators() async throws -> [GovernanceState.Operator] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT name, role, public_key, added_by, added_at, revoked_by, revoked_at FROM governance_operator
                ORDER BY name
                """).map { row in
                GovernanceState.Operator(
                    record: OperatorRecord(name: row[0], role: OperatorRole(rawValue: row[1]) ?? .auditor,
                                           publicKey: row[2]),
                    addedBy: row[3], addedAt: Date(timeIntervalSince1970: row[4]), revokedBy: row[5],
                    revokedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func addOperator(_ added: OperatorRecord, by signer: String, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO governance_operator (name, role, public_key, added_by, added_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [added.name, added.role.rawValue, added.publicKey.lowercased(), signer,
                                 time.timeIntervalSince1970])
        }
    }

    public func revokeOperator(_ name: String, by signer: String, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE governance_operator SET revoked_by = ?, revoked_at = ? WHERE name = ? AND revoked_at IS NULL
                """, arguments: [signer, time.timeIntervalSince1970, name])
        }
    }

    /// Makes the cached governance tables say what `state` (folded from the archive) says, in one
    /// transaction: operators, their IMAP access, the protection settings and the private-mail rule
    /// exactly; holds, restrictions, locks and plans the chain knows replace their rows, while rows
    /// the chain does not know stay (holds and locks only keep more mail, no purge relies on a plan
    /// the chain lacks, and `verify` names them as unvouched); restricted messages are recomputed.
    public func rebuildGovernance(from state: GovernanceState) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM governance_operator")
            for op in state.operators.values {
                try db.execute(sql: """
                    INSERT INTO governance_operator (name, role, public_key, added_by, added_at, revoked_by, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [op.record.name, op.record.role.rawValue, op.record.publicKey.lowercased(), op.addedBy,
                                     op.addedAt.timeIntervalSince1970, op.revokedBy, op.revokedAt?.timeIntervalSince1970])
            }
            for hold in state.holds.values {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO legal_hold (name, query, reason, created_by, created_at, released_by,
                        released_at, release_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [hold.name, hold.query, hold.reason, hold.createdBy, hold.createdAt.timeIntervalSince1970,
                                     hold.releasedBy, hold.releasedAt?.timeIntervalSince1970, hold.releaseReason])
            }
            for lock in state.locks.values {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO retention_lock (policy, match, retain, count_from, action, file, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [lock.policy, lock.match, lock.retain, lock.countFrom, lock.action, lock.file,
                                     lock.recordedAt.timeIntervalSince1970])
            }
            for plan in state.plans.values {
                try db.execute(sql: "DELETE FROM purge_plan WHERE id = ?", arguments: [plan.version.id])
                try db.execute(sql: """
                    INSERT INTO purge_plan (id, created_by, created_at, as_of, archive_state, policy_fingerprint, status,
                        decided_by, decided_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [plan.version.id, plan.madeBy, plan.madeAt.timeIntervalSince1970,
                                     plan.version.asOf.timeIntervalSince1970, plan.version.archiveState,
                                     plan.version.policyFingerprint, plan.status.rawValue, plan.decidedBy,
                                     plan.decidedAt?.timeIntervalSince1970, plan.outcome])
                for item in plan.version.items {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO purge_plan_item (plan, sha256, policy, scope, expired_at) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [plan.version.id, item.sha256, item.policy, item.scope.rawValue,
                                         (item.expiredAt ?? plan.version.asOf).timeIntervalSince1970])
                }
            }
            try Self.rebuildRestrictions(Array(state.restrictions.values), in: db)
            try db.execute(sql: "DELETE FROM private_mail_rule")
            if let setting = state.privateMail { try Self.setPrivateMailRule(setting, in: db) }
            try db.execute(sql: "DELETE FROM operator_access")
            for (name, access) in state.access {
                try Self.insert(access, named: name, db)
            }
            for (proposal, _) in state.proposals.values {
                try db.execute(sql: "DELETE FROM protection_proposal WHERE id = ?", arguments: [proposal.id])
                try db.execute(sql: """
                    INSERT INTO protection_proposal (id, from_require_approval, from_auto_purge, require_approval,
                        auto_purge, created_by, created_at, status, decided_by, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [proposal.id, proposal.from.requireApproval, proposal.from.autoPurge,
                                     proposal.settings.requireApproval, proposal.settings.autoPurge, proposal.createdBy,
                                     proposal.createdAt.timeIntervalSince1970, proposal.status.rawValue,
                                     proposal.decidedBy, proposal.decidedAt?.timeIntervalSince1970])
            }
        }
    }
}
