import Foundation
import Logging
import PGOutput

/// A session's backfills: the state (kept in the ``BackfillLedger``), the reader that reads
/// chunks ahead, the watermark windows, and the events waiting to be handed out. The session
/// passes it the control messages and row changes it meets, in stream order; the engine decides.
final class BackfillEngine {
    let ledger: BackfillLedger
    let reader: BackfillReader
    var state: BackfillState
    var windows = BackfillWindows()
    /// What waits to be handed out before reading on: a start or end line, a chunk's rows.
    enum Queued {
        case event(ChangeEvent)
        case rows(BackfillRows)
    }

    /// Events to hand out before reading on; of rows at the front, `rowsHead` were handed out.
    var queue: [Queued] = []
    var queueHead = 0
    private var rowsHead = 0
    /// The state changed since it was last recorded in the ledger.
    var isDirty = false
    /// When the publication's tables were last compared with ``BackfillState/knownTables``.
    var lastTableCheck: UInt64 = 0
    /// New tables asked for already by this session (their requests are on their way through the WAL).
    var requestedTables: Set<String> = []
    /// When progress was last logged.
    var lastProgressLog: UInt64 = 0
    /// Backfill id → chunks read again in a row because a transaction handed out before them was
    /// still running for their read (``BackfillWindows/Closing/readTooEarly(xid:)``).
    var tooEarlyReads: [String: Int] = [:]

    init(ledger: BackfillLedger, state: BackfillState, reader: BackfillReader) {
        self.ledger = ledger
        self.state = state
        self.reader = reader
    }

    /// Whether an event waits (checked before ``dequeue()`` on every step: no event is copied).
    var hasQueuedEvents: Bool { queueHead < queue.count }

    /// The next waiting event, if any (a chunk's rows one by one).
    func dequeue() -> ChangeEvent? {
        guard queueHead < queue.count else { return nil }
        switch queue[queueHead] {
        case let .event(event):
            advance()
            return event
        case let .rows(rows):
            let change = rows.change(at: rowsHead)
            rowsHead += 1
            if rowsHead == rows.count { advance() }
            return .read(change)
        }
    }

    /// The chunk's rows waiting first, all of them, if rows wait first and none of them was handed out yet.
    func dequeueRows() -> BackfillRows? {
        guard queueHead < queue.count, rowsHead == 0, case let .rows(rows) = queue[queueHead] else { return nil }
        advance()
        return rows
    }

    private func advance() {
        queueHead += 1
        rowsHead = 0
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: queue.count <= 1 << 14)
            queueHead = 0
        }
    }

    func progress(of id: String) -> BackfillProgress? {
        state.active.first { $0.request.id == id }
    }

    func update(_ progress: BackfillProgress) {
        guard let index = state.active.firstIndex(where: { $0.request.id == progress.request.id }) else { return }
        state.active[index] = progress
        isDirty = true
    }

    func finish(_ id: String) {
        state.finish(id)
        windows.closeAll(of: id)
        tooEarlyReads[id] = nil
        reader.cancel(id)
        isDirty = true
    }
}
