import PGOutput

/// Debezium's transaction metadata END records (`provide.transaction.metadata`), with one field
/// of pgcdc's: `end_lsn`, the end of the commit record as a number — the position streaming
/// resumes from once the transaction is stored. The file sink finds the last complete transaction
/// in a Debezium-format file by it (``FileSinkRecovery``), as it does by `end_lsn` of a native
/// `commit` line.
extension DebeziumEncoder {
    /// Appends the END record of `commit`:
    /// `{"status":"END","id":"xid:commit LSN","ts_ms":…,"event_count":N,"data_collections":null,"end_lsn":N}`.
    package func encodeEnd(_ commit: CommitEvent, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"status\":\"END\",\"id\":\"")
        buffer.appendUInt(UInt64(commit.transaction.xid))
        buffer.appendRaw(":")
        buffer.appendUInt(commit.transaction.commitLSN.value)
        buffer.appendRaw("\",\"ts_ms\":")
        buffer.appendInt(commit.transaction.commitTime.unixMicroseconds / 1000)
        buffer.appendRaw(",\"event_count\":")
        buffer.appendInt(Int64(commit.eventCount))
        buffer.appendRaw(",\"data_collections\":null,\"end_lsn\":")
        buffer.appendUInt(commit.endLSN.value)
        buffer.appendRaw("}\n")
    }

    /// Appends the END record that closes the initial snapshot, for a sink that needs to see where
    /// it ends (the file sink; Debezium itself has no such record):
    /// `{"status":"END","id":"snapshot:LSN","ts_ms":…,"event_count":rows,"data_collections":null,"end_lsn":LSN}`,
    /// LSN being the slot's consistent point. No BEGIN record precedes it.
    package func encodeSnapshotEnd(_ summary: SnapshotSummary, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"status\":\"END\",\"id\":\"snapshot:")
        buffer.appendUInt(summary.consistentPoint.value)
        buffer.appendRaw("\",\"ts_ms\":")
        buffer.appendInt(Self.nowMilliseconds())
        buffer.appendRaw(",\"event_count\":")
        buffer.appendInt(Int64(summary.rows))
        buffer.appendRaw(",\"data_collections\":null,\"end_lsn\":")
        buffer.appendUInt(summary.consistentPoint.value)
        buffer.appendRaw("}\n")
    }
}
