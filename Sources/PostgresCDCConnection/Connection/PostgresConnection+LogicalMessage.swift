import PostgresCDCBase
extension PostgresConnection {
    /// Writes a logical decoding message into the WAL (`pg_logical_emit_message`), which every
    /// logical slot of the database meets in WAL order: a transactional one as part of the
    /// current transaction (its own, outside one), decoded only if that commits; a
    /// non-transactional one at once, even if the transaction rolls back. Not in replication
    /// mode: it takes parameters, which need the extended protocol.
    package func emitLogicalMessage(prefix: String, content: String, transactional: Bool) throws(ReplicationError) {
        // Text, not bytea: the stream decodes both the same, and text needs no encoding here.
        _ = try execute(
            transactional ? "SELECT pg_logical_emit_message(true, $1, $2)" : "SELECT pg_logical_emit_message(false, $1, $2)",
            parameters: [prefix, content])
    }
}
