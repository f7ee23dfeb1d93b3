import PGOutput
import PostgresCDCBase

/// Encodes change events into a sink's byte buffer in the chosen ``OutputFormat`` and describes
/// every line it writes with a ``LineDescriptor``, in one place, so that the descriptors always
/// match the bytes.
package struct LineEncoder: Sendable {
    /// The line format.
    package let format: OutputFormat
    /// In Debezium format, write an END record for the snapshot's end (a sink that finds
    /// transaction boundaries in its own output needs it; the native format always has its line).
    package var marksSnapshotEnd = false
    /// Every commit that ends a transaction with events is encoded (Debezium: an END record, which
    /// then lists the transaction's events per table in `data_collections`).
    package var writesTransactionEnds = false
    private var native: JSONLinesEncoder
    private var debezium: DebeziumEncoder?
    /// Debezium: the open transaction's events per table, for its END record.
    private var collections = DataCollectionCounts()

    /// An encoder for `format`; `timeline` goes into native lines, `database` into Debezium's `source.db`,
    /// and Debezium's `ts_ms` is read from `timeSource`.
    package init(format: OutputFormat, timeline: UInt32?, database: String, timeSource: any TimeSource = .system) {
        self.format = format
        self.native = JSONLinesEncoder(timeline: timeline)
        self.debezium = format == .debezium ? DebeziumEncoder(database: database, timeSource: timeSource) : nil
    }

    /// Appends `event` to `buffer` (nothing, one line, or one per table for a Debezium truncate)
    /// and a descriptor per line written to `lines`.
    package mutating func encode(_ event: ChangeEvent, into buffer: inout JSONBuffer, describing lines: inout [LineDescriptor]) {
        let start = buffer.bytes.count
        guard debezium != nil else {
            native.encode(event, into: &buffer)
            lines.append(LineDescriptor(describing: event, end: buffer.bytes.count))
            return
        }
        switch event {
        case let .snapshotCompleted(summary):
            guard marksSnapshotEnd else { return }
            debezium?.encodeSnapshotEnd(summary, into: &buffer)
        case let .commit(commit):
            debezium?.encodeEnd(commit, collections: collections, into: &buffer)
            collections.reset()
        case let .begin(transaction):
            collections.reset()
            debezium?.encode(.begin(transaction), into: &buffer)
        case let .insert(change), let .update(change), let .delete(change):
            if writesTransactionEnds { collections.count(change.relation) }
            debezium?.encode(event, into: &buffer)
        case let .truncate(change):
            if writesTransactionEnds { change.relations.forEach { collections.count($0) } }
            debezium?.encode(event, into: &buffer)
        default:
            debezium?.encode(event, into: &buffer)
        }
        guard buffer.bytes.count > start else { return }
        guard case let .truncate(change) = event, change.relations.count > 1 else {
            lines.append(LineDescriptor(describing: event, end: buffer.bytes.count))
            return
        }
        // One line per table; a newline inside a line is always escaped, so each one ends a line.
        var part = 0
        for index in start..<buffer.bytes.count where buffer.bytes[index] == UInt8(ascii: "\n") && part < change.relations.count {
            lines.append(
                LineDescriptor(
                    end: index + 1, kind: .truncate, target: .table(change.relations[part]),
                    commitLSN: change.transaction.commitLSN, seq: change.seq, part: part))
            part += 1
        }
    }

    /// Appends the `read` lines of snapshot rows: `rows`' change for each of `tuples` (the first
    /// numbered `firstSeq`), a descriptor per line to `lines` — what ``encode(_:into:describing:)``
    /// writes for each, the native format without building the events.
    package mutating func encodeSnapshotRows(
        _ tuples: [TupleData], table: Int, firstSeq: Int, rows: SnapshotRows, into buffer: inout JSONBuffer,
        describing lines: inout [LineDescriptor]
    ) {
        guard debezium == nil else {
            for (index, tuple) in tuples.enumerated() {
                encode(.read(rows.change(table: table, tuple: tuple, seq: firstSeq + index)), into: &buffer, describing: &lines)
            }
            return
        }
        let relation = rows.relations[table]
        let lsn = rows.consistentPoint
        native.encodeReadRows(tuples, of: relation, firstSeq: firstSeq, at: .snapshot(lsn), into: &buffer) { end, seq in
            // As `LineDescriptor(describing:end:)` describes a snapshot row's line.
            lines.append(LineDescriptor(end: end, kind: .read, target: .table(relation), commitLSN: lsn, seq: seq))
        }
    }

    /// The lines of a backfill chunk's rows with a descriptor each — what ``encode(_:into:describing:)``
    /// writes for each row's event, the native format without building the events.
    package mutating func encodeBackfillRows(_ rows: BackfillRows) -> EncodedRows {
        var buffer = JSONBuffer(capacity: rows.count * 256)
        var lines: [LineDescriptor] = []
        lines.reserveCapacity(rows.count)
        if debezium == nil {
            let relation = rows.relation
            let position = JSONLinesEncoder.ReadPosition.backfill(id: rows.id, transaction: rows.transaction, lsn: rows.lsn)
            let prefix = rows.id + ":"
            var index = 0
            native.encodeReadRows(rows.tuples, of: relation, firstSeq: rows.firstSeq, at: position, into: &buffer) { end, seq in
                // As `LineDescriptor(describing:end:)` describes a backfilled row's line.
                var line = LineDescriptor(end: end, kind: .read, target: .table(relation), commitLSN: rows.transaction.commitLSN, seq: seq)
                line.backfillRow = prefix + rows.keys[index]
                lines.append(line)
                index += 1
            }
        } else {
            for index in 0..<rows.count {
                encode(.read(rows.change(at: index)), into: &buffer, describing: &lines)
            }
        }
        return EncodedRows(relation: rows.relation, rows: rows.count, bytes: buffer.bytes, lines: lines, backfill: rows.id)
    }
}

