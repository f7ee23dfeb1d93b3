import Logging
import PGOutput

/// Carries out what a session's ``BackfillMachine`` decides: drives the ``BackfillReader``, answers
/// the machine's questions from the catalog, writes control messages into the WAL, records the
/// state in the ``BackfillLedger``, logs, and keeps the events waiting to be handed out.
///
/// The session passes it only what backfills need — commits, control messages, and row changes
/// while a window is open (``watchesRows``) — so a stream without a running backfill pays nothing per row.
final class BackfillRunner {
    private var machine: BackfillMachine
    private let reader: BackfillReader
    private let ledger: BackfillLedger
    private var queue = BackfillQueue()
    private let configuration: StreamConfiguration
    private let logger: Logger
    /// The normal connection for catalog lookups (the session's, opened on first use).
    private let catalogConnection: () throws(ReplicationError) -> PostgresConnection
    /// Whether commits are handed out (the owner asked for commit or transaction events); else they are only recorded.
    var handsOutCommits: Bool

    private init(
        machine: BackfillMachine, reader: BackfillReader, ledger: BackfillLedger, configuration: StreamConfiguration, logger: Logger,
        catalogConnection: @escaping () throws(ReplicationError) -> PostgresConnection
    ) {
        self.machine = machine
        self.reader = reader
        self.ledger = ledger
        self.configuration = configuration
        self.logger = logger
        self.catalogConnection = catalogConnection
        self.handsOutCommits = configuration.includeTransactionEvents
    }

    /// Backfills for a session starting at `startLSN` (PostgreSQL 14+, whose pgoutput sends logical
    /// decoding messages; `nil` on older servers): the state as of there, a reader resuming every
    /// backfill in progress, and the `requests` (the configuration's, a gap's) that the stream has not run yet.
    static func start(
        _ configuration: StreamConfiguration, requests: [BackfillRequest], on server: ServerVersion, ledger given: BackfillLedger?,
        at startLSN: LSN, afterSnapshot snapshotTaken: Bool, catalog: TypeCatalog, logger: Logger,
        connect: @escaping () throws(ReplicationError) -> PostgresConnection,
        catalogConnection: @escaping () throws(ReplicationError) -> PostgresConnection
    ) throws(ReplicationError) -> BackfillRunner? {
        guard server.majorVersion >= 14 else {
            if !configuration.backfills.isEmpty || configuration.backfillNewTables {
                throw .configuration(
                    ConfigurationProblem(
                        SettingValue(.backfills, configuration.backfills.map(\.table).joined(separator: ",")), needs: .server(minimum: 14),
                        server: server))
            }
            return nil
        }
        let ledger: BackfillLedger
        if let given { ledger = given } else { ledger = try BackfillLedger(path: configuration.backfillStatePath) }
        let settings = BackfillMachine.Settings(
            slot: configuration.slot, newTables: configuration.backfillNewTables, checkInterval: configuration.backfillCheckInterval)
        let machine = BackfillMachine(settings: settings, state: try ledger.resume(at: startLSN), snapshotTaken: snapshotTaken)
        let reader = BackfillReader(
            slot: configuration.slot, publication: configuration.publication, filter: configuration.filter,
            binaryValues: configuration.binaryValues, rowsPerSecond: configuration.backfillRowsPerSecond, logger: logger,
            timeSource: configuration.timeSource, connect: connect)
        let runner = BackfillRunner(
            machine: machine, reader: reader, ledger: ledger, configuration: configuration, logger: logger,
            catalogConnection: catalogConnection)
        var unnumbered = 0
        try runner.perform(machine.begin(requests: requests), seq: &unnumbered, catalog: catalog)
        return runner
    }

    // MARK: - Events

    /// Whether an event waits to be handed out.
    var hasQueuedEvents: Bool { queue.hasQueuedEvents }

    /// The next waiting event (a chunk's rows one by one).
    func dequeue() -> ChangeEvent? { queue.dequeue() }

    /// The chunk's rows waiting first, all of them, when none of them was handed out yet.
    func dequeueRows() -> BackfillRows? { queue.dequeueRows() }

    /// Whether row changes matter now: a chunk's window is open.
    var watchesRows: Bool { machine.watchesRows }

