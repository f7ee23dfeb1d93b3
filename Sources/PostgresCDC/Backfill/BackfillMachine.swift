import Logging
import PGOutput

/// A stream's backfills as a pure state machine: it takes what the stream meets — control messages
/// with their transaction, row changes, commits — the reader's answers and the time, and returns
/// what to do (``Action``): read, read again or stop reading a backfill's chunks, send a message
/// through the WAL, hand out events or a chunk's rows, record the state in the ledger, log, ask the
/// catalog. ``BackfillRunner`` carries the actions out; questions (``Action/check(_:at:)``,
/// ``Action/findPlan(chunk:)``, ``Action/takeChunk(_:)``, ``Action/listPublishedTables``) come back
/// as inputs with their answer.
///
/// Time is a value: inputs that depend on it take `now` (monotonic nanoseconds), so progress
/// logging, read-again pauses and the new-table checks are tested without a server or a clock.
struct BackfillMachine {
    /// What the stream asked for (from ``StreamConfiguration``).
    struct Settings: Sendable, Equatable {
        /// The stream's slot: control messages naming another slot are another stream's.
        var slot: String
        /// Ask for a backfill of every table that joins the publication (``StreamConfiguration/backfillNewTables``).
        var newTables: Bool
        /// Seconds between two checks of the publication's tables (``StreamConfiguration/backfillCheckInterval``).
        var checkInterval: Double

        init(slot: String, newTables: Bool = false, checkInterval: Double = 10) {
            self.slot = slot
            self.newTables = newTables
            self.checkInterval = checkInterval
        }
    }

    /// Where a control message was met: the events it brings take its transaction and position.
    struct Point: Sendable {
        var transaction: TransactionInfo
        var lsn: LSN
    }

    /// A high watermark met in the stream: its chunk is taken from the reader (``Action/takeChunk(_:)``).
    struct HighWatermark: Sendable {
        var backfill: String
        var chunk: String
        var point: Point
    }

    /// Something to do now, in order.
    enum Action {
        /// Start (or resume after its last key) reading a backfill's chunks.
        case startReading(BackfillProgress)
        /// Stop reading a backfill and forget its chunks.
        case stopReading(id: String)
        /// Read a backfill again from just after `after`, with `pending` keys, once `pausing` seconds passed.
        case readAgain(id: String, after: [String]?, pending: [[String]], pausing: Double)
        /// Read these keys again with the backfill's next chunk.
        case retry(id: String, keys: [[String]])
        /// Ask the reader for the plan of `chunk`; answer with ``planFound(_:)`` when it has one.
        case findPlan(chunk: String)
        /// Take the chunk from the reader; answer with ``chunkTaken(_:at:seq:now:)``.
        case takeChunk(HighWatermark)
        /// Check the request against the catalog; answer with ``checked(_:refusal:estimatedRows:at:seq:)``.
        case check(BackfillRequest, at: Point)
        /// List the publication's tables; answer with ``tablesPublished(_:)``.
        case listPublishedTables
        /// Write a control message into the WAL.
        case send(BackfillMessage)
        /// Hand this event out before reading on.
        case handOut(ChangeEvent)
        /// Hand these rows out before reading on.
        case handOutRows(BackfillRows)
        /// Record the state in the ledger as the state after the transaction ending at `at`.
        case record(BackfillState, at: LSN)
        /// Log this.
        case log(BackfillLog)
    }

    /// How long the log stays quiet between two progress lines of a backfill.
    static let progressLogInterval: UInt64 = 5_000_000_000

    /// The backfills as of the last input (recorded in the ledger at commits).
    private(set) var state: BackfillState
    private let settings: Settings
    private var windows = BackfillWindows()
    /// The state changed since it was last recorded.
    private var isDirty = false
    /// Backfill id → chunks read again in a row because a transaction handed out before them was
    /// still running for their read (``BackfillWindows/Closing/readTooEarly(xid:)``).
    private var tooEarlyReads: [String: Int] = [:]
    /// New tables asked for already (their requests are on their way through the WAL).
    private var requestedTables: Set<String> = []
    /// When the publication's tables were last compared with ``BackfillState/knownTables``; `nil`: never.
    private var lastTableCheck: UInt64?
    /// When progress was last logged; `nil`: never.
    private var lastProgressLog: UInt64?