extension LineDescriptor {
    /// The descriptor of the one line `event` is written as (a truncate names all its tables).
    package init(describing event: borrowing ChangeEvent, end: Int) {
        // `borrowing`: without it the switch copies the whole event first (every reference in it
        // retained, then released) — callgrind on Benchmarks/streams/small-text: +790 instructions
        // per event for describing it, +240 with it (10,543 for decoding and encoding alone).
        switch event {
        case let .insert(change): self.init(row: change, kind: .insert, end: end)
        case let .update(change): self.init(row: change, kind: .update, end: end)
        case let .delete(change): self.init(row: change, kind: .delete, end: end)
        case let .read(change):
            if let tag = change.backfillTag {
                self.init(row: change, kind: .read, end: end)
                backfillRow = tag.id + ":" + tag.key
            } else {
                // A snapshot row's line carries the consistent point (its LSN) as commit_lsn.
                self.init(end: end, kind: .read, target: .table(change.relation), commitLSN: change.lsn, seq: change.seq)
            }
        case let .schema(change):
            self.init(end: end, kind: .schema, target: .table(change.new), commitLSN: change.transaction.commitLSN, seq: change.seq)
        case let .truncate(change):
            let target: Target = change.relations.count == 1 ? .table(change.relations[0]) : .tables(change.relations)
            self.init(end: end, kind: .truncate, target: target, commitLSN: change.transaction.commitLSN, seq: change.seq)
        case let .message(message):
            if let transaction = message.transaction {
                self.init(
                    end: end, kind: .message, target: .messagePrefix(message.prefix), commitLSN: transaction.commitLSN,
                    seq: message.seq)
            } else {
                // Outside any transaction: complete on its own.
                self.init(
                    end: end, kind: .message, target: .messagePrefix(message.prefix), commitLSN: message.lsn, seq: 0,
                    position: message.lsn)
            }
        case let .backfill(event):
            self.init(end: end, kind: .backfill, commitLSN: event.transaction.commitLSN, seq: event.seq)
        case let .gap(gap):
            // Complete only with what follows it: a crash before that writes it again.
            self.init(end: end, kind: .gap, target: .messagePrefix(SlotGap.messagePrefix), commitLSN: gap.resumedAt, seq: 0)
        case let .ddl(event):
            self.init(
                end: end, kind: .ddl, target: .messagePrefix(DDLMessage.prefix), commitLSN: event.transaction.commitLSN, seq: event.seq)
        case let .begin(transaction):
            self.init(end: end, kind: .begin, commitLSN: transaction.commitLSN)
        case let .commit(commit):
            self.init(end: end, kind: .commit, commitLSN: commit.transaction.commitLSN, position: commit.endLSN)
        case let .snapshotCompleted(summary):
            self.init(end: end, kind: .snapshot, commitLSN: summary.consistentPoint, position: summary.consistentPoint)
        }
    }
}

extension LineDescriptor {
    @inline(__always)
    private init(row change: borrowing RowChange, kind: Kind, end: Int) {
        self.init(end: end, kind: kind, target: .table(change.relation), commitLSN: change.transaction.commitLSN, seq: change.seq)
    }
}
