#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PGOutput

/// The machinery behind ``ChangeStream``: a thread that owns the ``ReplicationSession`` and fills
/// a bounded buffer, and the consumer side that takes events out of it.
///
/// `@unchecked Sendable`: every mutable property is guarded by `condition` (an `NSCondition`,
/// which is also how the reader thread waits while the buffer is full); the session is touched by
/// the reader thread only.
final class ChangeStreamCore: @unchecked Sendable {
    let configuration: StreamConfiguration
    private let checkpointStore: (any CheckpointStore)?
    private let readAhead: Int
    private let reconnect: ReconnectPolicy?
    private let logger: Logger

    private let condition = NSCondition()
    private var buffer: [ChangeEvent] = []
    private var head = 0
    private var waiter: CheckedContinuation<Pull, any Error>?
    /// The waiting consumer wants to hear when the reader is idle (``Pull/idle``).
    private var waiterReportsIdle = false
    /// Tells a waiter's timer whether the waiter it was started for is still waiting.
    private var waiterToken: UInt64 = 0
    /// The reader found nothing more to read at a transaction boundary and has pushed nothing since.
    private var readerIdle = false
    /// The tables of the latest snapshot the reader started handing out.
    private var snapshotTablesValue: [Relation] = []
    /// The consumer stops iterating (``endIteration()``): pulls end, the reader goes on until stopped.
    private var iterationEnded = false
    private var started = false
    private var finished = false
    private var failure: (any Error)?
    private var stopRequested = false
    private var acknowledged: LSN = .zero
    private var delivered: LSN = .zero
    private var pushedThrough: LSN = .zero
    private var systemValue: SystemIdentification?
    private var closed = false
    /// ``ChangeStream/close()`` was called: iterating and acknowledging are errors from then on.
    private var closedByOwner = false
    /// The checkpoints saved so far, in order.
    private let saves = CheckpointSaves()
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []
    private var wakeReader: Int32 = -1
    private var wakeWriter: Int32 = -1

    init(
        configuration: StreamConfiguration, checkpointStore: (any CheckpointStore)?, readAhead: Int, reconnect: ReconnectPolicy?,
        logger: Logger
    ) {
        self.configuration = configuration
        self.checkpointStore = checkpointStore
        self.readAhead = readAhead
        self.reconnect = reconnect
        self.logger = logger
        if let pipe = FileIO.makeWakePipe() {
            wakeReader = pipe.reader
            wakeWriter = pipe.writer
        }
    }

    deinit {
        if wakeReader >= 0 { close(wakeReader) }
        if wakeWriter >= 0 { close(wakeWriter) }
    }

    var system: SystemIdentification? { condition.withLock { systemValue } }

    var bufferedEventCount: Int { condition.withLock { buffer.count - head } }

    /// The tables of the latest snapshot the stream started (for ``ChangeBatch/snapshotTables``).
    var snapshotTables: [Relation] { condition.withLock { snapshotTablesValue } }

