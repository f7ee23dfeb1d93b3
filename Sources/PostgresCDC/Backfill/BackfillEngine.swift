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
    /// Events to hand out before reading on (a chunk's rows, a start or end line).
    var queue: [ChangeEvent] = []
    var queueHead = 0
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

    /// The next waiting event, if any.
    func dequeue() -> ChangeEvent? {
        guard queueHead < queue.count else { return nil }
        let event = queue[queueHead]
        queueHead += 1
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: queue.count <= 1 << 14)
            queueHead = 0
        }
        return event
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
