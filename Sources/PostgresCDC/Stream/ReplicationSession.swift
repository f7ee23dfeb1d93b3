#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGOutput

/// One logical replication session: connects, checks and prepares the slot and publication,
/// starts pgoutput, and hands out change events one at a time, in commit order.
///
/// Pull-based: nothing is read from the server until the owner asks for the next event, so the
/// owner's pace is the backpressure. The owner confirms what it has durably stored with
/// ``confirm(through:)``; only that position is reported to the server as flushed.
package final class ReplicationSession {
    /// The result of asking for the next event.
    package enum Step {
        /// The next event.
        case event(ChangeEvent)
        /// Nothing more can be read right now without waiting (a good moment to flush a sink).
        case idle
        /// The end LSN was reached; every transaction committed at or before it was handed out.
        case end
    }

    /// What the server reported when the session connected.
    package let system: SystemIdentification
    /// `host:port` of the server.
    package let serverAddress: String
    /// Where streaming started (the slot's confirmed position, or the requested start).
    package let startLSN: LSN

    private let configuration: StreamConfiguration
    private let logger: Logger
    private let connection: PostgresConnection
    private var typeLookupConnection: PostgresConnection?
    private var assembler: ChangeAssembler
    private var confirmedLSN: LSN
    private var lastReceivedLSN: LSN = .zero
    private var nextStatusDue: UInt64 = 0
    private var endPending = false
    private var ended = false

    /// Connects, checks the server, prepares the publication and the slot, and starts streaming.
    package init(configuration: StreamConfiguration, logger: Logger) throws(ReplicationError) {
        self.configuration = configuration
        self.logger = logger
        let connection = try PostgresConnection(dsn: configuration.dsn, replication: true)
        self.connection = connection
        self.serverAddress = connection.serverAddress
        for statement in SessionSettings.statements {
            try connection.query(statement, describedAs: statement)
        }
        self.system = try connection.identifySystem()
        try ReplicationSetup.checkWalLevel(connection)
        try ReplicationSetup.preparePublication(configuration, on: connection, logger: logger)
        let slotPosition = try ReplicationSetup.prepareSlot(configuration, on: connection, logger: logger)
        var catalog = TypeCatalog()
        try ReplicationSetup.loadCustomTypes(into: &catalog, from: connection)
        self.assembler = ChangeAssembler(catalog: catalog, endLSN: configuration.endLSN, includeTransactionEvents: configuration.includeTransactionEvents)
        self.startLSN = configuration.startLSN ?? slotPosition
        self.confirmedLSN = .zero

        var options: [(String, String)] = [
            ("proto_version", "1"),
            ("publication_names", try connection.quoteIdentifier(configuration.publication)),
        ]
        if configuration.includeMessages { options.append(("messages", "true")) }
        try connection.startLogicalReplication(slot: configuration.slot, start: configuration.startLSN ?? .zero, options: options)
        logger.info("streaming", metadata: [
            "slot": "\(configuration.slot)", "publication": "\(configuration.publication)",
            "host": "\(serverAddress)", "lsn": "\(startLSN)", "timeline": "\(system.timeline)",
        ])
        scheduleStatus()
    }

    /// Sets (or moves) the end LSN: stop once every transaction committed at or before `lsn` was handed out.
    package func stop(at lsn: LSN) {
        assembler.endLSN = lsn
    }

    /// The end LSN of the last transaction whose events have all been handed out.
    package var completedThrough: LSN { assembler.lastCommitEnd }

    /// Records that everything up to `lsn` (a commit end LSN from ``completedThrough``) is durably
    /// stored; the server hears it as the flush position with the next status update.
    package func confirm(through lsn: LSN) {
        if lsn > confirmedLSN { confirmedLSN = lsn }
    }

    /// The next event. With `wait: false`, returns ``Step/idle`` at once when no data is buffered;
    /// with `wait: true`, waits for data, but at most until the next status update is due, and then
    /// returns ``Step/idle`` too.
    package func next(wait: Bool) throws(ReplicationError) -> Step {
        while true {
            if ended { return .end }
            if endPending {
                ended = true
                return .end
            }
            let read: CopyDataRead
            do {
                read = try connection.readCopyData()
            } catch {
                throw withLastLSN(error)
            }
            switch read {
            case let .data(bytes):
                if let step = try handle(bytes) { return step }
            case .wouldBlock:
                try sendStatusIfDue()
                if !wait { return .idle }
                // Wait for data at most until the next status update is due, so the owner regains
                // control regularly (deadlines, cancellation) even on a silent connection.
                if try !connection.waitForInput(timeoutMilliseconds: millisecondsUntilStatus()) {
                    try sendStatusIfDue()
                    return .idle
                }
            case .copyDone:
                throw .connectionLost(host: serverAddress, message: "the server ended the replication stream", lastLSN: lastReceivedLSN)
            }
        }
    }

    /// Sends a final status update with the confirmed position, ends the stream and disconnects.
    package func close() {
        try? sendStatus(replyRequested: false)
        connection.endCopy()
        connection.close()
        typeLookupConnection?.close()
    }

    // MARK: - Messages

    private func handle(_ bytes: [UInt8]) throws(ReplicationError) -> Step? {
        let message: ReplicationMessage
        do {
            message = try ReplicationMessage.decode(bytes[...])
        } catch {
            throw .decoding(error, lsn: lastReceivedLSN)
        }
        switch message {
        case let .xLogData(data):
            if data.walStart > lastReceivedLSN { lastReceivedLSN = data.walStart }
            let logical: LogicalMessage
            do {
                logical = try LogicalMessage.decode(data.data)
            } catch {
                throw .decoding(error, lsn: data.walStart)
            }
            if case let .relation(relation) = logical {
                try resolveTypes(of: relation)
            }
            switch try assembler.process(logical, lsn: data.walStart) {
            case .none:
                if assembler.hasReachedEnd { endPending = true }
                if nextStatusDue <= Self.monotonicNanoseconds() { try sendStatus(replyRequested: false) }
                return nil
            case let .event(event):
                if assembler.hasReachedEnd { endPending = true }
                return .event(event)
            case .endReached:
                ended = true
                return .end
            }
        case let .primaryKeepalive(keepalive):
            if keepalive.walEnd > lastReceivedLSN { lastReceivedLSN = keepalive.walEnd }
            if keepalive.replyRequested { try sendStatus(replyRequested: false) }
            if assembler.keepaliveReachesEnd(keepalive.walEnd) {
                ended = true
                return .end
            }
            return nil
        }
    }

    /// Loads custom types the catalog does not know yet (created after the session started),
    /// through a second, normal connection: the replication connection is busy streaming.
    private func resolveTypes(of relation: RelationMessage) throws(ReplicationError) {
        guard relation.columns.contains(where: { $0.typeOID >= 16384 && !assembler.catalog.knows($0.typeOID) }) else { return }
        if typeLookupConnection == nil {
            typeLookupConnection = try PostgresConnection(dsn: configuration.dsn, replication: false)
        }
        guard let lookup = typeLookupConnection else { return }
        try ReplicationSetup.loadCustomTypes(into: &assembler.catalog, from: lookup)
    }

    // MARK: - Status updates

    private func sendStatusIfDue() throws(ReplicationError) {
        if nextStatusDue <= Self.monotonicNanoseconds() { try sendStatus(replyRequested: false) }
    }

    private func sendStatus(replyRequested: Bool) throws(ReplicationError) {
        // write = flush = apply = what the owner confirmed as durable; the server may then
        // release WAL up to there, and sends keepalives when it has more than that.
        let update = StandbyStatusUpdate(
            writeLSN: confirmedLSN, flushLSN: confirmedLSN, applyLSN: confirmedLSN,
            clientTime: Self.now(), replyRequested: replyRequested
        )
        do {
            try connection.sendCopyData(update.encode())
        } catch {
            throw withLastLSN(error)
        }
        scheduleStatus()
        logger.trace("status update", metadata: ["flush_lsn": "\(confirmedLSN)"])
    }

    private func scheduleStatus() {
        nextStatusDue = Self.monotonicNanoseconds() &+ UInt64(max(configuration.statusInterval, 0.01) * 1e9)
    }

    private func millisecondsUntilStatus() -> Int32 {
        let now = Self.monotonicNanoseconds()
        guard nextStatusDue > now else { return 0 }
        return Int32(min((nextStatusDue - now) / 1_000_000 + 1, 60_000))
    }

    private func withLastLSN(_ error: ReplicationError) -> ReplicationError {
        if case let .connectionLost(_, message, _) = error {
            return .connectionLost(host: serverAddress, message: message, lastLSN: lastReceivedLSN)
        }
        return error
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    private static func now() -> PostgresTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return PostgresTimestamp(unixMicroseconds: Int64(spec.tv_sec) &* 1_000_000 &+ Int64(spec.tv_nsec / 1000))
    }
}