    func start() {
        let first = condition.withLock { () -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let thread = Thread { [self] in read() }
        thread.name = "pgcdc-stream"
        thread.start()
    }

    /// The owner closed the stream: stops it, and iterating or acknowledging throw from now on.
    func markClosed() {
        condition.withLock { closedByOwner = true }
        stop()
    }

    func stop() {
        let pending = condition.withLock { () -> CheckedContinuation<Pull, any Error>? in
            stopRequested = true
            condition.broadcast()
            defer { waiter = nil }
            return waiter
        }
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
        pending?.resume(returning: .end)
    }

    /// Ends iterating without stopping the reader: pulls return ``Pull/end`` from now on, so that
    /// the batch in hand can still be acknowledged (and the server told) before the stream closes.
    func endIteration() {
        let pending = condition.withLock { () -> CheckedContinuation<Pull, any Error>? in
            iterationEnded = true
            defer { waiter = nil }
            return waiter
        }
        pending?.resume(returning: .end)
    }

    // MARK: - Consumer side

    /// What a consumer's pull found.
    enum Pull {
        /// The next event.
        case event(ChangeEvent)
        /// Nothing is buffered and the reader is idle at a transaction boundary (asked for only).
        case idle
        /// The deadline passed first.
        case timedOut
        /// The stream ended, was stopped, or iterating ended.
        case end
    }

    func next() async throws -> ChangeEvent? {
        while true {
            switch try await pull(deadline: nil, reportIdle: false) {
            case let .event(event): return event
            case .end: return nil
            case .idle, .timedOut: continue  // not asked for
            }
        }
    }

    /// The next event; or, when none comes first, ``Pull/idle`` (with `reportIdle`) or
    /// ``Pull/timedOut`` at `deadline` (monotonic nanoseconds).
    func pull(deadline: UInt64?, reportIdle: Bool) async throws -> Pull {
        if Task.isCancelled {
            stop()
            return .end
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Pull, any Error>) in
                condition.lock()
                if closedByOwner {
                    condition.unlock()
                    continuation.resume(throwing: ChangeStreamError.closed)
                } else if iterationEnded {
                    condition.unlock()
                    continuation.resume(returning: .end)
                } else if head < buffer.count {
                    let event = buffer[head]
                    head += 1
                    if head == buffer.count {
                        buffer.removeAll(keepingCapacity: true)
                        head = 0
                    }
                    noteDelivered(event)
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: .event(event))
                } else if finished || stopRequested {
                    let error = failure
                    failure = nil
                    condition.unlock()
                    if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: .end) }
                } else if reportIdle && readerIdle {
                    condition.unlock()
                    continuation.resume(returning: .idle)
                } else if let deadline, FileIO.monotonicNanoseconds() >= deadline {
                    condition.unlock()
                    continuation.resume(returning: .timedOut)
                } else {
                    waiter = continuation
                    waiterReportsIdle = reportIdle
                    waiterToken &+= 1
                    let token = waiterToken
                    condition.unlock()
                    if let deadline {
                        Task { [self] in
                            let now = FileIO.monotonicNanoseconds()
                            if deadline > now { try? await Task.sleep(nanoseconds: deadline - now) }
                            expireWaiter(token)
                        }
                    }
                }
            }
        } onCancel: {
            stop()
        }
    }

    /// The deadline of the waiter `token` names passed: it gets ``Pull/timedOut`` if still waiting.
    private func expireWaiter(_ token: UInt64) {
        let pending = condition.withLock { () -> CheckedContinuation<Pull, any Error>? in
            guard waiterToken == token else { return nil }
            defer { waiter = nil }
            return waiter
        }
        pending?.resume(returning: .timedOut)
    }

    /// The reader found nothing more to read at a transaction boundary: a consumer waiting to
    /// hear that is told, once everything buffered was taken.
    private func noteReaderIdle() {
        let pending = condition.withLock { () -> CheckedContinuation<Pull, any Error>? in
            readerIdle = true
            guard waiterReportsIdle, head == buffer.count else { return nil }
            defer { waiter = nil }
            return waiter
        }
        pending?.resume(returning: .idle)
    }

    func acknowledge(through lsn: LSN) async throws {
        let (deliveredThrough, isClosed) = condition.withLock { (delivered, closedByOwner) }
        guard !isClosed else { throw ChangeStreamError.closed }
        let checkpoint = try self.checkpoint(through: lsn)
        guard lsn <= deliveredThrough else { throw ChangeStreamError.acknowledgedAhead(lsn, deliveredThrough: deliveredThrough) }
        // The checkpoint first: the server must never be told more than the store holds. The
        // store's blocking write runs off the cooperative thread pool; saves are serialized and
        // only ever move forward, so acknowledging an older commit after a newer one (in any order,
        // from any task) never takes the stored checkpoint back.
        if let store = checkpointStore {
            try await BlockingIO.run { [saves] in
                try saves.saveIfNewer(checkpoint) { try store.save($0) }
            }
        }
        condition.withLock {
            if lsn > acknowledged { acknowledged = lsn }
        }
    }

    func checkpoint(through lsn: LSN) throws -> Checkpoint {
        guard let system else { throw ChangeStreamError.notConnected }
        return Checkpoint(lsn: lsn, slot: configuration.slot, systemIdentifier: system.systemID, timeline: system.timeline)
    }

    private var snapshotDelivered = false

    private func deliveredSnapshot() -> Bool { condition.withLock { snapshotDelivered } }

    /// Called with the lock held, for each event the consumer receives.
    private func noteDelivered(_ event: ChangeEvent) {
        switch event {
        case let .commit(commit): if commit.endLSN > delivered { delivered = commit.endLSN }
        case let .message(message) where message.transaction == nil: if message.lsn > delivered { delivered = message.lsn }
        case let .snapshotCompleted(summary):
            snapshotDelivered = true
            if summary.consistentPoint > delivered { delivered = summary.consistentPoint }
        default: break
        }
    }

    // MARK: - Reader thread

    private func read() {
        var driver = Driver(core: self)
        do {
            _ = try ResumingRunner(policy: reconnect, configuration: configuration, logger: logger).run(&driver)
            finish(nil)  // the end, or stopped (also while waiting to reconnect)
        } catch {
            finish(error)
        }
        let waiters = condition.withLock { () -> [CheckedContinuation<Void, Never>] in
            closed = true
            defer { closeWaiters = [] }
            return closeWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// The reader thread's attempts, for the ``ResumingRunner``.
    private struct Driver: ResumingDriver {
        let core: ChangeStreamCore

        /// Resumes after the stored checkpoint; after a loss, also after the whole transactions the
        /// consumer already received (not handed out again), which the new server must be able
        /// to continue (the failover gates).
        func prepare(after previous: SessionCarry?) throws -> ResumePoint {
            let store = core.checkpointStore
            let saved = try store?.load()
            var resume = try ResumePoint(core.configuration).resuming(
                from: saved, slot: core.configuration.slot, checkpointName: store.map { "\(type(of: $0))" } ?? ""
            )
            if let previous {
                let received = core.condition.withLock { max(core.acknowledged, core.delivered) }
                resume = resume.continuing(after: previous.system, through: received)
                resume.startLSN = max(resume.startLSN ?? .zero, received)
            }
            return resume
        }

        func stream(_ session: ReplicationSession) throws {
            session.emitsCommitEvents = true
            session.wakeDescriptor = core.wakeReader
            core.condition.withLock { core.systemValue = session.system }
            try core.pump(session)
        }

        func pause(for delay: Double) -> Bool {
            core.waitBeforeReconnecting(delay: delay)
        }
    }

    /// Drops the events read ahead but not yet received (the server sends them again) and waits
    /// `delay` seconds before the next attempt; `false` when the stream was stopped meanwhile.
    private func waitBeforeReconnecting(delay: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: delay)
        condition.lock()
        defer { condition.unlock() }
        buffer.removeAll(keepingCapacity: true)
        head = 0
        readerIdle = false
        pushedThrough = delivered
        condition.broadcast()
        while !stopRequested && Date() < deadline {
            _ = condition.wait(until: deadline)
        }
        return !stopRequested
    }

    /// Returns once the reader thread has closed the connection (at once if it never started).
    func waitUntilClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = condition.withLock { () -> Bool in
                if closed || !started { return true }
                closeWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func pump(_ session: ReplicationSession) throws {
        var confirmed = LSN.zero
        var snapshotWait = SnapshotAcknowledgementWait()
        var polledIdle = false
        while true {
            let (stopping, acknowledgedThrough, caughtUp) = condition.withLock {
                (stopRequested, acknowledged, head == buffer.count && waiter != nil && acknowledged >= pushedThrough)
            }
            // What was acknowledged is confirmed first, so that closing tells the server.
            if acknowledgedThrough > confirmed {
                session.confirm(through: acknowledgedThrough)
                confirmed = acknowledgedThrough
            }
            if stopping { return }
            // The consumer acknowledged the snapshot's completion: keep the slot, stream changes.
            if session.isAwaitingSnapshotDurability, deliveredSnapshot() {
                if acknowledgedThrough >= session.startLSN {
                    session.snapshotDurable()
                } else {
                    snapshotWait.waiting(
                        now: FileIO.monotonicNanoseconds(), slot: configuration.slot, lsn: session.startLSN, logger: logger)
                }
            }
            // A first look without waiting tells whether the server has sent anything more.
            switch try session.next(wait: polledIdle) {
            case let .event(event):
                polledIdle = false
                if ChangeBatcher.startsSnapshot(event), let tables = session.snapshotRelations {
                    condition.withLock { snapshotTablesValue = tables }
                }
                let boundary = session.isAtTransactionBoundary ? session.completedThrough : nil
                guard push(event, boundary: boundary) else { return }
            case .lines:
                // Only a session given a snapshot encoder hands out lines; this one has none.
                throw ReplicationError.unexpectedResponse(command: "the initial snapshot", detail: "rows came as lines, not events")
            case .idle:
                if !polledIdle {
                    polledIdle = true
                    if session.isAtTransactionBoundary { noteReaderIdle() }
                }
                // Everything handed out is acknowledged and the consumer waits for more: the
                // server's own position (keepalives between transactions) may be confirmed too.
                if caughtUp && session.isAtTransactionBoundary && session.completedThrough > confirmed {
                    confirmed = session.completedThrough
                    session.confirm(through: confirmed)
                }
            case .end:
                return
            }
        }
    }

    /// Hands `event` to a waiting consumer or buffers it, waiting while the buffer is full.
    /// Returns `false` when the stream was stopped.
    private func push(_ event: ChangeEvent, boundary: LSN?) -> Bool {
        condition.lock()
        while !stopRequested && buffer.count - head >= readAhead {
            condition.wait()
        }
        if stopRequested {
            condition.unlock()
            return false
        }
        if let boundary, boundary > pushedThrough { pushedThrough = boundary }
        readerIdle = false
        if let waiting = waiter {
            waiter = nil
            noteDelivered(event)
            condition.unlock()
            waiting.resume(returning: .event(event))
        } else {
            buffer.append(event)
            condition.unlock()
        }
        return true
    }

    private func finish(_ error: (any Error)?) {
        let pending = condition.withLock { () -> CheckedContinuation<Pull, any Error>? in
            finished = true
            defer { waiter = nil }
            if waiter == nil { failure = error }
            return waiter
        }
        if let pending {
            if let error { pending.resume(throwing: error) } else { pending.resume(returning: .end) }
        }
    }
}