    /// Notes an insert, update or delete handed out while ``watchesRows``.
    func observe(_ event: ChangeEvent) {
        switch event {
        case let .insert(change), let .update(change), let .delete(change): machine.observe(change)
        default: break
        }
    }

    /// What backfills do with a commit or a message the assembler handed out: `true` when it is
    /// consumed (a control message, a commit only recorded, a message not asked for), its place
    /// taken by whatever was queued. Events are numbered from `seq` in the message's transaction;
    /// readers started read with `catalog`.
    func consumes(_ event: ChangeEvent, catalog: TypeCatalog, seq: inout Int) throws(ReplicationError) -> Bool {
        switch event {
        case let .commit(commit):
            try perform(machine.committed(xid: commit.transaction.xid, endLSN: commit.endLSN), seq: &seq, catalog: catalog)
            return !handsOutCommits
        case let .message(message):
            guard BackfillMessage.isControl(prefix: message.prefix) else { return !configuration.includeMessages }
            let actions = machine.received(message, seq: &seq)
            try perform(actions, seq: &seq, catalog: catalog)
            return true
        default:
            return false
        }
    }

    /// Carries out what is due at `now` (the new-table checks).
    func performDue(now: UInt64, catalog: TypeCatalog) throws(ReplicationError) {
        var unnumbered = 0
        try perform(machine.due(now: now), seq: &unnumbered, catalog: catalog)
    }

    /// Stops the reader; its connection closes with it.
    func stop() {
        reader.stop()
    }

    // MARK: - Actions

    private func perform(_ actions: [BackfillMachine.Action], seq: inout Int, catalog: TypeCatalog) throws(ReplicationError) {
        for action in actions {
            switch action {
            case let .startReading(progress):
                reader.start(progress, catalog: catalog)
            case let .stopReading(id):
                reader.cancel(id)
            case let .readAgain(id, lastKey, pending, pause):
                reader.restart(id, after: lastKey, pending: pending, pausing: pause)
            case let .retry(id, keys):
                reader.retry(id, keys: keys)
            case let .findPlan(chunk):
                if let plan = reader.plan(for: chunk) { machine.planFound(plan) }
            case let .takeChunk(mark):
                let taken = reader.take(mark.chunk)
                let next = machine.chunkTaken(taken, at: mark, seq: &seq, now: configuration.timeSource.monotonicNanoseconds())
                try perform(next, seq: &seq, catalog: catalog)
            case let .check(request, point):
                let checked = try check(request)
                let next = machine.checked(request, refusal: checked.refusal, estimatedRows: checked.estimatedRows, at: point, seq: &seq)
                try perform(next, seq: &seq, catalog: catalog)
            case .listPublishedTables:
                let next = machine.tablesPublished(try ReplicationSetup.publishedTables(configuration, on: catalogConnection()))
                try perform(next, seq: &seq, catalog: catalog)
            case let .send(message):
                try send(message)
            case let .handOut(event):
                queue.append(event)
            case let .handOutRows(rows):
                queue.append(rows)
            case let .record(state, lsn):
                try ledger.record(state, at: lsn)
            case let .log(line):
                line.write(to: logger)
            }
        }
    }

    /// Writes `message` into the WAL (its own transaction), through the catalog connection.
    private func send(_ message: BackfillMessage) throws(ReplicationError) {
        try catalogConnection().emitLogicalMessage(prefix: message.prefix, content: message.content, transactional: true)
    }

    /// Whether `request` can run: the table is published, kept by the stream's filters, has a
    /// primary key, and the condition is valid SQL on it. A refusal says why, in the user's words.
    private func check(_ request: BackfillRequest) throws(ReplicationError) -> (refusal: String?, estimatedRows: Int) {
        let parts = request.table.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, configuration.filter.includes(schema: parts[0], table: parts[1]) else {
            return ("the stream leaves table \(request.table) out (its table filters)", 0)
        }
        let connection = try catalogConnection()
        guard let table = try SnapshotTable.published(in: configuration.publication, on: connection, only: request.table).first else {
            return ("table \(request.table) is not in publication \(configuration.publication)", 0)
        }
        let name = try connection.quoteIdentifier(table.message.namespace) + "." + connection.quoteIdentifier(table.message.name)
        let refusal = try BackfillControl.refusal(
            of: request, table: table.message.oid, named: name, calling: "table \(request.table)", on: connection)
        return (refusal, table.estimatedRows)
    }
}
