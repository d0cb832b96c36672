import Foundation
import GRDB
import StoreModel

extension Catalog {
    fileprivate static let planColumns = """
        SELECT id, created_by, created_at, as_of, archive_state, policy_fingerprint, status, decided_by, decided_at, \
        outcome FROM purge_plan
        """

    fileprivate static func purgePlan(_ row: Row) -> PurgePlanRecord {
        PurgePlanRecord(
            id: row[0], createdBy: row[1], createdAt: Date(timeIntervalSince1970: row[2]),
            asOf: Date(timeIntervalSince1970: row[3]), archiveState: row[4], policyFingerprint: row[5],
            status: PurgePlanRecord.Status(rawValue: row[6]) ?? .expired, decidedBy: row[7],
            decidedAt: (row[8] as Double?).map(Date.init(timeIntervalSince1970:)), outcome: row[9], items: [])
    }
}

extension CatalogGovernance {
    /// Stores a new plan and its items in one transaction.
    public func savePurgePlan(_ plan: PurgePlanRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO purge_plan (id, created_by, created_at, as_of, archive_state, policy_fingerprint, status,
                        decided_by, decided_at, outcome)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [plan.id, plan.createdBy, plan.createdAt.timeIntervalSince1970, plan.asOf.timeIntervalSince1970,
                            plan.archiveState, plan.policyFingerprint, plan.status.rawValue, plan.decidedBy,
                            plan.decidedAt?.timeIntervalSince1970, plan.outcome])
            let insert = try db.makeStatement(sql: """
                INSERT INTO purge_plan_item (plan, sha256, policy, scope, expired_at) VALUES (?, ?, ?, ?, ?)
                """)
            for item in plan.items {
                try insert.execute(arguments: [plan.id, item.sha256, item.policy, item.scope.rawValue,
                                               (item.expiredAt ?? plan.asOf).timeIntervalSince1970])
            }
        }
    }

    /// A plan with its items, by id.
    public func purgePlan(id: String) async throws -> PurgePlanRecord? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "\(Catalog.planColumns) WHERE id = ?", arguments: [id]) else {
                return nil
            }
            var plan = Catalog.purgePlan(row)
            plan.items = try Row.fetchAll(
                db, sql: "SELECT sha256, policy, scope, expired_at FROM purge_plan_item WHERE plan = ? ORDER BY sha256",
                arguments: [id]
            ).map { item in
                // Plans made before the scope was stored by name held the policy action instead.
                let stored: String = item[2]
                let scope = PurgeScope(rawValue: stored) ?? (stored == "purge-archive" ? .archiveOnly : .archiveAndMailboxes)
                return PurgeItem(sha256: item[0], policy: item[1], scope: scope,
                                 expiredAt: Date(timeIntervalSince1970: item[3]))
            }
            return plan
        }
    }

    /// All plans, oldest first, without their items.
    public func purgePlans() async throws -> [PurgePlanRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Catalog.planColumns) ORDER BY created_at, id").map(Catalog.purgePlan)
        }
    }

    /// Records the decision on a pending plan; fails if it is not pending any more, so two approvers
    /// racing execute it once: claim it with this (`.executed`) before purging.
    public func decidePurgePlan(id: String, status: PurgePlanRecord.Status, by actor: String, at time: Date,
                                outcome: String) async throws {
        try await pool.write { db in
            guard let stored = try String.fetchOne(db, sql: "SELECT status FROM purge_plan WHERE id = ?",
                                                   arguments: [id])
            else { throw PurgePlanError.unknown(id) }
            let current = PurgePlanRecord.Status(rawValue: stored) ?? .expired
            guard current == .pending else { throw PurgePlanError.notPending(id, current) }
            try db.execute(
                sql: "UPDATE purge_plan SET status = ?, decided_by = ?, decided_at = ?, outcome = ? WHERE id = ?",
                arguments: [status.rawValue, actor, time.timeIntervalSince1970, outcome, id])
        }
    }

    /// Replaces the outcome text of a decided plan (the purge report, once the purge finished).
    public func recordPurgePlanOutcome(id: String, outcome: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE purge_plan SET outcome = ? WHERE id = ?", arguments: [outcome, id])
        }
    }
}
