import PGOutput

/// What the session tells the server — standby status updates (the flush position the owner
/// confirmed) and, through ``SideConnections``, heartbeat messages and slot checks — carrying out
/// the actions ``ReplicationProtocolState`` and the backfills' timers decide.
extension ReplicationSession {
    /// Carries out everything that is due now.
    func performDueActions() throws(ReplicationError) {
        while true {
            let action = state.nextAction(now: configuration.timeSource.monotonicNanoseconds())
            if action == .none { break }
            try perform(action)
        }
        try backfills?.performDue(now: configuration.timeSource.monotonicNanoseconds(), catalog: assembler.catalog)
    }

    func perform(_ action: ReplicationProtocolState.Action) throws(ReplicationError) {
        switch action {
        case .none:
            return
        case let .sendStatus(replyRequested):
            try sendStatus(replyRequested: replyRequested)
        case .emitHeartbeat:
            sides.emitHeartbeat()
        case .checkSlot:
            sides.checkSlot()
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
        let clientTime = PostgresTimestamp(unixMicroseconds: configuration.timeSource.unixMicroseconds())
        let update = state.statusUpdate(clientTime: clientTime, replyRequested: replyRequested)
        do {
            try connection.sendCopyData(update.encode())
        } catch {
            throw withLastLSN(error)
        }
        state.statusSent(now: configuration.timeSource.monotonicNanoseconds())
        logger.trace("status update", metadata: ["flush_lsn": "\(update.flushLSN)", "write_lsn": "\(update.writeLSN)"])
    }
}
