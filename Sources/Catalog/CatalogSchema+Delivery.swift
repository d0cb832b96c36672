import GRDB

extension CatalogSchema {
    /// "v8": outbound delivery. None of it is derivable from the archive, so `reset()` keeps it
    /// (it is absent from `deleteDerivedData`).
    /// ```
    /// outbound_queue  + claimed_at    when a worker took the row ('sending'); a row still 'sending'
    ///                                 at start-up belonged to a process that died and is queued again
    ///                 + last_attempt  when the last attempt ended
    ///                 + delivered_at  when the remote server answered 250 (status 'delivered')
    ///                 + remote_mta    the host that gave the last answer (RFC 3464 Remote-MTA)
    ///                 + status_code   the RFC 3463 status of the last answer ("4.4.1", "5.1.1")
    ///                 + bounce        NULL (none due), 'pending' (a DSN is owed to the sender),
    ///                                 'sent', 'suppressed' (null reverse-path: never a bounce to
    ///                                 a bounce, RFC 5321 §4.5.5) or 'deleted' (removed by the
    ///                                 administrator without a DSN)
    /// ```
    /// Statuses: 'queued' (new or waiting for its next attempt), 'sending' (claimed by a worker),
    /// 'delivered', 'failed' (5xx, no route, or older than the configured maximum age).
    static func migrateToDelivery(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE outbound_queue ADD COLUMN claimed_at REAL;
            ALTER TABLE outbound_queue ADD COLUMN last_attempt REAL;
            ALTER TABLE outbound_queue ADD COLUMN delivered_at REAL;
            ALTER TABLE outbound_queue ADD COLUMN remote_mta TEXT;
            ALTER TABLE outbound_queue ADD COLUMN status_code TEXT;
            ALTER TABLE outbound_queue ADD COLUMN bounce TEXT;
            CREATE INDEX outbound_queue_bounce ON outbound_queue(bounce) WHERE bounce = 'pending';
            """)
    }
}
