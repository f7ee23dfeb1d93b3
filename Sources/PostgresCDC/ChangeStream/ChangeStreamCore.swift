#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PGOutput

/// The machinery behind ``ChangeStream``: a thread that owns the ``ReplicationSession`` and fills
/// a bounded buffer, and the consumer side that takes events out of it, through a ``ThreadHandoff``
/// (whose lock also guards the stream's positions, ``ChangeStreamLedger``); the session is touched
/// by the reader thread only.
final class ChangeStreamCore: Sendable {
    let configuration: StreamConfiguration
    private let checkpointStore: (any CheckpointStore)?
    private let checkpointSaving: CheckpointSaving
    private let reconnect: ReconnectPolicy?
    private let logger: Logger
    private let handoff: ThreadHandoff<ChangeEvent, any Error, ChangeStreamLedger>
    /// The checkpoints saved so far, in order.
    private let saves = CheckpointSaves()
    /// A pipe whose reading end the session watches beside its socket: written on ``stop()``.
    private let wakeReader: Int32
    private let wakeWriter: Int32

    init(
        configuration: StreamConfiguration, checkpointStore: (any CheckpointStore)?, checkpointSaving: CheckpointSaving, readAhead: Int,
        reconnect: ReconnectPolicy?, logger: Logger
    ) {
        self.configuration = configuration
        self.checkpointStore = checkpointStore
        self.checkpointSaving = checkpointSaving
        self.reconnect = reconnect
        self.logger = logger
        let pipe = FileIO.makeWakePipe()
        let wakeWriter = pipe?.writer ?? -1
        wakeReader = pipe?.reader ?? -1
        self.wakeWriter = wakeWriter
        handoff = ThreadHandoff(
            capacity: readAhead, ledger: ChangeStreamLedger(), timeSource: configuration.timeSource,
            whenStopped: {
                var byte: UInt8 = 1
                _ = write(wakeWriter, &byte, 1)
            })
    }

    deinit {
        if wakeReader >= 0 { close(wakeReader) }
        if wakeWriter >= 0 { close(wakeWriter) }
    }

    var system: SystemIdentification? { handoff.withLedger { ledger, _ in ledger.system } }

    var bufferedEventCount: Int { handoff.withLedger { _, state in state.bufferedCount } }

    /// The tables of the latest snapshot the stream started (for ``ChangeBatch/snapshotTables``).
    var snapshotTables: [Relation] { handoff.withLedger { ledger, _ in ledger.snapshotTables } }

    func start() {
        let first = handoff.withLedger { ledger, _ in
            defer { ledger.started = true }
            return !ledger.started
        }
        guard first else { return }
        let thread = Thread { [self] in read() }
        thread.name = "pgcdc-stream"
        thread.start()
    }

    /// The owner closed the stream: stops it, and iterating or acknowledging throw from now on.
    func markClosed() {
        handoff.endConsuming(closing: true)
        stop()
    }

    func stop() {
        handoff.stop()
    }

