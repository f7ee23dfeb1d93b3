import PGOutput

/// Asks a running stream for backfills, from any process that can connect to the database: the
/// request is a logical decoding message naming the stream's slot, so the stream meets it in
/// WAL order, wherever it runs (`pgcdc backfill` uses this).
///
/// Needs PostgreSQL 14 or later, a role that may call `pg_logical_emit_message` (by default
/// any role) and read the table; the stream's role reads the table too.
public enum BackfillControl {
    /// Checks `request` on the server — the slot exists, the table exists and has a primary key,
    /// the condition is valid SQL on it — and sends it to the stream on `slot`. Throws
    /// ``ReplicationError/backfillRefused(table:reason:)`` naming what is wrong.
    public static func request(_ request: BackfillRequest, slot: String, dsn: String) throws(ReplicationError) {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        try check(request, slot: slot, on: connection)
        try send(.start(slot: slot, request), on: connection)
    }

    /// Asks the stream on `slot` to stop backfill `id` (it writes a `backfill_completed` line with
    /// status `cancelled`; an id it does not run is ignored).
    public static func cancel(id: String, slot: String, dsn: String) throws(ReplicationError) {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        try checkSlot(slot, on: connection, table: id)
        try send(.cancel(slot: slot, id: id), on: connection)
    }

    /// The backfills recorded in the state file at `path` (see ``StreamConfiguration/backfillStatePath``),
    /// as of the latest transaction the stream handed out.
    public static func list(statePath path: String) throws(ReplicationError) -> BackfillState {
        try BackfillLedger(path: path).latest
    }

    static func send(_ message: BackfillMessage, on connection: PostgresConnection) throws(ReplicationError) {
        try connection.emitLogicalMessage(prefix: message.prefix, content: message.content, transactional: true)
    }

    private static func checkSlot(_ slot: String, on connection: PostgresConnection, table: String) throws(ReplicationError) {
        guard connection.serverVersion >= 140000 else {
            throw .backfillRefused(
                table: table, reason: "the server runs PostgreSQL \(connection.serverVersion / 10000); backfills need 14 or later")
        }
        let slots = try connection.execute(
            "SELECT plugin, database = current_database() AS here FROM pg_replication_slots WHERE slot_name = $1", parameters: [slot])
        guard let row = slots.rows.indices.first else { throw .slotNotFound(slot: slot, host: connection.serverAddress) }
        guard slots.value(row, "plugin") == "pgoutput", slots.value(row, "here") == "t" else {
            throw .backfillRefused(table: table, reason: "slot \"\(slot)\" is not a pgoutput slot of this database")
        }
    }

    private static func check(_ request: BackfillRequest, slot: String, on connection: PostgresConnection) throws(ReplicationError) {
        try checkSlot(slot, on: connection, table: request.table)
        let parts = request.table.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw .backfillRefused(table: request.table, reason: "give the table as schema.table") }
        let found = try connection.execute(
            """
            SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
            """, parameters: [parts[0], parts[1]])
        guard let oid = found.rows.first?.first.flatMap({ $0 }).flatMap(UInt32.init) else {
            throw .backfillRefused(table: request.table, reason: "no such table")
        }
        let name = try connection.quoteIdentifier(parts[0]) + "." + connection.quoteIdentifier(parts[1])
        let privileges = try connection.execute(
            """
            SELECT has_table_privilege($1::oid, 'SELECT') AS reads, has_function_privilege(p.oid, 'EXECUTE') AS emits,
                   p.oid::regprocedure AS signature
            FROM (SELECT 1) AS one LEFT JOIN pg_proc p  -- (boolean, text, text), and (…, boolean) on PostgreSQL 17+
              ON p.proname = 'pg_logical_emit_message' AND p.pronamespace = 'pg_catalog'::regnamespace
                 AND p.proargtypes[2] = 'text'::regtype
            """, parameters: [String(oid)])
        guard privileges.value(0, "reads") == "t" else {
            throw .backfillRefused(
                table: request.table,
                reason: "this role may not read it (GRANT SELECT ON \(name) TO the role of the stream and of this command)")
        }
        guard privileges.value(0, "emits") == "t" else {
            throw .backfillRefused(
                table: request.table,
                reason: "this role may not call pg_logical_emit_message, which carries the request to the stream "
                    + "(GRANT EXECUTE ON FUNCTION \(privileges.value(0, "signature") ?? "pg_logical_emit_message") TO it)")
        }
        if let refusal = try refusal(of: request, table: oid, named: name, calling: "it", on: connection) {
            throw .backfillRefused(table: request.table, reason: refusal)
        }
    }

    /// Why `request` cannot read table `oid` (`name`, quoted) — a chunk size out of range, no primary
    /// key, a condition that fails on the table — in words that call the table `subject`; `nil` when it can. The
    /// command checks this before sending a request, the stream again when it meets one.
    static func refusal(
        of request: BackfillRequest, table oid: UInt32, named name: String, calling subject: String, on connection: PostgresConnection
    ) throws(ReplicationError) -> String? {
        guard (1...1_000_000).contains(request.chunkSize) else {
            return "chunk size \(request.chunkSize) is not between 1 and 1000000"
        }
        guard !(try ReplicationSetup.primaryKey(of: oid, on: connection)).isEmpty else {
            return "\(subject) has no primary key: a backfill reads a table in primary-key order, chunk by chunk"
        }
        guard let condition = request.whereClause else { return nil }
        do {
            try connection.query(
                "EXPLAIN SELECT 1 FROM \(name) WHERE (\(condition))", describedAs: "check the backfill's condition")
        } catch {
            if let message = error.permanentServerMessage {
                return "the condition \"\(condition)\" does not work on \(subject): \(message)"
            }
            throw error
        }
        return nil
    }
}
