import Foundation
import PGOutput
import PostgresCDCBase

/// Writes change events in Debezium's PostgreSQL envelope (the value part, as the JSON converter
/// writes it with `schemas.enable=false`), so code written for Debezium reads pgcdc's output:
/// `{"before":…,"after":…,"source":{…},"op":"c|u|d|r|t|m","ts_ms":…,"transaction":null}`.
/// See `schemas/debezium-event.schema.json`.
///
/// Rows carry every column of the table: a column the server did not send (the non-key columns
/// of an old key) is `null`, and an unchanged TOAST value is `"__debezium_unavailable_value"`, as
/// Debezium does. Values use pgcdc's mapping (numeric as a string, timestamps as ISO 8601).
package struct DebeziumEncoder: Sendable {
    /// `source.db`.
    package var database: String
    /// `source.name`: the logical server name (Debezium's `topic.prefix`).
    package var serverName: String
    /// Where `ts_ms` (the time pgcdc wrote the line) is read.
    package var timeSource: any TimeSource
    /// The JSON fragments of the relations written (their columns' keys).
    private var relations = EncodedRelations()

    package init(database: String, serverName: String = "pgcdc", timeSource: any TimeSource = .system) {
        self.database = database
        self.serverName = serverName
        self.timeSource = timeSource
    }

    /// Appends `event` (one line, or one per table for a truncate; nothing for a snapshot's end).
    package mutating func encode(_ event: ChangeEvent, into buffer: inout JSONBuffer) {
        switch event {
        case let .insert(change): row(change, op: "c", into: &buffer)
        case let .update(change): row(change, op: "u", into: &buffer)
        case let .delete(change): row(change, op: "d", into: &buffer)
        case let .read(change): row(change, op: "r", into: &buffer)
        case let .truncate(change):
            for relation in change.relations {
                buffer.appendRaw("{\"before\":null,\"after\":null,")
                source(change.transaction, lsn: change.lsn, relation: relation, snapshot: .no, into: &buffer)
                buffer.appendRaw(",\"op\":\"t\",")
                tail(into: &buffer)
            }
        case let .message(message):
            let transaction =
                message.transaction
                ?? TransactionInfo(xid: 0, commitLSN: message.lsn, commitTime: PostgresTimestamp(microsecondsSince2000: 0), origin: nil)
            appendMessage(prefix: message.prefix, content: message.content, transaction: transaction, lsn: message.lsn, into: &buffer)
        case let .begin(transaction):
            buffer.appendRaw("{\"status\":\"BEGIN\",\"id\":")
            buffer.appendString("\(transaction.xid):\(transaction.commitLSN.value)")
            buffer.appendRaw(",\"ts_ms\":")
            buffer.appendInt(transaction.commitTime.unixMicroseconds / 1000)
            buffer.appendRaw(",\"event_count\":null,\"data_collections\":null}\n")
        case let .commit(commit):
            encodeEnd(commit, into: &buffer)
        case let .gap(gap):
            // Debezium has no such event: a message (op "m") with prefix pgcdc.gap whose content is the native line's fields.
            var content = JSONBuffer()
            content.appendRaw("{")
            JSONLinesEncoder.encodeGapFields(gap, into: &content)
            content.appendRaw("}")
            let transaction = TransactionInfo(
                xid: 0, commitLSN: gap.resumedAt, commitTime: PostgresTimestamp(microsecondsSince2000: 0), origin: nil)
            appendMessage(
                prefix: SlotGap.messagePrefix, content: content.bytes, transaction: transaction, lsn: gap.resumedAt, into: &buffer)
        case let .ddl(event):
            // Debezium's schema change event (its MySQL, SQL Server and Oracle connectors' schema
            // history): the statement, without the table structure; pgcdc's command description in "command".
            buffer.appendRaw("{")
            source(event.transaction, lsn: event.lsn, relation: nil, snapshot: .no, into: &buffer)
            buffer.appendRaw(",\"ts_ms\":")
            buffer.appendInt(nowMilliseconds())
            buffer.appendRaw(",\"databaseName\":")
            buffer.appendString(database)
            buffer.appendRaw(",\"schemaName\":")
            if let schema = event.schema { buffer.appendString(schema) } else { buffer.appendRaw("null") }
            buffer.appendRaw(",\"ddl\":")
            buffer.appendString(event.statement)
            buffer.appendRaw(",\"tableChanges\":[],\"command\":{\"tag\":")
            buffer.appendString(event.commandTag)
            buffer.appendRaw(",\"object_type\":")
            buffer.appendString(event.objectType)
            buffer.appendRaw(",\"identity\":")
            buffer.appendString(event.objectIdentity)
            buffer.appendRaw("}}\n")
        case .snapshotCompleted, .schema, .backfill:
            // Debezium reports schema changes on a topic of its own, and its incremental snapshots'
            // signals are not part of the change envelope either.
            break
        }
    }

    /// `{"op":"m","ts_ms":…,"source":…,"message":{"prefix":…,"content":BASE64}}`.
    private func appendMessage(prefix: String, content: [UInt8], transaction: TransactionInfo, lsn: LSN, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"op\":\"m\",\"ts_ms\":")
        buffer.appendInt(nowMilliseconds())
        buffer.appendRaw(",")
        source(transaction, lsn: lsn, relation: nil, snapshot: .no, into: &buffer)
        buffer.appendRaw(",\"message\":{\"prefix\":")
        buffer.appendString(prefix)
        buffer.appendRaw(",\"content\":")
        buffer.appendString(Data(content).base64EncodedString())
        buffer.appendRaw("}}\n")
    }

    private mutating func row(_ change: RowChange, op: StaticString, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"before\":")
        if let old = change.old { values(old, old: nil, into: &buffer) } else { buffer.appendRaw("null") }
        buffer.appendRaw(",\"after\":")
        if let new = change.new { values(new, old: change.old, into: &buffer) } else { buffer.appendRaw("null") }
        buffer.appendRaw(",")
        let snapshot: Snapshot = change.operation != .read ? .no : change.backfillTag == nil ? .initial : .incremental
        source(change.transaction, lsn: change.lsn, relation: change.relation, snapshot: snapshot, into: &buffer)
        buffer.appendRaw(",\"op\":\"")
        buffer.appendRaw(op)
        buffer.appendRaw("\",")
        tail(into: &buffer)
    }

    /// Every column the filter keeps: absent ones `null`, an unchanged TOAST value the walk could
    /// not take from the old row as Debezium's placeholder.
    private mutating func values(_ row: Row, old: Row?, into buffer: inout JSONBuffer) {
        // The fragments live in `relations` while the row is written: borrowed, not retained.
        relations.unretained(row.relation)._withUnsafeGuaranteedRef { encoded in
            Self.values(row, old: old, encoded: encoded, into: &buffer)
        }
    }

    private static func values(_ row: Row, old: Row?, encoded: EncodedRelation, into buffer: inout JSONBuffer) {
        let relation = row.relation
        buffer.appendRaw("{")
        var first = true
        var scratch: [UInt8] = []
        row.tuple.storage.withUnsafeBytes { rowBytes in
            var walk = ColumnWalk(row)
            while let (index, column, fromOld) = walk.nextColumn(row, old: old) {
                if !first { buffer.appendRaw(",") }
                first = false
                buffer.appendRaw(encoded.columnKeys[index])
                guard let column else {
                    buffer.appendRaw("null")  // absent
                    continue
                }
                if column.kind == .unchangedToast {
                    buffer.appendRaw("\"__debezium_unavailable_value\"")
                    continue
                }
                buffer.appendValue(
                    of: column, fromOld: fromOld, row: row, old: old, rowBytes: rowBytes, as: relation.columns[index].type,
                    scratch: &scratch)
            }
        }
        buffer.appendRaw("}")
    }

    /// `source.snapshot`: `"false"`, `"true"` (the initial snapshot), `"incremental"` (a backfill, as
    /// Debezium's incremental snapshots say).
    private enum Snapshot {
        case no, initial, incremental
    }

    private func source(_ transaction: TransactionInfo, lsn: LSN, relation: Relation?, snapshot: Snapshot, into buffer: inout JSONBuffer) {
        buffer.appendRaw("\"source\":{\"version\":\"pgcdc\",\"connector\":\"postgresql\",\"name\":")
        buffer.appendString(serverName)
        buffer.appendRaw(",\"ts_ms\":")
        buffer.appendInt(transaction.commitTime.unixMicroseconds / 1000)
        switch snapshot {
        case .no: buffer.appendRaw(",\"snapshot\":\"false\",\"db\":")
        case .initial: buffer.appendRaw(",\"snapshot\":\"true\",\"db\":")
        case .incremental: buffer.appendRaw(",\"snapshot\":\"incremental\",\"db\":")
        }
        buffer.appendString(database)
        // "sequence":"[\"commit LSN\",\"LSN\"]", written in place (no String per row).
        buffer.appendRaw(",\"sequence\":\"[\\\"")
        buffer.appendUInt(transaction.commitLSN.value)
        buffer.appendRaw("\\\",\\\"")
        buffer.appendUInt(lsn.value)
        buffer.appendRaw("\\\"]\"")
        buffer.appendRaw(",\"schema\":")
        if let relation { buffer.appendString(relation.schema) } else { buffer.appendRaw("\"\"") }
        buffer.appendRaw(",\"table\":")
        if let relation { buffer.appendString(relation.table) } else { buffer.appendRaw("\"\"") }
        buffer.appendRaw(",\"txId\":")
        if transaction.xid == 0 { buffer.appendRaw("null") } else { buffer.appendUInt(UInt64(transaction.xid)) }
        buffer.appendRaw(",\"lsn\":")
        buffer.appendUInt(lsn.value)
        buffer.appendRaw(",\"xmin\":null}")
    }

    private func tail(into buffer: inout JSONBuffer) {
        buffer.appendRaw("\"ts_ms\":")
        buffer.appendInt(nowMilliseconds())
        buffer.appendRaw(",\"transaction\":null}\n")
    }

    /// `ts_ms`: the wall clock's milliseconds since 1970.
    func nowMilliseconds() -> Int64 {
        timeSource.unixMicroseconds() / 1000
    }
}
