import PGOutput
import Testing
@testable import PostgresCDC

/// The session's timing without a server: status interval, watchdog, reply requests, heartbeats,
/// read batching, and the positions the server hears.
@Suite struct ReplicationProtocolStateTests {
    static let second: UInt64 = 1_000_000_000

    static func started(statusInterval: Double = 10, serverTimeout: Double? = 30, heartbeat: Double? = nil) -> ReplicationProtocolState {
        var state = ReplicationProtocolState(
            settings: .init(statusInterval: statusInterval, serverTimeout: serverTimeout, heartbeatInterval: heartbeat), now: 0
        )
        state.streamingStarted(now: 100 * second)
        return state
    }

    /// Drains everything due at `now`, as the session does.
    static func due(_ state: inout ReplicationProtocolState, at now: UInt64) -> [ReplicationProtocolState.Action] {
        var actions: [ReplicationProtocolState.Action] = []
        while true {
            let action = state.nextAction(now: now)
            if action == .none { return actions }
            actions.append(action)
            if case .sendStatus = action { state.statusSent(now: now) }
            if case .connectionDead = action { return actions }
        }
    }

    @Test func aStatusUpdateIsDueEveryStatusInterval() {
        var state = Self.started(statusInterval: 10, serverTimeout: nil)
        #expect(Self.due(&state, at: 105 * Self.second) == [])
        #expect(Self.due(&state, at: 110 * Self.second) == [.sendStatus(replyRequested: false)])
        #expect(Self.due(&state, at: 115 * Self.second) == [])
        #expect(Self.due(&state, at: 120 * Self.second) == [.sendStatus(replyRequested: false)])
    }

    @Test func aSilentServerIsAskedForAReplyOnceAtHalfTheTimeoutThenDeclaredDead() {
        var state = Self.started(statusInterval: 100, serverTimeout: 30)
        state.messageReceived(now: 100 * Self.second)
        #expect(Self.due(&state, at: 114 * Self.second) == [])
        #expect(Self.due(&state, at: 116 * Self.second) == [.sendStatus(replyRequested: true)])
        // Asked once per silence, not on every check.
        #expect(Self.due(&state, at: 120 * Self.second) == [])
        #expect(Self.due(&state, at: 131 * Self.second) == [.connectionDead(silentSeconds: 31)])
    }

    @Test func aMessageResetsTheWatchdog() {
        var state = Self.started(statusInterval: 100, serverTimeout: 30)
        #expect(Self.due(&state, at: 116 * Self.second) == [.sendStatus(replyRequested: true)])
        state.messageReceived(now: 117 * Self.second)
        #expect(Self.due(&state, at: 131 * Self.second) == [])
        #expect(Self.due(&state, at: 133 * Self.second) == [.sendStatus(replyRequested: true)])
        #expect(Self.due(&state, at: 148 * Self.second) == [.connectionDead(silentSeconds: 31)])
    }

    @Test func withoutAServerTimeoutSilenceIsNeverFatal() {
        var state = Self.started(statusInterval: 1000, serverTimeout: nil)
        #expect(Self.due(&state, at: 900 * Self.second) == [])
    }

