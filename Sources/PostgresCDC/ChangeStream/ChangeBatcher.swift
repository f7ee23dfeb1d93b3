import PGOutput

/// Groups a ``ChangeStream``'s events into ``ChangeBatch``es: whole transactions, up to a number
/// of events or a delay, cut early when a snapshot starts or completes. Pure: the caller feeds the
/// events and the time (monotonic nanoseconds) and asks for the batch.
struct ChangeBatcher {
    let maxEvents: Int
    let maxDelay: UInt64
    /// How long after its first event a batch waits for more when the stream has caught up.
    let linger: UInt64

    /// The events of the batch being built; the first `wholeCount` end at a boundary.
    private(set) var events: [ChangeEvent] = []
    private var wholeCount = 0
    /// The acknowledgement position of `events[..<wholeCount]`.
    private var through: LSN?
    private var startsSnapshot = false
    private var startedAt: UInt64?
    /// The open transaction's commit LSN and its last event's seq, to notice it starting over.
    private var open: (commitLSN: LSN, seq: Int)?

    init(maxEvents: Int, maxDelay: UInt64, linger: UInt64 = 0) {
        self.maxEvents = Swift.max(1, maxEvents)
        self.maxDelay = maxDelay
        self.linger = Swift.min(linger, maxDelay)
    }

    var isEmpty: Bool { events.isEmpty }

    /// No transaction is open: the batch could be handed out as it is.
    var isAtBoundary: Bool { wholeCount == events.count }

    /// When the batch is due even if not full (monotonic nanoseconds); `nil` while it is empty.
    var deadline: UInt64? { startedAt.map { $0 &+ maxDelay } }

    /// When a caught-up batch stops waiting for more (monotonic nanoseconds); `nil` while it is empty.
    var lingerDeadline: UInt64? { startedAt.map { $0 &+ linger } }

    /// Whether a batch the stream has caught up with should wait for more at `now`: it holds whole
    /// transactions and its linger has not passed.
    func lingers(now: UInt64) -> Bool {
        guard !events.isEmpty, isAtBoundary, let lingerDeadline else { return false }
        return now < lingerDeadline
    }

    /// Whether `event` must begin a batch of its own — the first row of a snapshot — so the batch
    /// built so far should be cut first.
    func mustCut(before event: ChangeEvent) -> Bool {
        wholeCount > 0 && Self.startsSnapshot(event)
    }

    /// Whether `event` is the first of a snapshot: its first row, or the completion of a snapshot
    /// that found no rows.
    static func startsSnapshot(_ event: ChangeEvent) -> Bool {
        switch event {
        case let .read(change): return change.seq == 0
        case let .snapshotCompleted(summary): return summary.rows == 0
        default: return false
        }
    }

    /// Adds `event` at `now`; returns whether the batch is due: at a boundary, and full, past its
    /// delay, or completing a snapshot.
    mutating func add(_ event: ChangeEvent, now: UInt64) -> Bool {
        dropRestartedTransaction(before: event)
        if events.isEmpty {
            startedAt = now
            startsSnapshot = Self.startsSnapshot(event)
        }
        events.append(event)
        var completesSnapshot = false
        switch event {
        case let .commit(commit):
            endWhole(at: commit.endLSN)
        case let .message(message) where message.transaction == nil:
            endWhole(at: message.lsn)
        case let .snapshotCompleted(summary):
            endWhole(at: summary.consistentPoint)
            completesSnapshot = true
        case .read, .gap:
            // A snapshot's rows may be cut anywhere; they are acknowledged with its completion. A
            // gap is acknowledged with what follows it.
            wholeCount = events.count
        default:
            if let seq = Self.seq(of: event) { open = (event.commitLSN, seq) }
        }
        guard isAtBoundary else { return false }
        return completesSnapshot || events.count >= maxEvents || now >= (deadline ?? now)
    }

    /// Hands out the whole transactions built so far (an open one stays for the next batch).
    mutating func cut(now: UInt64, caughtUp: Bool, snapshotTables: () -> [Relation] = { [] }, checkpoint: (LSN) -> Checkpoint?)
        -> ChangeBatch
    {
        let whole = Array(events[..<wholeCount])
        let rest = Array(events[wholeCount...])
        let batch = ChangeBatch(
            events: whole, acknowledgeThrough: through, checkpoint: through.flatMap(checkpoint), startsSnapshot: startsSnapshot,
            snapshotTables: startsSnapshot ? snapshotTables() : [], isCaughtUp: caughtUp && rest.isEmpty)
        events = rest
        wholeCount = 0
        through = nil
        startsSnapshot = false
        startedAt = rest.isEmpty ? nil : now
        return batch
    }

    private mutating func endWhole(at lsn: LSN) {
        wholeCount = events.count
        through = Swift.max(through ?? lsn, lsn)
        open = nil
    }

    /// After a reconnect, a transaction the stream was in the middle of starts again from its
    /// first event (or the stream continues with a later one): the stale partial copy goes.
    private mutating func dropRestartedTransaction(before event: ChangeEvent) {
        guard !isAtBoundary else { return }
        let restarted: Bool
        if case .begin = event {
            restarted = true
        } else if let open, let seq = Self.seq(of: event) {
            restarted = event.commitLSN != open.commitLSN || seq <= open.seq
        } else {
            restarted = event.commitLSN != events[wholeCount].commitLSN
        }
        guard restarted else { return }
        events.removeSubrange(wholeCount...)
        self.open = nil
        if events.isEmpty { startedAt = nil }
    }

    /// The position of a transactional event inside its transaction.
    private static func seq(of event: ChangeEvent) -> Int? {
        switch event {
        case let .insert(change), let .update(change), let .delete(change), let .read(change): return change.seq
        case let .truncate(change): return change.seq
        case let .message(message): return message.seq
        case let .schema(change): return change.seq
        case let .backfill(event): return event.seq
        case let .ddl(event): return event.seq
        case .begin, .commit, .snapshotCompleted, .gap: return nil
        }
    }
}