    /// Backfills resuming `state`; after a new snapshot (`snapshotTaken`), those in progress are
    /// finished: the snapshot has every row they had left to read.
    init(settings: Settings, state: BackfillState, snapshotTaken: Bool) {
        self.settings = settings
        self.state = state
        if snapshotTaken {
            for progress in state.active { self.state.finish(progress.request.id) }
        }
    }

    // MARK: - Inputs

    /// The session starts: resume reading every backfill in progress, learn the published tables
    /// (new-table mode, the first time), and ask for the `requests` not run yet.
    func begin(requests: [BackfillRequest]) -> [Action] {
        var actions: [Action] = []
        for progress in state.active {
            let request = progress.request
            actions.append(
                .log(.info("resuming backfill", ["backfill": "\(request.id)", "table": "\(request.table)", "rows": "\(progress.rows)"])))
            actions.append(.startReading(progress))
        }
        if settings.newTables && state.knownTables == nil { actions.append(.listPublishedTables) }
        for request in requests where !state.knows(request.id) {
            actions.append(.send(.start(slot: settings.slot, request)))
        }
        return actions
    }

    /// Whether a window is open: only then do row changes matter (``observe(_:)``).
    var watchesRows: Bool { !windows.isEmpty }

    /// A row change handed out: notes the keys it touches for the open windows of its table.
    mutating func observe(_ change: RowChange) {
        windows.observe(change)
    }

    /// A commit handed out: the state is recorded with it when it changed.
    mutating func committed(xid: UInt32, endLSN: LSN) -> [Action] {
        windows.noteHandedOut(xid)
        guard isDirty else { return [] }
        isDirty = false
        return [.record(state, at: endLSN)]
    }

    /// A control message (``BackfillMessage/isControl(prefix:)``) met in the stream; events it
    /// brings are numbered from `seq` in its transaction.
    mutating func received(_ event: LogicalDecodingMessageEvent, seq: inout Int) -> [Action] {
        guard let message = BackfillMessage(prefix: event.prefix, content: event.content), message.slot == settings.slot else {
            return []
        }
        guard let transaction = event.transaction else {
            return [.log(.warning("ignoring a backfill message outside a transaction", ["lsn": "\(event.lsn)"]))]
        }
        let point = Point(transaction: transaction, lsn: event.lsn)
        switch message {
        case let .start(_, request):
            guard !state.knows(request.id) else { return [] }
            if let known = state.knownTables, !known.contains(request.table) {
                state.knownTables = known + [request.table]
                isDirty = true
            }
            return [.check(request, at: point)]
        case let .cancel(_, id):
            guard let progress = progress(of: id) else { return [] }
            return finish(id) + [
                .log(.info("backfill cancelled", ["backfill": "\(id)", "rows": "\(progress.rows)"])),
                Self.event(.cancelled, progress, at: point, seq: &seq),
            ]
        case let .watermark(_, id, chunk, mark, reason):
            switch mark {
            case .low:
                return progress(of: id) == nil ? [] : [.findPlan(chunk: chunk)]
            case .high:
                return [.takeChunk(HighWatermark(backfill: id, chunk: chunk, point: point))]
            case .abort:
                guard let progress = progress(of: id) else { return [] }
                return finish(id) + [
                    .log(.warning("backfill aborted", ["backfill": "\(id)", "reason": "\(reason ?? "")"])),
                    Self.event(.aborted, progress, reason: reason, at: point, seq: &seq),
                ]
            }
        }
    }

