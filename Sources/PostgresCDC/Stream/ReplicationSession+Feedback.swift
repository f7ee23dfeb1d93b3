#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGOutput

/// What the session tells the server: standby status updates (the flush position the owner
/// confirmed) and, optionally, heartbeat messages through a normal connection.
extension ReplicationSession {
    // MARK: - Status updates

    func sendStatusIfDue() throws(ReplicationError) {
        if nextStatusDue <= FileIO.monotonicNanoseconds() { try sendStatus(replyRequested: false) }
    }

    func sendStatus(replyRequested: Bool) throws(ReplicationError) {
        // flush = apply = what the owner confirmed as durable, so the server releases WAL only up
        // to there; write = what was handed to the sink, which may run ahead. While write is
        // behind its position, the server sends keepalives that carry it.
        let update = StandbyStatusUpdate(
            writeLSN: max(writtenLSN, confirmedLSN), flushLSN: confirmedLSN, applyLSN: confirmedLSN,
            clientTime: Self.now(), replyRequested: replyRequested
        )
        do {
            try connection.sendCopyData(update.encode())
        } catch {
            throw withLastLSN(error)
        }
        scheduleStatus()
        logger.trace("status update", metadata: ["flush_lsn": "\(confirmedLSN)", "write_lsn": "\(writtenLSN)"])
    }

    // MARK: - Heartbeats

    /// Emits a non-transactional heartbeat message through a normal connection when one is due, so
    /// that a slot whose tables never change still sees WAL and advances. A failure is logged and
    /// retried at the next interval: heartbeats are a convenience, not part of the stream.
    func sendHeartbeatIfDue() {
        guard let interval = configuration.heartbeatInterval, nextHeartbeatDue <= FileIO.monotonicNanoseconds() else { return }
        nextHeartbeatDue = FileIO.monotonicNanoseconds() &+ UInt64(interval * 1e9)
        do {
            if heartbeatConnection == nil {
                heartbeatConnection = try configuration.connect(replication: false)
            }
            try heartbeatConnection?.query("SELECT pg_logical_emit_message(false, '\(Self.heartbeatPrefix)', '')", describedAs: "heartbeat")
            logger.trace("heartbeat emitted")
        } catch {
            logger.warning("heartbeat failed", metadata: ["host": "\(serverAddress)", "error": "\(error)"])
            heartbeatConnection?.close()
            heartbeatConnection = nil
        }
    }

    func scheduleStatus() {
        nextStatusDue = FileIO.monotonicNanoseconds() &+ UInt64(max(configuration.statusInterval, 0.01) * 1e9)
    }

    // MARK: - Watchdog

    /// A frozen server process keeps its TCP connection alive, so only silence reveals it: past
    /// half of ``StreamConfiguration/serverTimeout`` without a message, a status update asks for a
    /// reply (the walsender answers at once with a keepalive); past all of it, the connection is
    /// treated as lost (and the owner reconnects).
    func checkServerSilence() throws(ReplicationError) {
        guard let timeout = configuration.serverTimeout else { return }
        let silent = FileIO.monotonicNanoseconds() &- lastServerMessageAt
        if silent > UInt64(timeout * 1e9) {
            throw .connectionLost(
                host: serverAddress,
                message: "no message from the server for \(String(format: "%.0f", timeout)) s (--server-timeout): treating the connection as dead",
                lastLSN: lastReceivedLSN
            )
        }
        if silent > UInt64(timeout * 0.5e9), !replyRequestedSinceMessage {
            replyRequestedSinceMessage = true
            try sendStatus(replyRequested: true)
        }
    }

    func millisecondsUntilDue() -> Int32 {
        let now = FileIO.monotonicNanoseconds()
        var due = min(nextStatusDue, nextHeartbeatDue)
        if let timeout = configuration.serverTimeout {
            let half = lastServerMessageAt &+ UInt64(timeout * 0.5e9)
            due = min(due, replyRequestedSinceMessage ? lastServerMessageAt &+ UInt64(timeout * 1e9) + 1_000_000 : half + 1_000_000)
        }
        guard due > now else { return 0 }
        return Int32(min((due - now) / 1_000_000 + 1, 60_000))
    }
}
