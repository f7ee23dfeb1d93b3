import PGOutput

/// A ``ChangeStream``'s events in ``ChangeBatch``es; see ``ChangeStream/batches(maxEvents:maxDelay:linger:)``.
public struct ChangeBatches: AsyncSequence, Sendable {
    /// The batches.
    public typealias Element = ChangeBatch

    let stream: ChangeStream
    let maxEvents: Int
    let maxDelay: Duration
    let linger: Duration

    /// Starts the stream (once) and returns the iterator; iterate from one task only.
    public func makeAsyncIterator() -> Iterator {
        let iterator = stream.makeAsyncIterator()
        return Iterator(
            events: iterator,
            batcher: ChangeBatcher(maxEvents: maxEvents, maxDelay: Self.nanoseconds(maxDelay), linger: Self.nanoseconds(linger)))
    }

    /// Pulls batches. Like the stream's own iterator, it keeps the stream alive.
    public struct Iterator: AsyncIteratorProtocol {
        let events: ChangeStream.Iterator
        var batcher: ChangeBatcher
        /// An event that begins the next batch (the first row of a snapshot).
        private var carried: ChangeEvent?
        /// The stream was found idle, and no event came since: the caught-up batch for this quiet
        /// spell was handed out, or the batch in hand lingers for more.
        private var reportedIdle = false
        private var ended = false

        init(events: ChangeStream.Iterator, batcher: ChangeBatcher) {
            self.events = events
            self.batcher = batcher
        }

        /// The next batch; `nil` once the stream ended (at its end LSN, or stopped or cancelled).
        public mutating func next() async throws -> ChangeBatch? {
            let core = events.core
            while !ended {
                if let event = carried {
                    carried = nil
                    if batcher.add(event, now: core.configuration.timeSource.monotonicNanoseconds()) { return cut(caughtUp: false) }
                    continue
                }
                // A batch at a boundary is due at its deadline; inside a transaction it waits for the commit.
                // A lingering batch (caught up, not yet due) waits for its linger (never past its
                // delay: the batcher caps it) or the next event.
                let deadline = reportedIdle && !batcher.isEmpty ? batcher.lingerDeadline : batcher.deadline
                let pull = try await core.pull(
                    deadline: batcher.isAtBoundary ? deadline : nil, reportIdle: batcher.isAtBoundary && !reportedIdle)
                switch pull {
                case let .event(event):
                    reportedIdle = false
                    if batcher.mustCut(before: event) {
                        carried = event
                        return cut(caughtUp: false)
                    }
                    if batcher.add(event, now: core.configuration.timeSource.monotonicNanoseconds()) { return cut(caughtUp: false) }
                case .idle:
                    reportedIdle = true
                    if batcher.lingers(now: core.configuration.timeSource.monotonicNanoseconds()) { continue }
                    return cut(caughtUp: true)
                case .timedOut:
                    if batcher.isAtBoundary && !batcher.isEmpty { return cut(caughtUp: reportedIdle) }
                case .end:
                    ended = true
                    let last = cut(caughtUp: false)
                    return last.events.isEmpty ? nil : last
                }
            }
            return nil
        }

        private mutating func cut(caughtUp: Bool) -> ChangeBatch {
            let core = events.core
            return batcher.cut(
                now: core.configuration.timeSource.monotonicNanoseconds(), caughtUp: caughtUp, snapshotTables: { core.snapshotTables },
                checkpoint: { try? core.checkpoint(through: $0) })
        }
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}
