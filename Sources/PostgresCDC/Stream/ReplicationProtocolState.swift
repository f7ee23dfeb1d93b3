import PGOutput

/// The timing and positions of one replication connection, with no I/O: what the session must
/// do next (send a status update, emit a heartbeat, give up on a silent server, wait) is decided
/// here from the inputs it is given — messages received, positions made durable, the time — and
/// carried out by ``ReplicationSession``.
///
/// Time is injected: every input takes `now` (monotonic nanoseconds) or the wall clock (Unix
/// microseconds), so the watchdog, status and heartbeat timing and the read batching are tested
/// without a server or a real clock (the shape of postgres-nio's `ConnectionStateMachine`).
struct ReplicationProtocolState: Sendable {
    /// The timing settings of a stream (from ``StreamConfiguration``).
    struct Settings: Sendable, Equatable {
        /// Seconds between standby status updates.
        package var statusInterval: Double
        /// Seconds of silence after which the connection is dead (half-way, a status update asks
        /// for a reply); `nil` waits forever.
        package var serverTimeout: Double?
        /// Seconds between heartbeat messages; `nil` for none.
        package var heartbeatInterval: Double?
        /// Seconds between checks of the slot's retained WAL; `nil` for none.
        package var slotCheckInterval: Double?

        package init(statusInterval: Double, serverTimeout: Double?, heartbeatInterval: Double?, slotCheckInterval: Double? = nil) {
            self.statusInterval = statusInterval
            self.serverTimeout = serverTimeout
            self.heartbeatInterval = heartbeatInterval
            self.slotCheckInterval = slotCheckInterval
        }

        package init(_ configuration: StreamConfiguration) {
            self.init(
                statusInterval: configuration.statusInterval, serverTimeout: configuration.serverTimeout,
                heartbeatInterval: configuration.heartbeatInterval, slotCheckInterval: configuration.slotCheckInterval
            )
        }
    }

    /// Something the session must do now.
    enum Action: Sendable, Equatable {
        /// Nothing is due.
        case none
        /// Send a standby status update (``statusUpdate(clientTime:replyRequested:)``), asking the
        /// server to answer at once when `replyRequested`.
        case sendStatus(replyRequested: Bool)
        /// Emit a heartbeat message through a normal connection (already rescheduled: a failure
        /// is retried at the next interval).
        case emitHeartbeat
        /// Check the WAL the slot retains through a normal connection (already rescheduled).
        case checkSlot
        /// No message came for `silentSeconds`, more than the server timeout: the connection is dead.
        case connectionDead(silentSeconds: Double)
    }

    /// How to wait for the server's next message.
    struct Wait: Sendable, Equatable {
        /// Wait at most this long, so the session regains control when something is due.
        var milliseconds: Int32
        /// A new receive low watermark for the socket (bytes), when batching turned on or off.
        var receiveLowWatermark: Int32?
    }

    /// While behind (see ``prepareWait(now:wallClock:latestCommitTime:)``), the socket wakes pgcdc once this many
    /// bytes are queued, or after ``batchingWaitMilliseconds``.
    static let batchingLowWatermark: Int32 = 1 << 20
    static let batchingWaitMilliseconds: Int32 = 10
    /// Messages between two waits that make a burst.
    static let busyBurst = 32
    /// How old the latest transaction's commit may be before pgcdc counts as behind.
    static let behindMicroseconds: Int64 = 100_000

    let settings: Settings

    /// The highest WAL position the server sent (XLogData start or keepalive WAL end).
    private(set) var serverPosition: LSN = .zero
    /// The keepalive WAL position seen while no transaction was open: everything before it was
    /// sent, so it may be confirmed once what was handed out is stored.
    private(set) var idlePosition: LSN = .zero
    /// What the owner confirmed as durably stored (the flush position).
    package private(set) var confirmed: LSN = .zero
    /// What was handed to the owner's storage, perhaps not yet durably (the write position).
    package private(set) var written: LSN = .zero

    private var lastMessageAt: UInt64
    private var replyRequestedSinceMessage = false
    private var nextStatusDue: UInt64
    private var nextHeartbeatDue: UInt64 = .max
    private var nextSlotCheckDue: UInt64 = .max
    private var messagesSinceWait = 0
    private var batching = false

    /// A state for a connection that has not started streaming yet.
    package init(settings: Settings, now: UInt64) {
        self.settings = settings
        self.lastMessageAt = now
        self.nextStatusDue = 0
    }

    // MARK: - Inputs

    /// Streaming started: the status interval, the watchdog and the heartbeats count from `now`.
    mutating func streamingStarted(now: UInt64) {
        scheduleStatus(now: now)
        lastMessageAt = now
        replyRequestedSinceMessage = false
        if let interval = settings.heartbeatInterval { nextHeartbeatDue = now &+ Self.nanoseconds(interval) }
        // The first check soon after the start: a slot that was stopped for long is reported at once.
        if settings.slotCheckInterval != nil { nextSlotCheckDue = now &+ Self.nanoseconds(1) }
    }

    /// A CopyData message arrived.
    mutating func messageReceived(now: UInt64) {
        messagesSinceWait += 1
        lastMessageAt = now
        replyRequestedSinceMessage = false
    }

    /// An XLogData message starting at `walStart` arrived.
    mutating func dataReceived(walStart: LSN) {
        if walStart > serverPosition { serverPosition = walStart }
    }