    @Test func aKeepaliveThatAsksForAReplyGetsAStatusUpdate() {
        var state = Self.started()
        #expect(
            state.keepaliveReceived(walEnd: LSN(0x100), replyRequested: true, betweenTransactions: true)
                == .sendStatus(replyRequested: false))
        #expect(state.keepaliveReceived(walEnd: LSN(0x200), replyRequested: false, betweenTransactions: true) == .none)
        #expect(state.serverPosition == LSN(0x200))
    }

    @Test func onlyAKeepaliveBetweenTransactionsMovesTheIdlePosition() {
        var state = Self.started()
        _ = state.keepaliveReceived(walEnd: LSN(0x100), replyRequested: false, betweenTransactions: true)
        _ = state.keepaliveReceived(walEnd: LSN(0x300), replyRequested: false, betweenTransactions: false)
        #expect(state.idlePosition == LSN(0x100))
        #expect(state.serverPosition == LSN(0x300))
    }

    @Test func heartbeatsAreDueEveryIntervalAndRescheduledWhenHandedOut() {
        var state = Self.started(statusInterval: 1000, serverTimeout: nil, heartbeat: 5)
        #expect(Self.due(&state, at: 104 * Self.second) == [])
        #expect(Self.due(&state, at: 105 * Self.second) == [.emitHeartbeat])
        #expect(Self.due(&state, at: 106 * Self.second) == [])
        #expect(Self.due(&state, at: 110 * Self.second) == [.emitHeartbeat])
    }

    @Test func theSlotIsCheckedASecondAfterTheStartThenEveryInterval() {
        var state = ReplicationProtocolState(
            settings: .init(statusInterval: 1000, serverTimeout: nil, heartbeatInterval: nil, slotCheckInterval: 60), now: 0)
        state.streamingStarted(now: 100 * Self.second)
        #expect(Self.due(&state, at: 100 * Self.second) == [])
        #expect(state.millisecondsUntilDue(now: 100 * Self.second) <= 1001)
        #expect(Self.due(&state, at: 101 * Self.second) == [.checkSlot])
        #expect(Self.due(&state, at: 160 * Self.second) == [])
        #expect(Self.due(&state, at: 161 * Self.second) == [.checkSlot])
        var unchecked = Self.started()
        #expect(Self.due(&unchecked, at: 200 * Self.second).contains(.checkSlot) == false, "no interval: no checks")
    }

    @Test func theServerHearsOnlyConfirmedPositionsAsFlushed() {
        var state = Self.started()
        state.noteWritten(through: LSN(0x500))
        state.confirm(through: LSN(0x300))
        let time = PostgresTimestamp(unixMicroseconds: 0)
        let update = state.statusUpdate(clientTime: time, replyRequested: false)
        #expect(update.flushLSN == LSN(0x300))
        #expect(update.applyLSN == LSN(0x300))
        #expect(update.writeLSN == LSN(0x500))
        // A confirmation never moves backwards, and write is at least flush.
        state.confirm(through: LSN(0x200))
        state.confirm(through: LSN(0x600))
        let later = state.statusUpdate(clientTime: time, replyRequested: true)
        #expect(later.flushLSN == LSN(0x600))
        #expect(later.writeLSN == LSN(0x600))
        #expect(later.replyRequested)
    }

    @Test func theWaitEndsWhenTheNextStatusUpdateOrWatchdogStepIsDue() {
        let state = Self.started(statusInterval: 10, serverTimeout: 30)
        // Status due at 110 s; half the timeout at 115 s.
        #expect(state.millisecondsUntilDue(now: 108 * Self.second) == 2001)
        let quiet = Self.started(statusInterval: 100, serverTimeout: 30)
        #expect(quiet.millisecondsUntilDue(now: 114 * Self.second) == 1002)
        // Long waits are capped at a minute.
        var idle = Self.started(statusInterval: 1000, serverTimeout: nil)
        #expect(idle.prepareWait(now: 100 * Self.second, wallClock: 0, latestCommitTime: 0).milliseconds == 60_000)
    }

    @Test func aBurstOfOldTransactionsTurnsBatchingOnAndAQuietStreamTurnsItOff() {
        var state = Self.started(statusInterval: 10, serverTimeout: nil)
        let wall: Int64 = 1_000_000_000
        let commit = wall - 500_000  // committed 0.5 s ago: behind
        for _ in 0..<ReplicationProtocolState.busyBurst { state.messageReceived(now: 100 * Self.second) }
        let busy = state.prepareWait(now: 100 * Self.second, wallClock: wall, latestCommitTime: commit)
        #expect(busy.receiveLowWatermark == ReplicationProtocolState.batchingLowWatermark)
        #expect(busy.milliseconds == ReplicationProtocolState.batchingWaitMilliseconds)
        // Still busy: nothing to change on the socket.
        for _ in 0..<ReplicationProtocolState.busyBurst { state.messageReceived(now: 100 * Self.second) }
        #expect(state.prepareWait(now: 100 * Self.second, wallClock: wall, latestCommitTime: commit).receiveLowWatermark == nil)
        // A few messages only: back to waking on every byte.
        state.messageReceived(now: 100 * Self.second)
        let quiet = state.prepareWait(now: 100 * Self.second, wallClock: wall, latestCommitTime: commit)
        #expect(quiet.receiveLowWatermark == 1)
        #expect(quiet.milliseconds == 10_001)
    }

    @Test func aBurstOfFreshTransactionsIsNotBatched() {
        var state = Self.started(statusInterval: 10, serverTimeout: nil)
        let wall: Int64 = 1_000_000_000
        let commit = wall - 1_000  // keeping up
        for _ in 0..<100 { state.messageReceived(now: 100 * Self.second) }
        #expect(state.prepareWait(now: 100 * Self.second, wallClock: wall, latestCommitTime: commit).receiveLowWatermark == nil)
    }
}
