import Foundation
import Logging
import PGOutput

/// An initial snapshot in progress: the slot that exported it, the reader copying the tables, and
/// how far it got.
///
/// The snapshot is taken on a TEMPORARY slot, so a crash in the middle leaves no slot behind and
/// the next run simply takes a new snapshot. Only once the consumer has durably stored every row
/// (``ReplicationSession/snapshotDurable()``) does the session copy it to the permanent slot
/// (`pg_copy_logical_replication_slot`, same consistent point), drop the temporary one, and start
/// streaming the changes after the consistent point.
final class SnapshotPhase {
    let consistentPoint: LSN
    let reader: SnapshotReader
    /// The temporary slot that exported the snapshot.
    let exportingSlot: String
    /// What makes the rows `read` events: the tables, the snapshot's transaction, the consistent point.
    let rowEvents: SnapshotRows
    /// The copied tables, by table number.
    var relations: [Relation] { rowEvents.relations }
    /// With the session's ``ReplicationSession/lineEncoder``: the rows are handed out as lines.
    var encoder: SnapshotRowEncoder?
    /// The copying threads were started (at the first step, once the encoder is known).
    var started = false
    var rows = 0
    var tablesDone = 0
    /// The chunk being handed out, its table, and the next row in it.
    var chunk: [TupleData] = []
    var chunkTable = 0
    var chunkIndex = 0
    /// Every row was handed out (the completion event too).
    var isComplete = false
    /// The consumer stored everything.
    var isDurable = false

    init(configuration: StreamConfiguration, endpoint: ServerEndpoint, connection: PostgresConnection, catalog: TypeCatalog, logger: Logger)
        throws(ReplicationError)
    {
        let slotName = configuration.temporarySlot ? configuration.slot : ReplicationSetup.snapshotSlotName(for: configuration.slot)
        let created = try connection.createLogicalSlot(slotName, temporary: true, exportSnapshot: true)
        guard let snapshotName = created.snapshotName else {
            throw .unexpectedResponse(command: "CREATE_REPLICATION_SLOT … EXPORT_SNAPSHOT", detail: "no snapshot_name")
        }
        consistentPoint = created.consistentPoint
        exportingSlot = slotName
        // Imported by every copying connection before this one runs another command.
        reader = try SnapshotReader(
            connect: { () throws(ReplicationError) in try endpoint.connect(replication: false) }, snapshotName: snapshotName,
            publication: configuration.publication,
            onlyTables: configuration.createPublication ? [] : configuration.tables, filter: configuration.filter,
            jobs: configuration.snapshotJobs, catalog: catalog, binary: configuration.binaryValues)
        let relations = reader.tables.map {
            Relation(message: $0.message, catalog: catalog, filter: configuration.filter, primaryKey: $0.primaryKey)
        }
        let transaction = TransactionInfo(
            xid: 0, commitLSN: consistentPoint, commitTime: PostgresTimestamp(unixMicroseconds: Int64(Date().timeIntervalSince1970 * 1e6)),
            origin: nil)
        rowEvents = SnapshotRows(relations: relations, transaction: transaction, consistentPoint: consistentPoint)
        logger.info(
            "taking the initial snapshot",
            metadata: [
                "slot": "\(configuration.slot)", "lsn": "\(consistentPoint)", "tables": "\(reader.tables.count)",
                "jobs": "\(configuration.snapshotJobs)", "copies": "\(reader.copies)",
            ])
    }
}

extension ReplicationSession {
    /// Records that the consumer durably stored the snapshot (every `read` event and the
    /// completion): the session then keeps the slot and starts streaming changes.
    package func snapshotDurable() {
        snapshot?.isDurable = true
    }

    /// The tables the snapshot in progress copies; `nil` when none is in progress.
    package var snapshotRelations: [Relation]? { snapshot?.relations }

    /// Whether a snapshot was handed out completely and waits for ``snapshotDurable()``.
    package var isAwaitingSnapshotDurability: Bool {
        snapshot.map { $0.isComplete && !$0.isDurable } ?? false
    }

