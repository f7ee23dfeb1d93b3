import PGOutput

/// Writes change events as JSON lines (one object per line, see `schemas/change-event.schema.json`)
/// straight into a reused byte buffer.
package struct JSONLinesEncoder: Sendable {
    /// The server's timeline, written as the last field of every line (`"timeline":N`); `nil` leaves it out.
    package var timeline: UInt32? {
        didSet { lineEnd = Self.lineEnd(timeline: timeline) }
    }
    /// `,"timeline":N}\n`, what replaces a line's closing `}\n` (formatted once, not per line).
    private var lineEnd: [UInt8]
    /// The JSON fragments of the relations written.
    private var relations = EncodedRelations()

    package init(timeline: UInt32? = nil) {
        self.timeline = timeline
        lineEnd = Self.lineEnd(timeline: timeline)
    }

    private static func lineEnd(timeline: UInt32?) -> [UInt8] {
        guard let timeline else { return [] }
        var end = JSONBuffer()
        end.appendRaw(",\"timeline\":")
        end.appendUInt(UInt64(timeline))
        end.appendRaw("}\n")
        return end.bytes
    }

    /// Appends `event` and a newline to `buffer`.
    package mutating func encode(_ event: borrowing ChangeEvent, into buffer: inout JSONBuffer) {
        let start = buffer.bytes.count
        encodeEvent(event, into: &buffer)
        let count = buffer.bytes.count
        if !lineEnd.isEmpty, count >= start + 3, buffer.bytes[count - 2] == UInt8(ascii: "}"), buffer.bytes[count - 1] == UInt8(ascii: "\n")
        {
            // Every line ends with "}\n": the timeline goes in as its last field.
            buffer.bytes.removeLast(2)
            buffer.appendRaw(lineEnd)
        }
    }

    private mutating func encodeEvent(_ event: borrowing ChangeEvent, into buffer: inout JSONBuffer) {
        // `borrowing`: the switch then binds the payload without copying the event (each reference in
        // it retained and released again: ~450 instructions per row change).
        switch event {
        // One case each: a case binding several patterns copies the change (and retains its references).
        case let .insert(change): encodeRow(change, into: &buffer)
        case let .update(change): encodeRow(change, into: &buffer)
        case let .delete(change): encodeRow(change, into: &buffer)
        case let .read(change): encodeRow(change, into: &buffer)
        case let .schema(change):
            encodeSchema(change, into: &buffer)
        case let .snapshotCompleted(summary):
            buffer.appendRaw("{\"op\":\"snapshot\",\"commit_lsn\":")
            buffer.appendLSN(summary.consistentPoint)
            buffer.appendRaw(",\"tables\":")
            buffer.appendInt(Int64(summary.tables))
            buffer.appendRaw(",\"rows\":")
            buffer.appendInt(Int64(summary.rows))
            buffer.appendRaw("}\n")
        case let .truncate(change): encodeTruncate(change, into: &buffer)
        case let .message(message): encodeMessage(message, into: &buffer)
        case let .backfill(event): encodeBackfill(event, into: &buffer)
        case let .ddl(event): encodeDDL(event, into: &buffer)
        case let .gap(gap): encodeGap(gap, into: &buffer)
        case let .begin(transaction):
            buffer.appendRaw("{\"op\":\"begin\",\"commit_lsn\":")
            buffer.appendLSN(transaction.commitLSN)
            Self.appendTransaction(transaction, into: &buffer)
            buffer.appendRaw("}\n")
        case let .commit(commit):
            buffer.appendRaw("{\"op\":\"commit\",\"commit_lsn\":")
            buffer.appendLSN(commit.transaction.commitLSN)
            buffer.appendRaw(",\"end_lsn\":")
            buffer.appendLSN(commit.endLSN)
            Self.appendTransaction(commit.transaction, into: &buffer)
            buffer.appendRaw(",\"events\":")
            buffer.appendInt(Int64(commit.eventCount))
            buffer.appendRaw("}\n")
        }
    }

    // MARK: - Events

    private mutating func encodeRow(_ change: borrowing RowChange, into buffer: inout JSONBuffer) {
        // The fragments live in `relations` while the row is written (nothing is replaced meanwhile):
        // borrowed, not retained and released for every row.
        relations.unretained(change.relation)._withUnsafeGuaranteedRef { encoded in
            encodeRow(change, encoded: encoded, into: &buffer)
        }
    }

    private func encodeRow(_ change: borrowing RowChange, encoded: EncodedRelation, into buffer: inout JSONBuffer) {
        if change.operation == .read && change.new != nil {
            // A snapshot or backfilled row: written the way a chunk of them is (`encodeReadRows`).
            let position: ReadPosition =
                change.backfillTag.map { .backfill(id: $0.id, transaction: change.transaction, lsn: change.lsn) } ?? .snapshot(change.lsn)
            let line = ReadLine(encoded, at: position, end: [])
            return appendReadRow(change.new.unsafelyUnwrapped, seq: change.seq, line: line, encoded: encoded, into: &buffer)
        }
        // `{"op":…,"schema":…,"table":…,` in one piece (EncodedRelation.rowOperations' order).
        switch change.operation {
        case .insert: buffer.appendRaw(encoded.rowHeads[0])
        case .update: buffer.appendRaw(encoded.rowHeads[1])
        case .delete: buffer.appendRaw(encoded.rowHeads[2])
        case .read: buffer.appendRaw(encoded.rowHeads[3])
        }
        appendPosition(change.transaction, seq: change.seq, lsn: change.lsn, into: &buffer)
        var unchanged: [Int] = []
        // (The rows passed on, not bound: `if let` would copy a row, retaining its three references.)
        if change.old != nil {
            buffer.appendRaw(encoded.keyThenOld)
            appendRow(change.old.unsafelyUnwrapped, old: nil, encoded: encoded, unchanged: &unchanged, into: &buffer)
            guard change.new != nil else { return buffer.appendRaw("}}\n") }
            buffer.appendRaw("},\"new\":{")
        } else {
            buffer.appendRaw(encoded.keyThenNew)
        }
        if change.new != nil {
            // An old row's unchanged TOAST values are left out without being named.
            unchanged.removeAll(keepingCapacity: true)
            appendRow(change.new.unsafelyUnwrapped, old: change.old, encoded: encoded, unchanged: &unchanged, into: &buffer)
        }
        guard !unchanged.isEmpty else { return buffer.appendRaw("}}\n") }
        buffer.appendRaw("},\"unchanged_toast\":[")
        for (position, index) in unchanged.enumerated() {
            if position > 0 { buffer.appendRaw(",") }
            buffer.appendRaw(encoded.columnNames[index])
        }
        buffer.appendRaw("]}\n")
    }

    /// Where the `read` lines of a chunk of rows stand in the stream.
    package enum ReadPosition {
        /// Rows of the initial snapshot: they belong to no transaction, their position is the
        /// consistent point.
        case snapshot(LSN)
        /// Rows of backfill `id`: they take the position of their chunk's high watermark, a
        /// logical decoding message in `transaction` at `lsn`.
        case backfill(id: String, transaction: TransactionInfo, lsn: LSN)
    }

    /// Appends the `read` line of every row of `tuples` (rows of `relation`, the first numbered
    /// `firstSeq`, the others after it) at `position`: the lines ``encode(_:into:)`` writes for their
    /// `.read` events, with what every line shares formatted once. `lineEnded` gets each line's end
    /// offset in `buffer` and its row's number.
    package mutating func encodeReadRows(
        _ tuples: [TupleData], of relation: Relation, firstSeq: Int, at position: ReadPosition, into buffer: inout JSONBuffer,
        lineEnded: (_ end: Int, _ seq: Int) -> Void
    ) {
        let encoded = relations(relation)
        let line = ReadLine(encoded, at: position, end: lineEnd)
        for (index, tuple) in tuples.enumerated() {
            appendReadRow(
                Row(relation: relation, tuple: tuple, isKeyOnly: false), seq: firstSeq + index, line: line, encoded: encoded, into: &buffer)
            lineEnded(buffer.bytes.count, firstSeq + index)
        }
    }

    /// What the `read` lines of a chunk's rows share: all but their `seq` and their columns.
    private struct ReadLine {
        /// `{"op":"read","schema":…,"table":…,"commit_lsn":…,"seq":`
        var head: [UInt8]
        /// A snapshot row's `,"lsn":…,"snapshot":true`, a backfilled row's
        /// `,"lsn":…,"xid":…,"commit_time":…[,"origin":…][,"gid":…],"backfill":…`; then `,"key":[…],"new":{`
        var middle: [UInt8]
        /// `}}\n`, or `}` and the timeline's line end (`lineEnd`).
        var end: [UInt8]

        init(_ encoded: EncodedRelation, at position: ReadPosition, end lineEnd: [UInt8]) {
            var buffer = JSONBuffer()
            buffer.appendRaw(encoded.rowHeads[3])
            buffer.appendRaw("\"commit_lsn\":")
            switch position {
            case let .snapshot(lsn): buffer.appendLSN(lsn)
            case let .backfill(_, transaction, _): buffer.appendLSN(transaction.commitLSN)
            }
            buffer.appendRaw(",\"seq\":")
            head = buffer.bytes
            buffer.bytes.removeAll(keepingCapacity: true)
            buffer.appendRaw(",\"lsn\":")
            switch position {
            case let .snapshot(lsn):
                buffer.appendLSN(lsn)
                buffer.appendRaw(",\"snapshot\":true")
            case let .backfill(id, transaction, lsn):
                // As `appendPosition` writes a change's position.
                buffer.appendLSN(lsn)
                JSONLinesEncoder.appendTransaction(transaction, into: &buffer)
                buffer.appendRaw(",\"backfill\":")
                buffer.appendString(id)
            }
            buffer.appendRaw(encoded.keyThenNew)
            middle = buffer.bytes
            end = lineEnd.isEmpty ? Array("}}\n".utf8) : [UInt8(ascii: "}")] + lineEnd
        }
    }

    /// One row's `read` line (see ``ReadLine``). A row copied from a table has every value: none
    /// is an unchanged TOAST value.
    @inline(__always)
    private func appendReadRow(_ row: Row, seq: Int, line: ReadLine, encoded: EncodedRelation, into buffer: inout JSONBuffer) {
        buffer.appendRaw(line.head)
        buffer.appendInt(Int64(seq))
        buffer.appendRaw(line.middle)
        var unchanged: [Int] = []
        appendRow(row, old: nil, encoded: encoded, unchanged: &unchanged, into: &buffer)
        buffer.appendRaw(line.end)
    }

    private mutating func encodeTruncate(_ change: TruncateChange, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"op\":\"truncate\",")
        appendPosition(change.transaction, seq: change.seq, lsn: change.lsn, into: &buffer)
        buffer.appendRaw(",\"tables\":[")
        for (index, relation) in change.relations.enumerated() {
            if index > 0 { buffer.appendRaw(",") }
            buffer.appendRaw("{")
            // schemaAndTable ends with a comma; write the two fields without it.
            buffer.appendRaw(relations(relation).schemaAndTable.dropLast())
            buffer.appendRaw("}")
        }
        buffer.appendRaw("],\"cascade\":")
        buffer.appendRaw(change.cascade ? "true" : "false")
        buffer.appendRaw(",\"restart_identity\":")
        buffer.appendRaw(change.restartIdentity ? "true" : "false")
        buffer.appendRaw("}\n")
    }

    private func encodeMessage(_ message: LogicalDecodingMessageEvent, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"op\":\"message\",")
        if let transaction = message.transaction {
            appendPosition(transaction, seq: message.seq, lsn: message.lsn, into: &buffer)
            buffer.appendRaw(",\"transactional\":true")
        } else {
            buffer.appendRaw("\"commit_lsn\":")
            buffer.appendLSN(message.lsn)
            buffer.appendRaw(",\"seq\":0,\"lsn\":")
            buffer.appendLSN(message.lsn)
            buffer.appendRaw(",\"transactional\":false")
        }
        buffer.appendRaw(",\"prefix\":")
        buffer.appendString(message.prefix)
        if let text = String(validating: message.content, as: UTF8.self) {
            buffer.appendRaw(",\"content\":")
            buffer.appendString(text)
        } else {
            buffer.appendRaw(",\"content_hex\":\"\\\\x")
            BinaryText.appendHex(message.content[...], to: &buffer.bytes)
            buffer.appendRaw("\"")
        }
        buffer.appendRaw("}\n")
    }

    /// `{"op":"backfill_started",...}` or `{"op":"backfill_completed",...,"status":...}`.
    private func encodeBackfill(_ event: BackfillEvent, into buffer: inout JSONBuffer) {
        buffer.appendRaw(event.kind == .started ? "{\"op\":\"backfill_started\"," : "{\"op\":\"backfill_completed\",")
        appendPosition(event.transaction, seq: event.seq, lsn: event.lsn, into: &buffer)
        buffer.appendRaw(",\"backfill\":")
        buffer.appendString(event.id)
        buffer.appendRaw(",\"table\":")
        buffer.appendString(event.table)
        buffer.appendRaw(",\"where\":")
        if let condition = event.whereClause { buffer.appendString(condition) } else { buffer.appendRaw("null") }
        if event.kind != .started {
            buffer.appendRaw(",\"status\":")
            buffer.appendString(event.kind.rawValue)
            buffer.appendRaw(",\"rows\":")
            buffer.appendInt(Int64(event.rows))
            if let reason = event.reason {
                buffer.appendRaw(",\"reason\":")
                buffer.appendString(reason)
            }
        }
        buffer.appendRaw("}\n")
    }

    /// `{"op":"ddl",...,"tag":"CREATE TABLE","object_type":"table","schema":"public","identity":"public.t","statement":...}`.
    private func encodeDDL(_ event: DDLEvent, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"op\":\"ddl\",")
        appendPosition(event.transaction, seq: event.seq, lsn: event.lsn, into: &buffer)
        buffer.appendRaw(",\"tag\":")
        buffer.appendString(event.commandTag)
        buffer.appendRaw(",\"object_type\":")
        buffer.appendString(event.objectType)
        buffer.appendRaw(",\"schema\":")
        if let schema = event.schema { buffer.appendString(schema) } else { buffer.appendRaw("null") }
        buffer.appendRaw(",\"identity\":")
        buffer.appendString(event.objectIdentity)
        buffer.appendRaw(",\"statement\":")
        buffer.appendString(event.statement)
        buffer.appendRaw("}\n")
    }

    /// A gap's own fields, `"slot":…,"from_lsn":…,"to_lsn":…,"reason":…,"recovery":…,"tables":[…],"backfills":[…]`
    /// (in a `gap` line, and as a Debezium message's content).
    package static func encodeGapFields(_ gap: SlotGap, into buffer: inout JSONBuffer) {
        buffer.appendRaw("\"slot\":")
        buffer.appendString(gap.slot)
        buffer.appendRaw(",\"from_lsn\":")
        buffer.appendLSN(gap.lostFrom)
        buffer.appendRaw(",\"to_lsn\":")
        buffer.appendLSN(gap.resumedAt)
        buffer.appendRaw(",\"reason\":")
        buffer.appendString(gap.reason)
        buffer.appendRaw(",\"recovery\":")
        buffer.appendString(gap.recovery.rawValue)
        let arrays: [(StaticString, [String])] = [(",\"tables\":[", gap.tables), ("],\"backfills\":[", gap.backfills)]
        for (name, strings) in arrays {
            buffer.appendRaw(name)
            for (index, string) in strings.enumerated() {
                if index > 0 { buffer.appendRaw(",") }
                buffer.appendString(string)
            }
        }
        buffer.appendRaw("]")
    }

    private func encodeGap(_ gap: SlotGap, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"op\":\"gap\",\"commit_lsn\":")
        buffer.appendLSN(gap.resumedAt)
        buffer.appendRaw(",\"seq\":0,\"lsn\":")
        buffer.appendLSN(gap.resumedAt)
        buffer.appendRaw(",")
        Self.encodeGapFields(gap, into: &buffer)
        buffer.appendRaw("}\n")
    }

    private mutating func encodeSchema(_ change: SchemaChange, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"op\":\"schema\",")
        buffer.appendRaw(relations(change.new).schemaAndTable)
        appendPosition(change.transaction, seq: change.seq, lsn: change.lsn, into: &buffer)
        buffer.appendRaw(",\"old\":")
        appendDescription(change.old, into: &buffer)
        buffer.appendRaw(",\"new\":")
        appendDescription(change.new, into: &buffer)
        buffer.appendRaw("}\n")
    }

    /// `{"replica_identity":"default","columns":[{"name":..,"type_oid":..,"type_modifier":..,"key":..}]}`
    private func appendDescription(_ relation: Relation, into buffer: inout JSONBuffer) {
        buffer.appendRaw("{\"schema\":")
        buffer.appendString(relation.schema)
        buffer.appendRaw(",\"table\":")
        buffer.appendString(relation.table)
        buffer.appendRaw(",\"replica_identity\":")
        switch relation.replicaIdentity {
        case .default: buffer.appendRaw("\"default\"")
        case .nothing: buffer.appendRaw("\"nothing\"")
        case .full: buffer.appendRaw("\"full\"")
        case .index: buffer.appendRaw("\"index\"")
        }
        buffer.appendRaw(",\"columns\":[")
        var first = true
        for (index, column) in relation.columns.enumerated() where !relation.isOmitted(index) {
            if !first { buffer.appendRaw(",") }
            first = false
            buffer.appendRaw("{\"name\":")
            buffer.appendString(column.name)
            buffer.appendRaw(",\"type_oid\":")
            buffer.appendUInt(UInt64(column.typeOID))
            buffer.appendRaw(",\"type_modifier\":")
            buffer.appendInt(Int64(column.typeModifier))
            buffer.appendRaw(column.isKey ? ",\"key\":true}" : ",\"key\":false}")
        }
        buffer.appendRaw("]}")
    }

    // MARK: - Pieces

    /// `"commit_lsn":..,"seq":..,"lsn":..,"xid":..,"commit_time":..[,"origin":..][,"gid":..]`
    private func appendPosition(_ transaction: TransactionInfo, seq: Int, lsn: LSN, into buffer: inout JSONBuffer) {
        buffer.appendPosition(
            commitLSN: transaction.commitLSN, seq: seq, lsn: lsn, xid: transaction.xid, commitTime: transaction.commitTime)
        Self.appendOrigin(transaction, into: &buffer)
    }

    /// `,"xid":..,"commit_time":..[,"origin":..][,"gid":..]`: the transaction (after its `commit_lsn`
    /// and, in a change's position, `seq` and `lsn`).
    private static func appendTransaction(_ transaction: TransactionInfo, into buffer: inout JSONBuffer) {
        buffer.appendRaw(",\"xid\":")
        buffer.appendUInt(UInt64(transaction.xid))
        buffer.appendRaw(",\"commit_time\":")
        buffer.appendTimestamp(transaction.commitTime)
        appendOrigin(transaction, into: &buffer)
    }

    /// `[,"origin":..][,"gid":..]`: where the transaction came from, and a prepared transaction's gid.
    private static func appendOrigin(_ transaction: TransactionInfo, into buffer: inout JSONBuffer) {
        if let origin = transaction.origin {
            buffer.appendRaw(",\"origin\":")
            buffer.appendString(origin)
        }
        if let gid = transaction.gid {
            buffer.appendRaw(",\"gid\":")
            buffer.appendString(gid)
        }
    }

    /// `"col":value,...` (its braces are the caller's): the columns of `row` the server sent (see ``ColumnWalk``; `old` is the
    /// change's old row when `row` is its new one). Absent columns (non-key columns of an old key) are
    /// left out; so are unchanged TOAST values the walk could not take from the old row, which are
    /// recorded in `unchanged`.
    private func appendRow(_ row: Row, old: Row?, encoded: EncodedRelation, unchanged: inout [Int], into buffer: inout JSONBuffer) {
        var scratch: [UInt8] = []
        let relation = row.relation
        encoded.separatedColumnKeys.withUnsafeBytes { keys in
            encoded.separatedColumnKeyStarts.withUnsafeBufferPointer { starts in
                // (The column types read in place: no retain of their enum payloads per value.)
                relation.columns.withUnsafeBufferPointer { columnTypes in
                    // The common values are written from the row's bytes, without a slice per value.
                    row.tuple.storage.withUnsafeBytes { rowBytes in
                        // The first key is written without its comma.
                        var skip = 1
                        var walk = ColumnWalk(row)
                        while let (index, column, fromOld) = walk.nextColumn(row, old: old) {
                            guard let column else { continue }  // absent
                            if column.kind == .unchangedToast {
                                unchanged.append(index)
                                continue
                            }
                            let key = UnsafeRawBufferPointer(rebasing: keys[(starts[index] + skip)..<starts[index + 1]])
                            skip = 0
                            buffer.appendValue(
                                of: column, fromOld: fromOld, row: row, old: old, rowBytes: rowBytes, as: columnTypes[index].type,
                                key: key, scratch: &scratch)
                        }
                    }
                }
            }
        }
    }
}