    /// Ends iterating without stopping the reader: pulls return ``Pull/end`` from now on, so that
    /// the batch in hand can still be acknowledged (and the server told) before the stream closes.
    func endIteration() {
        handoff.endConsuming(closing: false)
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
    /// ``Pull/timedOut`` at `deadline` (monotonic nanoseconds of the configuration's time source).
    /// Cancelling the task stops the stream.
    func pull(deadline: UInt64?, reportIdle: Bool) async throws -> Pull {
        if Task.isCancelled {
            stop()
            return .end
        }
        switch await handoff.pull(deadline: deadline, reportIdle: reportIdle) {
        case let .element(event): return .event(event)
        case .idle: return .idle
        case .timedOut: return .timedOut
        case .end: return .end
        case let .failed(error): throw error
        case .closed: throw ChangeStreamError.closed
        }
    }

    func acknowledge(through lsn: LSN) async throws {
        let (deliveredThrough, isClosed) = handoff.withLedger { ledger, state in (ledger.delivered, state.isClosed) }
        guard !isClosed else { throw ChangeStreamError.closed }
        let checkpoint = try self.checkpoint(through: lsn)
        guard lsn <= deliveredThrough else { throw ChangeStreamError.acknowledgedAhead(lsn, deliveredThrough: deliveredThrough) }
        // The checkpoint first: the server must never be told more than the store holds. The
        // store's blocking write runs off the cooperative thread pool; saves are serialized and
        // only ever move forward, so acknowledging an older commit after a newer one (in any order,
        // from any task) never takes the stored checkpoint back.
        if let store = checkpointStore {
            switch checkpointSaving {
            case .byStream:
                try await BlockingIO.run { [saves] in
                    try saves.saveIfNewer(checkpoint) { try store.save($0) }
                }
            case .byHandler:
                try await BlockingIO.run { [saves] in
                    try saves.checkStoredByHandler(checkpoint) { try store.load() }
                }
            }
        }
        handoff.withLedger { ledger, _ in
            if lsn > ledger.acknowledged { ledger.acknowledged = lsn }
        }
    }

    func checkpoint(through lsn: LSN) throws -> Checkpoint {
        guard let system else { throw ChangeStreamError.notConnected }
        return Checkpoint(lsn: lsn, slot: configuration.slot, systemIdentifier: system.systemID, timeline: system.timeline)
    }

    private func deliveredSnapshot() -> Bool { handoff.withLedger { ledger, _ in ledger.snapshotDelivered } }

    // MARK: - Reader thread

    private func read() {
        var driver = Driver(core: self)
        do {
            _ = try ResumingRunner(policy: reconnect, configuration: configuration, logger: logger).run(&driver)
            handoff.finish(failure: nil)  // the end, or stopped (also while waiting to reconnect)
        } catch {
            handoff.finish(failure: error)
        }
        let waiters = handoff.withLedger { ledger, _ in
            ledger.closed = true
            defer { ledger.closeWaiters = [] }
            return ledger.closeWaiters
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
                from: saved, hasStore: store != nil, slot: core.configuration.slot,
                checkpointName: store.map { "\(type(of: $0))" } ?? ""
            )
            if let previous {
                let received = core.handoff.withLedger { ledger, _ in max(ledger.acknowledged, ledger.delivered) }
                resume = resume.continuing(after: previous.system, through: received)
                resume.startLSN = max(resume.startLSN ?? .zero, received)
            }
            return resume
        }

        func stream(_ session: ReplicationSession) throws {
            session.emitsCommitEvents = true
            session.wakeDescriptor = core.wakeReader
            core.handoff.withLedger { ledger, _ in ledger.system = session.system }
            try core.pump(session)
        }

        func pause(for delay: Double) -> Bool {
            core.waitBeforeReconnecting(delay: delay)
        }
    }

    /// Drops the events read ahead but not yet received (the server sends them again) and waits
    /// `delay` seconds before the next attempt; `false` when the stream was stopped meanwhile.
    private func waitBeforeReconnecting(delay: Double) -> Bool {
        handoff.dropBuffered { ledger in ledger.pushedThrough = ledger.delivered }
        return handoff.pause(seconds: delay)
    }

    /// Returns once the reader thread has closed the connection (at once if it never started).
    func waitUntilClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = handoff.withLedger { ledger, _ in
                if ledger.closed || !ledger.started { return true }
                ledger.closeWaiters.append(continuation)
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
            let (stopping, acknowledgedThrough, caughtUp) = handoff.withLedger { ledger, state in
                (state.isStopped, ledger.acknowledged, state.consumerIsWaiting && ledger.acknowledged >= ledger.pushedThrough)
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
                        now: configuration.timeSource.monotonicNanoseconds(), slot: configuration.slot, lsn: session.startLSN,
                        logger: logger)
                }
            }
            // A first look without waiting tells whether the server has sent anything more.
            switch try session.next(wait: polledIdle) {
            case let .event(event):
                polledIdle = false
                if ChangeBatcher.startsSnapshot(event), let tables = session.snapshotRelations {
                    handoff.withLedger { ledger, _ in ledger.snapshotTables = tables }
                }
                let boundary = session.isAtTransactionBoundary ? session.completedThrough : nil
                guard push(event, boundary: boundary) else { return }
            case .lines:
                // Only a session given a snapshot encoder hands out lines; this one has none.
                throw ReplicationError.unexpectedResponse(command: "the initial snapshot", detail: "rows came as lines, not events")
            case .idle:
                if !polledIdle {
                    polledIdle = true
                    if session.isAtTransactionBoundary { handoff.producerIsIdle() }
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
        let pushed = handoff.push { ledger, _ in
            if let boundary, boundary > ledger.pushedThrough { ledger.pushedThrough = boundary }
            return .element(event)
        }
        if case .pushed = pushed { return true } else { return false }
    }
}