    /// The next step while a snapshot is in progress; `nil` once streaming has started.
    func nextSnapshotStep(wait: Bool) throws(ReplicationError) -> Step? {
        guard let phase = snapshot else { return nil }
        if !phase.started {
            phase.started = true
            phase.encoder = lineEncoder.map { SnapshotRowEncoder(encoder: $0, rows: phase.rowEvents) }
            phase.reader.encoder = phase.encoder
            phase.reader.start()
        }
        if !phase.isComplete {
            while true {
                if phase.chunkIndex < phase.chunk.count {
                    let tuple = phase.chunk[phase.chunkIndex]
                    phase.chunkIndex += 1
                    let change = phase.rowEvents.change(table: phase.chunkTable, tuple: tuple, seq: phase.rows)
                    phase.rows += 1
                    return .event(.read(change))
                }
                guard let item = try phase.reader.next() else { break }
                switch item {
                case let .rows(table, tuples, firstSeq):
                    if var encoder = phase.encoder {
                        // The copying thread left this chunk to the consumer (it was not behind): its lines are written here.
                        let lines = encoder.encode(table: table, tuples: tuples, firstSeq: firstSeq)
                        phase.encoder = encoder
                        phase.rows += lines.rows
                        return .lines(lines)
                    }
                    phase.chunk = tuples
                    phase.chunkTable = table
                    phase.chunkIndex = 0
                case let .lines(lines):
                    phase.rows += lines.rows
                    return .lines(lines)
                case let .tableDone(table, rows, seconds):
                    phase.tablesDone += 1
                    let info = phase.reader.tables[table]
                    logger.debug("snapshot table copied", metadata: ["table": "\(info.name)", "rows": "\(rows)", "seconds": "\(seconds)"])
                    onSnapshotProgress?(
                        SnapshotProgress(
                            table: info.name, rows: rows, seconds: seconds, estimatedRows: info.estimatedRows,
                            tablesDone: phase.tablesDone, tablesTotal: phase.reader.tables.count))
                }
            }
            phase.isComplete = true
            phase.reader.stop()
            return .event(
                .snapshotCompleted(
                    SnapshotSummary(consistentPoint: phase.consistentPoint, tables: phase.reader.tables.count, rows: phase.rows)))
        }
        guard phase.isDurable else {
            // Waiting for the consumer to store the snapshot; do not spin.
            if wait { _ = try? connection.waitForInput(timeoutMilliseconds: 20, alsoWatching: wakeDescriptor) }
            return .idle
        }
        try finishSnapshot(phase)
        return ended ? .end : nil
    }

    /// Keeps the slot (a copy of the temporary one, at the same consistent point) and starts
    /// streaming; with `initial-only`, drops the temporary slot and ends.
    private func finishSnapshot(_ phase: SnapshotPhase) throws(ReplicationError) {
        snapshot = nil
        logger.info(
            "snapshot complete",
            metadata: ["rows": "\(phase.rows)", "tables": "\(phase.reader.tables.count)", "lsn": "\(phase.consistentPoint)"])
        if endAfterSnapshot {
            if !configuration.temporarySlot { try connection.dropReplicationSlot(phase.exportingSlot) }
            ended = true
            return
        }
        if phase.exportingSlot != configuration.slot {
            // A copy is temporary like its source unless told otherwise; the copying session holds
            // the new slot until it disconnects, so it is closed before streaming starts.
            let copier = try endpoint.connect(replication: false)
            do {
                try copier.execute(
                    "SELECT pg_copy_logical_replication_slot($1, $2, false)", parameters: [phase.exportingSlot, configuration.slot])
            } catch {
                copier.close()
                throw error
            }
            copier.close()
            try connection.dropReplicationSlot(phase.exportingSlot)
            if createdFailoverSlot {
                // A copy does not inherit FAILOVER from its source.
                try connection.enableFailover(slot: configuration.slot)
            }
            logger.info(
                "created replication slot",
                metadata: ["slot": "\(configuration.slot)", "lsn": "\(phase.consistentPoint)", "host": "\(serverAddress)"])
        }
        try startStreaming()
    }
}
