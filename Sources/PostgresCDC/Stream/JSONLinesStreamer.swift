import PGOutput

/// What a finished stream did.
package struct StreamSummary: Sendable {
    /// Events written.
    package var events = 0
    /// Row events (insert, update, delete) written.
    package var rows = 0
    /// The last position the sink made durable (and the server was told).
    package var durableThrough: LSN = .zero
    /// Whether the stream ended because a stop was requested.
    package var stopped = false
}

/// Drives a ``ReplicationSession`` into a ``ChangeSink`` as JSON lines.
///
/// Events are encoded into one reused buffer, each line described by a ``LineDescriptor`` in a
/// reused array beside it (``LineEncoder``), which goes to the sink when the socket has nothing
/// more to read (so an idle stream has no batching delay), when it is large, or — with
/// ``batchPerTransaction`` — after every transaction. Only whole transactions are handed over,
/// except when one transaction alone outgrows the buffer. The order is always: the sink makes a
/// batch durable, ``onDurable`` records the position (a checkpoint), and only then does the
/// server hear of it.
package struct JSONLinesStreamer {
    /// Hand the buffer to the sink once this many bytes are buffered, even mid-transaction.
    var flushThreshold = 1 << 18
    /// Hand every transaction to the sink as soon as it is complete and record its position, so
    /// that a crash replays at most the transaction in flight.
    var batchPerTransaction = false
    /// Write `begin` and `commit` lines for every transaction (``SinkStream/includeTransactionLines``).
    package var includeTransactionLines = false
    /// The shape of each line.
    package var format: OutputFormat = .native
    /// Record metrics through swift-metrics (``StreamMetrics``).
    package var recordsMetrics = false
    /// Called with each newly durable position before the server hears of it, and whether the
    /// stream is idle or stopping (a moment to record it durably); a throw stops the stream and
    /// the server is not told.
    var onDurable: ((LSN, _ force: Bool) throws -> LSN)?
    /// Asked between events whether to stop (a signal arrived).
    package var stopRequested: () -> Bool = { false }
    /// After a stop request, how many seconds to keep reading to finish a transaction that was
    /// already partly handed to the sink.
    var stopGrace: Double = 3
    /// Where the stop grace and flush times are read.
    package var timeSource: any TimeSource = .system

    package init() {}

    /// Streams until the end LSN, a stop request, or an error.
    package func run(_ session: ReplicationSession, into sink: any ChangeSink) throws -> StreamSummary {
        var state = State(sink: sink, session: session, onDurable: onDurable, timeSource: timeSource)
        let metrics = recordsMetrics ? StreamMetrics(timeSource: timeSource) : nil
        state.metrics = metrics
        var rules = HandOverRules(
            flushThreshold: flushThreshold, batchPerTransaction: batchPerTransaction, stopGraceSeconds: stopGrace, start: session.startLSN)
        state.summary.durableThrough = session.startLSN
        state.pending.reserve(bytes: flushThreshold + (1 << 16), lines: 1 << 12)
        session.emitsCommitEvents = true
        let commitLinesForSink = sink.needsCommitLines
        var encoder = LineEncoder(
            format: format, timeline: session.system.timeline, database: session.databaseName, timeSource: timeSource)
        encoder.marksSnapshotEnd = commitLinesForSink
        encoder.writesTransactionEnds = includeTransactionLines || commitLinesForSink
        // The snapshot's rows and backfill chunks come as lines, written by this encoder (the
        // snapshot's on the copying threads too).
        session.lineEncoder = encoder
        func encode(_ event: ChangeEvent, into state: inout State) {
            let before = state.pending.count
            encoder.encode(event, into: &state.pending.buffer, describing: &state.pending.lines)
            metrics?.record(event, bytes: state.pending.count - before)
        }
        var wait = false

        while true {
            if let plan = rules.beforeReading(
                stopRequested: stopRequested, midTransactionHandedOver: state.midTransactionHandedOver,
                now: timeSource.monotonicNanoseconds)
            {
                try state.perform(plan, rules: &rules)
                state.summary.stopped = true
                return state.summary
            }
            switch try session.next(wait: wait) {
            case let .event(event):
                wait = false
                switch event {
                case let .commit(commit):
                    if includeTransactionLines || (commitLinesForSink && commit.eventCount > 0) {
                        encode(event, into: &state)
                        state.summary.events += 1
                    } else {
                        metrics?.record(event, bytes: 0)
                    }
                case .insert, .update, .delete, .read:
                    encode(event, into: &state)
                    state.summary.events += 1
                    state.summary.rows += 1
                default:
                    encode(event, into: &state)
                    state.summary.events += 1
                }
                if case .snapshotCompleted = event {
                    try state.perform(rules.snapshotCompleted(), rules: &rules)
                    session.snapshotDurable()
                    continue
                }
            case let .lines(rows):
                wait = false
                metrics?.recordReads(of: rows.relation, count: rows.rows, bytes: rows.bytes.count, backfill: rows.backfill)
                state.summary.events += rows.rows
                state.summary.rows += rows.rows
                if rules.handsOverAlone(buffered: state.pending.count) {
                    try state.handOver(rows)
                    try state.makeDurable(force: false, rules: &rules)
                    continue
                }
                state.pending.append(rows)
            case .idle:
                try state.perform(rules.idle(atTransactionBoundary: session.isAtTransactionBoundary), rules: &rules)
                wait = true
                continue
            case .end:
                try state.perform(rules.end(), rules: &rules)
                return state.summary
            }
            // Lines were added.
            let plan = rules.afterLines(atTransactionBoundary: session.isAtTransactionBoundary, buffered: state.pending.count)
            try state.perform(plan, rules: &rules)
        }
    }

    /// The buffer and positions of one run.
    private struct State {
        let sink: any ChangeSink
        let session: ReplicationSession
        let onDurable: ((LSN, Bool) throws -> LSN)?
        let timeSource: any TimeSource
        var pending = PendingLines()
        var summary = StreamSummary()
        /// The resume position at that boundary.
        var boundaryPosition: LSN = .zero
        /// The position of the last batch handed to the sink.
        var handedOverPosition: LSN = .zero
        /// Whether part of the open transaction already went to the sink.
        var midTransactionHandedOver = false
        var metrics: StreamMetrics?

        init(
            sink: any ChangeSink, session: ReplicationSession, onDurable: ((LSN, Bool) throws -> LSN)?, timeSource: any TimeSource
        ) {
            self.sink = sink
            self.session = session
            self.onDurable = onDurable
            self.timeSource = timeSource
        }

        /// Carries out what the rules decided.
        mutating func perform(_ plan: HandOverRules.Plan, rules: inout HandOverRules) throws {
            if plan.marksBoundary { markBoundary() }
            switch plan.handOver {
            case .boundary: try handOver(upTo: pending.boundaryCount)
            case .all: try handOver(upTo: pending.count)
            case nil: break
            }
            if let force = plan.flushes { try makeDurable(force: force, rules: &rules) }
        }

        mutating func markBoundary() {
            pending.markBoundary()
            boundaryPosition = session.completedThrough
        }

        /// Hands the first `count` buffered bytes to the sink (a position that advanced with no
        /// bytes — a keepalive between transactions — goes as an empty batch).
        mutating func handOver(upTo count: Int) throws {
            guard count > 0 || boundaryPosition > handedOverPosition else { return }
            metrics?.publish()
            let endsAtBoundary = count == pending.boundaryCount
            // A temporary: gone before `drop` reuses the arrays, so they are not copied.
            try write(pending.batch(upTo: count, position: boundaryPosition))
            midTransactionHandedOver = !endsAtBoundary
            pending.drop(upTo: count)
        }

        /// Hands rows written as lines to the sink as a batch of their own, when no line waits before
        /// them. (They never end a transaction: the snapshot ends with its completion line, a
        /// backfill chunk's transaction with its commit.)
        mutating func handOver(_ rows: EncodedRows) throws {
            metrics?.publish()
            try write(
                SinkBatch(
                    lines: rows.bytes[...], descriptors: rows.lines[...], position: boundaryPosition, endsAtTransactionBoundary: false))
            midTransactionHandedOver = true
        }

        private mutating func write(_ batch: SinkBatch) throws {
            try sink.write(batch)
            handedOverPosition = boundaryPosition
            session.noteWritten(through: boundaryPosition)
        }

        /// Asks the sink how far it is durable; records and confirms a position that advanced.
        mutating func makeDurable(force: Bool, rules: inout HandOverRules) throws {
            let started = metrics == nil ? 0 : timeSource.monotonicNanoseconds()
            let durable = try sink.flush(force: force)
            if let metrics {
                metrics.recordFlush(nanoseconds: timeSource.monotonicNanoseconds() &- started)
                metrics.recordPosition(
                    durable: max(durable, summary.durableThrough), serverPosition: session.serverPosition,
                    idle: force && pending.count == 0)
            }
            // A forced call also records again a position the recorder kept only in the page cache.
            guard rules.records(durable: durable, force: force) else { return }
            let confirmable = try onDurable?(durable, force) ?? durable
            rules.recorded(durable: durable, confirmable: confirmable)
            summary.durableThrough = rules.durableThrough
            session.confirm(through: confirmable)
        }
    }
}
