import PGOutput

/// Debezium's transaction metadata END records (`provide.transaction.metadata`), with one field
/// of pgcdc's: `end_lsn`, the end of the commit record as a number — the position streaming
/// resumes from once the transaction is stored. The file sink finds the last complete transaction
/// in a Debezium-format file by it (`FileSinkRecovery`), as it does by `end_lsn` of a native
/// `commit` line.
extension DebeziumEncoder {
    /// Appends the END record of `commit`, with the events per table of `collections` (`nil`
    /// writes `null`): `{"status":"END","id":"xid:commit LSN","ts_ms":…,"event_count":N,`
    /// `"data_collections":[{"data_collection":"schema.table","event_count":N},…],"end_lsn":N}`.
    package func encodeEnd(_ commit: CommitEvent, collections: DataCollectionCounts? = nil, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"status\":\"END\",\"id\":\"")
        buffer.appendUInt(UInt64(commit.transaction.xid))
        buffer.appendRaw(":")
        buffer.appendUInt(commit.transaction.commitLSN.value)
        buffer.appendRaw("\",\"ts_ms\":")
        buffer.appendInt(commit.transaction.commitTime.unixMicroseconds / 1000)
        buffer.appendRaw(",\"event_count\":")
        buffer.appendInt(Int64(commit.eventCount))
        buffer.appendRaw(",\"data_collections\":")
        if let collections { appendDataCollections(collections, into: &buffer) } else { buffer.appendRaw("null") }
        buffer.appendRaw(",\"end_lsn\":")
        buffer.appendUInt(commit.endLSN.value)
        buffer.appendRaw("}\n")
    }

    /// `[{"data_collection":"schema.table","event_count":N},…]`, one entry per table name.
    private func appendDataCollections(_ collections: DataCollectionCounts, into buffer: inout JSONBuffer) {
        var names: [(schema: String, table: String, count: Int)] = []
        for (relation, count) in collections.entries {
            // A table described anew mid-transaction has a second relation: one entry still.
            if let same = names.firstIndex(where: { $0.schema == relation.schema && $0.table == relation.table }) {
                names[same].count += count
            } else {
                names.append((relation.schema, relation.table, count))
            }
        }
        buffer.appendRaw("[")
        for (index, name) in names.enumerated() {
            buffer.appendRaw(index == 0 ? "{\"data_collection\":\"" : ",{\"data_collection\":\"")
            var schema = name.schema
            var table = name.table
            schema.withUTF8 { buffer.appendEscaped($0) }
            buffer.appendRaw(".")
            table.withUTF8 { buffer.appendEscaped($0) }
            buffer.appendRaw("\",\"event_count\":")
            buffer.appendInt(Int64(name.count))
            buffer.appendRaw("}")
        }
        buffer.appendRaw("]")
    }

    /// Appends the END record that closes the initial snapshot, for a sink that needs to see where
    /// it ends (the file sink; Debezium itself has no such record):
    /// `{"status":"END","id":"snapshot:LSN","ts_ms":…,"event_count":rows,"data_collections":null,"end_lsn":LSN}`,
    /// LSN being the slot's consistent point. No BEGIN record precedes it.
    package func encodeSnapshotEnd(_ summary: SnapshotSummary, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"status\":\"END\",\"id\":\"snapshot:")
        buffer.appendUInt(summary.consistentPoint.value)
        buffer.appendRaw("\",\"ts_ms\":")
        buffer.appendInt(nowMilliseconds())
        buffer.appendRaw(",\"event_count\":")
        buffer.appendInt(Int64(summary.rows))
        buffer.appendRaw(",\"data_collections\":null,\"end_lsn\":")
        buffer.appendUInt(summary.consistentPoint.value)
        buffer.appendRaw("}\n")
    }
}