    /// The reader announced the chunk of a low watermark: its window opens.
    mutating func planFound(_ plan: BackfillReader.Plan) {
        windows.open(plan)
    }

    /// The catalog's answer to ``Action/check(_:at:)``: the backfill starts, or is refused.
    mutating func checked(
        _ request: BackfillRequest, refusal: String?, estimatedRows: Int, at point: Point, seq: inout Int
    ) -> [Action] {
        let progress = BackfillProgress(request: request, estimatedRows: estimatedRows)
        isDirty = true
        if let refusal {
            state.finish(request.id)
            return [
                .log(.warning("backfill refused", ["backfill": "\(request.id)", "table": "\(request.table)", "reason": "\(refusal)"])),
                Self.event(.refused, progress, reason: refusal, at: point, seq: &seq),
            ]
        }
        state.active.append(progress)
        let metadata: Logger.Metadata = [
            "backfill": "\(request.id)", "table": "\(request.table)", "where": "\(request.whereClause ?? "")",
            "estimated_rows": "\(estimatedRows)",
        ]
        return [.log(.info("backfill started", metadata)), Self.event(.started, progress, at: point, seq: &seq), .startReading(progress)]
    }

    /// The reader's answer to ``Action/takeChunk(_:)`` (`nil` when it does not hold the chunk): the
    /// rows whose keys did not change in the window are handed out, numbered from `seq`.
    mutating func chunkTaken(_ taken: BackfillReader.Chunk?, at mark: HighWatermark, seq: inout Int, now: UInt64) -> [Action] {
        let id = mark.backfill
        let closing = windows.close(mark.chunk, readWhileRunning: taken?.snapshot)
        guard let taken, var progress = progress(of: id) else { return [] }
        let changed: [String: Bool]
        switch closing {
        case let .changed(keys) where taken.plan.startKey == progress.lastKey:
            changed = keys
            tooEarlyReads[id] = nil
        case let .readTooEarly(xid):
            // Read again once that transaction is visible; a synchronous standby can hold it for long.
            let attempts = tooEarlyReads[id, default: 0] + 1
            tooEarlyReads[id] = attempts
            return [
                .log(
                    .info(
                        "reading a backfill chunk again: a transaction handed out before it was still running for its read",
                        ["backfill": "\(id)", "xid": "\(xid)", "attempt": "\(attempts)"])),
                .readAgain(
                    id: id, after: progress.lastKey, pending: progress.pendingKeys, pausing: Self.readAgainPause(attempts: attempts)),
            ]
        default:
            // A chunk read before a reconnect or after one the stream never met: read on from what was handed out.
            return [.readAgain(id: id, after: progress.lastKey, pending: progress.pendingKeys, pausing: 0)]
        }
        let retried = Set(taken.plan.retryKeys)
        progress.pendingKeys.removeAll { retried.contains($0) }
        var again: [[String]] = []
        var rows = BackfillRows(id: id, relation: taken.relation, transaction: mark.point.transaction, lsn: mark.point.lsn, firstSeq: seq)
        for tuple in taken.rows {
            let row = Row(relation: taken.relation, tuple: tuple, isKeyOnly: false)
            let key = BackfillWindows.key(of: row, at: taken.keyIndexes)
            if let readAgain = changed[key] {
                if readAgain { again.append(taken.keyIndexes.map { row.text(at: $0) ?? "" }) }
                continue
            }
            rows.append(tuple, key: key)
        }
        var actions: [Action] = []
        if rows.count > 0 {
            // The rows are numbered in the watermark's transaction, after what came before them.
            seq += rows.count
            progress.rows += rows.count
            actions.append(.handOutRows(rows))
        }
        if let lastKey = taken.lastKey { progress.lastKey = lastKey }
        progress.pendingKeys += again
        update(progress)
        if !again.isEmpty { actions.append(.retry(id: id, keys: again)) }
        if taken.isLast && progress.pendingKeys.isEmpty {
            actions += finish(id)
            actions.append(
                .log(.info("backfill completed", ["backfill": "\(id)", "table": "\(progress.request.table)", "rows": "\(progress.rows)"])))
            actions.append(Self.event(.completed, progress, at: mark.point, seq: &seq))
        } else if let line = progressLine(progress, now: now) {
            actions.append(line)
        }
        return actions
    }

