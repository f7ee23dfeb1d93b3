import Logging
import PostgresCDC
import PostgresNIO

/// Keeps the checkpoint in a PostgreSQL table that the job writes with postgres-nio, so that the
/// job's writes and the position they came from commit in one transaction: exactly once, whatever
/// crashes when.
///
/// The table is the one `PostgresCheckpointStore` uses (one row per slot:
/// `slot text PRIMARY KEY, lsn pg_lsn, system_identifier text, timeline int`), so either store reads
/// what the other wrote. Save the checkpoint inside the job's own transaction, then acknowledge:
///
/// ```swift
/// let store = try PostgresNIOCheckpointStore(client: client, slot: configuration.slot)
/// try await store.prepare()
/// let stream = ChangeStream(configuration: configuration, checkpointStore: store, checkpointSaving: .byHandler)  // resumes after it
/// for try await event in stream {
///     // … collect the transaction's changes …
///     if case let .commit(commit) = event {
///         let checkpoint = try stream.checkpoint(through: commit.endLSN)
///         try await client.withTransaction(logger: logger) { connection in
///             // … write the transaction's changes on `connection` …
///             try await store.save(checkpoint, on: connection)
///         }
///         try await stream.acknowledge(commit)  // after the commit, never inside the transaction
///     }
/// }
/// ```
///
/// The async methods are for the job. The `CheckpointStore` requirements ``load()`` and
/// ``save(_:)`` block their thread and are for `ChangeStream`, which calls them off Swift's
/// cooperative pool; calling them from async code throws instead of blocking.
/// The `client` must be running (`PostgresClient.run()`), as for any of its queries.
public final class PostgresNIOCheckpointStore: Sendable {
    /// The slot whose checkpoint this store keeps.
    public let slot: String
    let client: PostgresClient
    let table: CheckpointTable
    let sharesTableWithOtherSlots: Bool
    let logger: Logger

    /// A store for `slot` in `table` (optionally schema-qualified, `etl.pgcdc_checkpoint`) of the
    /// database `client` connects to — the database the job writes to.
    ///
    /// With `sharesTableWithOtherSlots` (off by default), jobs of several slots keep their
    /// checkpoints in one table on purpose: a slot without a row starts afresh even when the table
    /// holds rows of other slots, instead of ``storedCheckpoint()`` refusing it as a likely typo.
    /// `logger` receives the store's queries (postgres-nio logs them at debug level).
    public init(
        client: PostgresClient, slot: String, table: String = "pgcdc_checkpoint", sharesTableWithOtherSlots: Bool = false,
        logger: Logger = Logger(label: "pgcdc.checkpoint", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(CheckpointError) {
        self.client = client
        self.slot = slot
        self.table = try CheckpointTable(table)
        self.sharesTableWithOtherSlots = sharesTableWithOtherSlots
        self.logger = logger
    }

    /// Creates the checkpoint table if it does not exist.
    public func prepare() async throws {
        _ = try await client.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: table.createSQL), logger: logger)
        }
    }

    /// The stored checkpoint of this store's slot, or `nil` when there is none yet.
    ///
    /// Throws a `CheckpointError` naming the slots the table holds when it has rows of
    /// other slots but none of this one (see ``init(client:slot:table:sharesTableWithOtherSlots:logger:)``).
    public func storedCheckpoint() async throws -> Checkpoint? {
        try await client.withConnection { connection in
            try await load(on: connection)
        }
    }

    /// The checkpoint of this store's slot as `connection` sees it (inside its transaction, if it
    /// has one open), or `nil` when there is none yet; refuses a table of other slots as
    /// ``storedCheckpoint()`` does.
    public func load(on connection: PostgresNIO.PostgresConnection) async throws -> Checkpoint? {
        for try await (lsn, system, timeline) in try await connection.query(query(table.selectSQL, slot), logger: logger)
            .decode((String?, String?, String?).self)
        {
            return try table.checkpoint(slot: slot, lsn: lsn, systemIdentifier: system, timeline: timeline)
        }
        if !sharesTableWithOtherSlots {
            var others: [String] = []
            for try await other in try await connection.query(query(table.otherSlotsSQL, slot), logger: logger).decode(String.self) {
                others.append(other)
            }
            if !others.isEmpty { throw table.otherSlotsError(slot: slot, otherSlots: others) }
        }
        return nil
    }

    /// Stores `checkpoint` on `connection` — inside the job's transaction, so that it commits or
    /// rolls back with the job's writes. Only ever forward: a checkpoint at or behind the stored one
    /// changes nothing, so replaying a transaction never takes the checkpoint back.
    ///
    /// The checkpoint must be of this store's slot.
    public func save(_ checkpoint: Checkpoint, on connection: PostgresNIO.PostgresConnection) async throws {
        guard checkpoint.slot == slot else {
            throw CheckpointError(
                path: table.name, reason: "a checkpoint of slot \"\(checkpoint.slot)\" given to the store of slot \"\(slot)\"")
        }
        let save = query(table.saveForwardSQL, slot, checkpoint.lsn.description, checkpoint.systemIdentifier, String(checkpoint.timeline))
        try await connection.query(save, logger: logger)
    }

    /// `sql` with text parameters `$1, $2, …`.
    func query(_ sql: String, _ parameters: String...) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
