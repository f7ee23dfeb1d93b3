/// What waits to be handed out before the stream reads on: a backfill's start or end event, a
/// chunk's rows. Rows go out one `read` event at a time, or as a whole chunk (``dequeueRows()``).
struct BackfillQueue {
    /// A waiting item.
    private enum Item {
        case event(ChangeEvent)
        case rows(BackfillRows)
    }

    /// Items to hand out; of rows at the front, `rowsHead` were handed out.
    private var items: [Item] = []
    private var head = 0
    private var rowsHead = 0

    /// Whether an event waits (checked before ``dequeue()`` on every step: no event is copied).
    var hasQueuedEvents: Bool { head < items.count }

    /// Queues an event.
    mutating func append(_ event: ChangeEvent) {
        items.append(.event(event))
    }

    /// Queues a chunk's rows.
    mutating func append(_ rows: BackfillRows) {
        items.append(.rows(rows))
    }

    /// The next waiting event, if any (a chunk's rows one by one).
    mutating func dequeue() -> ChangeEvent? {
        guard head < items.count else { return nil }
        switch items[head] {
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
    mutating func dequeueRows() -> BackfillRows? {
        guard head < items.count, rowsHead == 0, case let .rows(rows) = items[head] else { return nil }
        advance()
        return rows
    }

    private mutating func advance() {
        head += 1
        rowsHead = 0
        if head == items.count {
            // A large queue's capacity is not kept: memory stays bounded after a burst.
            items.removeAll(keepingCapacity: items.count <= 1 << 14)
            head = 0
        }
    }
}
