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
        case .checkSlot:
            checkSlot()
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
            try side().emitLogicalMessage(prefix: Self.heartbeatPrefix, content: "", transactional: false)
            logger.trace("heartbeat emitted")
        } catch {
            logger.warning("heartbeat failed", metadata: ["host": "\(serverAddress)", "error": "\(error)"])
            sideConnection?.close()
            sideConnection = nil
        }
    }

    /// Reads how much WAL the slot retains (``SlotRetention``), records it as metrics and warns as
    /// ``SlotRetentionWatch`` decides. A failure is logged at debug level and retried at the next
    /// interval: the check is advice, not part of the stream.
    func checkSlot() {
        do {
            guard let retention = try SlotRetention.gather(slot: configuration.slot, on: try side()) else { return }
            slotRetention = retention
            StreamMetrics.record(retention)
            let metadata: Logger.Metadata = ["slot": "\(configuration.slot)", "host": "\(serverAddress)"]
            switch retentionWatch.assess(retention) {
            case let .warning(message)?: logger.warning("\(message)", metadata: metadata)
            case let .recovered(message)?: logger.notice("\(message)", metadata: metadata)
            case nil: logger.trace("slot check", metadata: metadata.merging(["retained": "\(retention.summary)"]) { $1 })
            }
        } catch {
            logger.debug("slot check failed", metadata: ["host": "\(serverAddress)", "error": "\(error)"])
            sideConnection?.close()
            sideConnection = nil
        }
    }

    /// The normal connection for heartbeats and checks, opened on first use.
    private func side() throws(ReplicationError) -> PostgresConnection {
        if let sideConnection { return sideConnection }
        let opened = try endpoint.connect(replication: false)
        sideConnection = opened
        return opened
    }
}