    /// What is due at `now`: with ``Settings/newTables``, a look at the publication's tables every
    /// ``Settings/checkInterval`` seconds (the first at once).
    mutating func due(now: UInt64) -> [Action] {
        guard settings.newTables else { return [] }
        if let lastTableCheck, now &- lastTableCheck < UInt64(max(0.1, settings.checkInterval) * 1e9) { return [] }
        lastTableCheck = now
        return [.listPublishedTables]
    }

    /// The catalog's answer to ``Action/listPublishedTables``: the first list is what the stream
    /// has; later, a backfill is asked for each table that joined since.
    mutating func tablesPublished(_ current: [ReplicationSetup.PublishedTable]) -> [Action] {
        guard var known = state.knownTables else {
            state.knownTables = current.map(\.name).sorted()
            isDirty = true
            return []
        }
        let names = Set(current.map(\.name))
        if known.contains(where: { !names.contains($0) }) {
            // A table that left the publication is new again when it comes back.
            known.removeAll { !names.contains($0) }
            state.knownTables = known
            isDirty = true
        }
        var actions: [Action] = []
        for table in current where !known.contains(table.name) && !requestedTables.contains(table.name) {
            requestedTables.insert(table.name)
            actions.append(.log(.info("table joined the publication; asking for its backfill", ["table": "\(table.name)"])))
            actions.append(.send(.start(slot: settings.slot, BackfillRequest(table: table.name, id: "new-\(table.oid)"))))
        }
        return actions
    }

    // MARK: - Helpers

    /// Seconds to wait before reading a chunk again after `attempts` reads in a row came too early:
    /// 20 ms, doubling, at most 2 s (``BackfillBackoff/readTooEarly``).
    static func readAgainPause(attempts: Int) -> Double {
        BackfillBackoff.readTooEarly.delay(afterFailures: attempts)
    }

    private func progress(of id: String) -> BackfillProgress? {
        state.active.first { $0.request.id == id }
    }

    private mutating func update(_ progress: BackfillProgress) {
        guard let index = state.active.firstIndex(where: { $0.request.id == progress.request.id }) else { return }
        state.active[index] = progress
        isDirty = true
    }

    private mutating func finish(_ id: String) -> [Action] {
        state.finish(id)
        windows.closeAll(of: id)
        tooEarlyReads[id] = nil
        isDirty = true
        return [.stopReading(id: id)]
    }

    /// A progress line, at most one every ``progressLogInterval``.
    private mutating func progressLine(_ progress: BackfillProgress, now: UInt64) -> Action? {
        if let lastProgressLog, now &- lastProgressLog < Self.progressLogInterval { return nil }
        lastProgressLog = now
        var metadata: Logger.Metadata = [
            "backfill": "\(progress.request.id)", "table": "\(progress.request.table)", "rows": "\(progress.rows)",
        ]
        if progress.estimatedRows > 0 { metadata["percent_of_estimate"] = "\(min(999, progress.rows * 100 / progress.estimatedRows))" }
        return .log(.info("backfill progress", metadata))
    }

    private static func event(
        _ kind: BackfillEvent.Kind, _ progress: BackfillProgress, reason: String? = nil, at point: Point, seq: inout Int
    ) -> Action {
        defer { seq += 1 }
        let request = progress.request
        return .handOut(
            .backfill(
                BackfillEvent(
                    kind: kind, id: request.id, table: request.table, whereClause: request.whereClause, rows: progress.rows,
                    estimatedRows: progress.estimatedRows, reason: reason, transaction: point.transaction, seq: seq, lsn: point.lsn)))
    }
}
