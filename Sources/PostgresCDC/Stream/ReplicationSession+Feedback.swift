#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGOutput

/// What the session tells the server — standby status updates (the flush position the owner
/// confirmed) and, optionally, heartbeat messages through a normal connection — carrying out the
/// actions ``ReplicationProtocolState`` decides.
extension ReplicationSession {
    /// Carries out everything that is due now.
    func performDueActions() throws(ReplicationError) {
        while true {
            let action = state.nextAction(now: FileIO.monotonicNanoseconds())
            if action == .none { return }
            try perform(action)
        }
    }

    func perform(_ action: ReplicationProtocolState.Action) throws(ReplicationError) {
        switch action {
        case .none:
            return
        case let .sendStatus(replyRequested):
            try sendStatus(replyRequested: replyRequested)
        case .emitHeartbeat:
            emitHeartbeat()
        case .connectionDead:
            throw .connectionLost(
                host: serverAddress,
                message: "no message from the server for \(String(format: "%.0f", configuration.serverTimeout ?? 0)) s "
                    + "(serverTimeout): treating the connection as dead",
                lastLSN: state.serverPosition
            )
        }
    }

    func sendStatus(replyRequested: Bool) throws(ReplicationError) {
        let update = state.statusUpdate(clientTime: Self.now(), replyRequested: replyRequested)
        do {
            try connection.sendCopyData(update.encode())
        } catch {
            throw withLastLSN(error)
        }
        state.statusSent(now: FileIO.monotonicNanoseconds())
        logger.trace("status update", metadata: ["flush_lsn": "\(update.flushLSN)", "write_lsn": "\(update.writeLSN)"])
    }

    /// Emits a non-transactional heartbeat message through a normal connection, so that a slot
    /// whose tables never change still sees WAL and advances. A failure is logged and retried at
    /// the next interval: heartbeats are a convenience, not part of the stream.
    func emitHeartbeat() {
        do {
            if heartbeatConnection == nil {
                heartbeatConnection = try endpoint.connect(replication: false)
            }
            try heartbeatConnection?.query("SELECT pg_logical_emit_message(false, '\(Self.heartbeatPrefix)', '')", describedAs: "heartbeat")
            logger.trace("heartbeat emitted")
        } catch {
            logger.warning("heartbeat failed", metadata: ["host": "\(serverAddress)", "error": "\(error)"])
            heartbeatConnection?.close()
            heartbeatConnection = nil
        }
    }
}
