import Foundation
import PGOutput

/// Keeps the checkpoint in a PostgreSQL table, so that an ETL job can commit its own writes and
/// the position they came from in one transaction: exactly once, whatever crashes when.
///
/// The table (created by ``prepare()``) holds one row per slot:
/// `(slot text PRIMARY KEY, lsn pg_lsn, system_identifier text, timeline int)`.
/// ``commit(_:applying:)`` runs the job's statements and the checkpoint update between `BEGIN` and
/// `COMMIT` on the store's own connection; after a crash, the stream resumes right after the last
/// transaction that was committed there, so none is applied twice and none is skipped.
///
/// A table that holds checkpoints of other slots but none of this one is refused by ``load()``
/// (a misspelt slot name would otherwise start a new slot and copy the tables again) unless the
/// store was created with `sharesTableWithOtherSlots: true`.
public final class PostgresCheckpointStore: CheckpointStore, @unchecked Sendable {
    // Safe: the connection and `lastSaved` are only touched while holding `lock`.
    private let lock = NSLock()
    private let dsn: String
    private let slot: String
    private let table: String
    private let sharesTableWithOtherSlots: Bool
    private var connection: PostgresConnection?
    private var lastSaved: LSN?

    /// A store for `slot` in `table` (optionally schema-qualified, `etl.pgcdc_checkpoint`) of the
    /// database `dsn` names — usually the database the job writes to.
    ///
    /// With `sharesTableWithOtherSlots` (off by default), jobs of several slots keep their
    /// checkpoints in one table on purpose: a slot without a row then starts afresh even when the
    /// table holds rows of other slots, instead of ``load()`` refusing it as a likely typo.
    public init(dsn: String, slot: String, table: String = "pgcdc_checkpoint", sharesTableWithOtherSlots: Bool = false) {
        self.dsn = dsn
        self.slot = slot
        self.table = table
        self.sharesTableWithOtherSlots = sharesTableWithOtherSlots
    }

    deinit {
        connection?.close()
    }

    /// Creates the checkpoint table if it does not exist.
    public func prepare() throws {
        try lock.withLock {
            let connection = try open()
            try connection.query(try CheckpointTable(table).createSQL)
        }
    }

    /// Runs `statements` in one transaction on the store's connection, without touching the
    /// checkpoint (the job's own set-up, such as creating its tables).
    public func execute(_ statements: [SQLStatement]) throws {
        try lock.withLock {
            try inTransaction(statements, checkpoint: nil)
        }
    }

    /// The checkpoint row of this store's slot, or `nil` when there is none yet.
    ///
    /// Throws a ``CheckpointError`` naming the slots the table holds when it has rows of other
    /// slots but none of this one (see ``init(dsn:slot:table:sharesTableWithOtherSlots:)``).
    public func load() throws -> Checkpoint? {
        try lock.withLock {
            let connection = try open()
            let checkpointTable = try CheckpointTable(table)
            let result = try connection.execute(checkpointTable.selectSQL, parameters: [slot])
            guard !result.rows.isEmpty else {
                if !sharesTableWithOtherSlots {
                    let others = try connection.execute(checkpointTable.otherSlotsSQL, parameters: [slot])
                    let slots = others.rows.indices.compactMap { others.value($0, "slot") }
                    if !slots.isEmpty { throw checkpointTable.otherSlotsError(slot: slot, otherSlots: slots) }
                }
                return nil
            }
            let checkpoint = try checkpointTable.checkpoint(
                slot: slot, lsn: result.value(0, "lsn"), systemIdentifier: result.value(0, "system_identifier"),
                timeline: result.value(0, "timeline"))
            lastSaved = checkpoint.lsn
            return checkpoint
        }
    }

    /// Saves the checkpoint on its own (a no-op when ``commit(_:applying:)`` already stored it).
    public func save(_ checkpoint: Checkpoint) throws {
        try commit(checkpoint, applying: [])
    }

    /// Runs `statements` and stores `checkpoint` in one transaction. On any error the transaction
    /// is rolled back: neither the writes nor the checkpoint happen, and the error is rethrown.
    public func commit(_ checkpoint: Checkpoint, applying statements: [SQLStatement]) throws {
        try lock.withLock {
            if statements.isEmpty, let lastSaved, lastSaved >= checkpoint.lsn { return }
            try inTransaction(statements, checkpoint: checkpoint)
            lastSaved = max(lastSaved ?? checkpoint.lsn, checkpoint.lsn)
        }
    }

    /// `BEGIN`, the statements, the checkpoint row (when given), `COMMIT`; rolled back on error.
    private func inTransaction(_ statements: [SQLStatement], checkpoint: Checkpoint?) throws {
        let connection = try open()
        try connection.query("BEGIN")
        do {
            for statement in statements {
                try connection.execute(statement.sql, parameters: statement.parameters)
            }
            if let checkpoint {
                // Only ever forward: committing an older checkpoint applies the statements, not the position.
                try connection.execute(
                    try CheckpointTable(table).saveForwardSQL,
                    parameters: [slot, checkpoint.lsn.description, checkpoint.systemIdentifier, String(checkpoint.timeline)])
            }
            try connection.query("COMMIT")
        } catch {
            // Roll back, and start over on a fresh connection next time (this one may be broken).
            _ = try? connection.query("ROLLBACK")
            connection.close()
            self.connection = nil
            throw error
        }
    }

    private func open() throws -> PostgresConnection {
        if let connection { return connection }
        let opened = try PostgresConnection(dsn: dsn, replication: false)
        connection = opened
        return opened
    }
}

/// One SQL statement with `$1, $2, …` parameters in PostgreSQL's text form (`nil` for NULL).
public struct SQLStatement: Sendable, Hashable {
    /// The statement.
    public var sql: String
    /// The parameter values, in order.
    public var parameters: [String?]

    /// A statement with parameters.
    public init(_ sql: String, parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}