    /// A keepalive arrived; returns what to do (a status update when the server asked for one).
    mutating func keepaliveReceived(walEnd: LSN, replyRequested: Bool, betweenTransactions: Bool) -> Action {
        if walEnd > serverPosition { serverPosition = walEnd }
        // Between transactions, everything before the server's position was sent.
        if betweenTransactions && walEnd > idlePosition { idlePosition = walEnd }
        return replyRequested ? .sendStatus(replyRequested: false) : .none
    }

    /// Everything up to `lsn` is durably stored by the owner.
    mutating func confirm(through lsn: LSN) {
        if lsn > confirmed { confirmed = lsn }
        if lsn > written { written = lsn }
    }

    /// Everything up to `lsn` was handed to the owner's storage, not yet durably.
    mutating func noteWritten(through lsn: LSN) {
        if lsn > written { written = lsn }
    }

    /// The status update to send now: flush = apply = what the owner confirmed as durable, so the
    /// server releases WAL only up to there; write = what was handed to the sink, which may run
    /// ahead. Call ``statusSent(now:)`` once it was sent.
    func statusUpdate(clientTime: PostgresTimestamp, replyRequested: Bool) -> StandbyStatusUpdate {
        StandbyStatusUpdate(
            writeLSN: max(written, confirmed), flushLSN: confirmed, applyLSN: confirmed,
            clientTime: clientTime, replyRequested: replyRequested
        )
    }

    /// A status update was sent: the next one is due a status interval from `now`.
    mutating func statusSent(now: UInt64) {
        scheduleStatus(now: now)
    }

    // MARK: - Decisions

    /// Whether a status update is due (checked between messages, so that a long backlog still
    /// reports progress).
    func isStatusDue(now: UInt64) -> Bool {
        nextStatusDue <= now
    }

    /// The next thing due at `now`; call again after carrying it out until it returns ``Action/none``.
    ///
    /// A frozen server process keeps its TCP connection alive, so only silence reveals it: past
    /// half of the server timeout without a message, a status update asks for a reply (the
    /// walsender answers at once with a keepalive); past all of it, the connection is dead.
    mutating func nextAction(now: UInt64) -> Action {
        if let timeout = settings.serverTimeout {
            let silent = now &- lastMessageAt
            if silent > Self.nanoseconds(timeout) {
                return .connectionDead(silentSeconds: Double(silent) / 1e9)
            }
            if silent > Self.nanoseconds(timeout * 0.5), !replyRequestedSinceMessage {
                replyRequestedSinceMessage = true
                return .sendStatus(replyRequested: true)
            }
        }
        if nextStatusDue <= now { return .sendStatus(replyRequested: false) }
        if let interval = settings.heartbeatInterval, nextHeartbeatDue <= now {
            nextHeartbeatDue = now &+ Self.nanoseconds(interval)
            return .emitHeartbeat
        }
        if let interval = settings.slotCheckInterval, nextSlotCheckDue <= now {
            nextSlotCheckDue = now &+ Self.nanoseconds(interval)
            return .checkSlot
        }
        return .none
    }

    /// How long to wait for the next message: until the next status update, heartbeat or watchdog
    /// step is due, and — while pgcdc is behind and messages come in bursts — with batching.
    ///
    /// While the server streams faster than pgcdc waits (a backlog), wake only once 1 MiB is
    /// queued, or after 10 ms: each wake-up costs both processes a context switch, and waking per
    /// small send made most of pgcdc's CPU time system time and cost the walsender nearly half of
    /// its own (measured: 1,000,000 rows drained in 2.9 s instead of 6.3 s; 64 KiB / 2 ms gave
    /// 3.7 s). Only while pgcdc is behind — the transactions it reads committed over 100 ms ago —
    /// so a stream that keeps up is never delayed, however busy; when behind, a line waits at most
    /// 10 ms longer. A quiet stream (a burst of few messages) goes back to waking on every byte.
    /// `latestCommitTime` is the commit time (Unix microseconds) of the latest transaction whose
    /// messages arrived.
    mutating func prepareWait(now: UInt64, wallClock: Int64, latestCommitTime: Int64) -> Wait {
        let behind = wallClock &- latestCommitTime > Self.behindMicroseconds
        let busy = behind && messagesSinceWait >= Self.busyBurst
        messagesSinceWait = 0
        var watermark: Int32?
        if busy != batching {
            batching = busy
            watermark = busy ? Self.batchingLowWatermark : 1
        }
        let due = millisecondsUntilDue(now: now)
        return Wait(milliseconds: batching ? min(due, Self.batchingWaitMilliseconds) : due, receiveLowWatermark: watermark)
    }

    /// Milliseconds until something is due (at most a minute).
    func millisecondsUntilDue(now: UInt64) -> Int32 {
        var due = min(nextStatusDue, nextHeartbeatDue, nextSlotCheckDue)
        if let timeout = settings.serverTimeout {
            let half = lastMessageAt &+ Self.nanoseconds(timeout * 0.5)
            due = min(due, replyRequestedSinceMessage ? lastMessageAt &+ Self.nanoseconds(timeout) + 1_000_000 : half + 1_000_000)
        }
        guard due > now else { return 0 }
        return Int32(min((due - now) / 1_000_000 + 1, 60_000))
    }

    private mutating func scheduleStatus(now: UInt64) {
        nextStatusDue = now &+ Self.nanoseconds(max(settings.statusInterval, 0.01))
    }

    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(max(seconds, 0) * 1e9)
    }
}
