import Logging
import PGOutput

/// An initial snapshot in progress: the slot that exported it, the reader copying the tables, and
/// how far it got.
///
/// The snapshot is taken on a TEMPORARY slot, so a crash in the middle leaves no slot behind and
/// the next run simply takes a new snapshot. Only once the consumer has durably stored every row
/// (``isDurable``) does the phase copy it to the permanent slot (`pg_copy_logical_replication_slot`,
/// same consistent point) and drop the temporary one; the session then streams the changes after
/// the consistent point.
///
/// The session steps it with ``next(lineEncoder:logger:)`` until it is ``Step/durable``, then calls
/// ``keepSlot(_:on:connect:logger:)``.
final class SnapshotPhase {
    /// The result of one step.
    enum Step {
        /// The next event: a row, or the completion.
        case event(ChangeEvent)
        /// Rows already written as lines (with a line encoder).
        case lines(EncodedRows)
        /// Every row was handed out; the consumer has not stored them all yet.
        case awaitingDurability
        /// The consumer stored everything: time for ``keepSlot(_:on:connect:logger:)``.
        case durable
    }

    let consistentPoint: LSN
    let reader: SnapshotReader
    /// The temporary slot that exported the snapshot.
    let exportingSlot: String
    /// What makes the rows `read` events: the tables, the snapshot's transaction, the consistent point.
    let rowEvents: SnapshotRows
    /// The copied tables, by table number.
    var relations: [Relation] { rowEvents.relations }
    /// With a line encoder (``next(lineEncoder:logger:)``): the rows are handed out as lines.
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
    /// Stop once the snapshot is stored (``SnapshotMode/initialOnly``).
    let endsAfterwards: Bool
    /// The permanent slot is a failover slot (its copy must be told: a copy does not inherit FAILOVER).
    let failover: Bool
    /// Called as each table finishes.
    var onProgress: ((SnapshotProgress) -> Void)?

    init(
        configuration: StreamConfiguration, endpoint: ServerEndpoint, connection: PostgresConnection, catalog: TypeCatalog,
        endingAfterwards: Bool, failover: Bool, logger: Logger
    ) throws(ReplicationError) {
        endsAfterwards = endingAfterwards
        self.failover = failover
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
            jobs: configuration.snapshotJobs, catalog: catalog, binary: configuration.binaryValues, timeSource: configuration.timeSource)
        let relations = reader.tables.map {
            Relation(message: $0.message, catalog: catalog, filter: configuration.filter, primaryKey: $0.primaryKey)
        }
        let transaction = TransactionInfo(
            xid: 0, commitLSN: consistentPoint,
            commitTime: PostgresTimestamp(unixMicroseconds: configuration.timeSource.unixMicroseconds()),
            origin: nil)
        rowEvents = SnapshotRows(relations: relations, transaction: transaction, consistentPoint: consistentPoint)
        logger.info(
            "taking the initial snapshot",
            metadata: [
                "slot": "\(configuration.slot)", "lsn": "\(consistentPoint)", "tables": "\(reader.tables.count)",
                "jobs": "\(configuration.snapshotJobs)", "copies": "\(reader.copies)",
            ])
    }

    /// The next step: starts the copying threads at the first (encoding lines with `lineEncoder`,
    /// if any), then hands out the rows, the completion, and waits for the consumer to store them.
    func next(lineEncoder: LineEncoder?, logger: Logger) throws(ReplicationError) -> Step {
        if !started {
            started = true
            encoder = lineEncoder.map { SnapshotRowEncoder(encoder: $0, rows: rowEvents) }
            reader.encoder = encoder
            reader.start()
        }
        if isComplete { return isDurable ? .durable : .awaitingDurability }
        while true {
            if chunkIndex < chunk.count {
                let tuple = chunk[chunkIndex]
                chunkIndex += 1
                let change = rowEvents.change(table: chunkTable, tuple: tuple, seq: rows)
                rows += 1
                return .event(.read(change))
            }
            guard let item = try reader.next() else { break }
            switch item {
            case let .rows(table, tuples, firstSeq):
                if var encoder = self.encoder {
                    // The copying thread left this chunk to the consumer (it was not behind): its lines are written here.
                    let lines = encoder.encode(table: table, tuples: tuples, firstSeq: firstSeq)
                    self.encoder = encoder
                    rows += lines.rows
                    return .lines(lines)
                }
                chunk = tuples
                chunkTable = table
                chunkIndex = 0
            case let .lines(lines):
                rows += lines.rows
                return .lines(lines)
            case let .tableDone(table, rows, seconds):
                tablesDone += 1
                let info = reader.tables[table]
                logger.debug("snapshot table copied", metadata: ["table": "\(info.name)", "rows": "\(rows)", "seconds": "\(seconds)"])
                onProgress?(
                    SnapshotProgress(
                        table: info.name, rows: rows, seconds: seconds, estimatedRows: info.estimatedRows, tablesDone: tablesDone,
                        tablesTotal: reader.tables.count))
            }
        }
        isComplete = true
        reader.stop()
        return .event(.snapshotCompleted(SnapshotSummary(consistentPoint: consistentPoint, tables: reader.tables.count, rows: rows)))
    }

    /// Once ``Step/durable``: keeps the slot (a copy of the temporary one, at the same consistent
    /// point) and returns `true` — the session starts streaming; with `initial-only`, drops the
    /// temporary slot and returns `false` — the session ends.
    func keepSlot(
        _ configuration: StreamConfiguration, on connection: PostgresConnection,
        connect: () throws(ReplicationError) -> PostgresConnection, logger: Logger
    ) throws(ReplicationError) -> Bool {
        logger.info(
            "snapshot complete", metadata: ["rows": "\(rows)", "tables": "\(reader.tables.count)", "lsn": "\(consistentPoint)"])
        if endsAfterwards {
            if !configuration.temporarySlot { try connection.dropReplicationSlot(exportingSlot) }
            return false
        }
        guard exportingSlot != configuration.slot else { return true }
        // A copy is temporary like its source unless told otherwise; the copying session holds
        // the new slot until it disconnects, so it is closed before streaming starts.
        let copier = try connect()
        do {
            try copier.execute("SELECT pg_copy_logical_replication_slot($1, $2, false)", parameters: [exportingSlot, configuration.slot])
        } catch {
            copier.close()
            throw error
        }
        copier.close()
        try connection.dropReplicationSlot(exportingSlot)
        // A copy does not inherit FAILOVER from its source.
        if failover { try connection.enableFailover(slot: configuration.slot) }
        logger.info(
            "created replication slot",
            metadata: ["slot": "\(configuration.slot)", "lsn": "\(consistentPoint)", "host": "\(connection.serverAddress)"])
        return true
    }
}
