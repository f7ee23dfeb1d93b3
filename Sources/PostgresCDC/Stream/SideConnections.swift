import Logging

/// The normal connections a session uses beside its replication connection, to the server the
/// session chose: one for catalog lookups while streaming (types, primary keys, backfill checks and
/// messages), one for heartbeats and slot checks — each opened on first use — and new ones for
/// readers (snapshot copiers, the backfill reader).
///
/// Heartbeats and slot checks are advice, not part of the stream: a failure is logged, the
/// connection closed, and the next attempt opens a new one.
final class SideConnections {
    /// The server the session chose.
    let endpoint: ServerEndpoint
    private let slot: String
    /// `host:port` of the replication connection, for the log.
    private let serverAddress: String
    private let logger: Logger
    private var lookups: PostgresConnection?
    private var side: PostgresConnection?
    /// When the slot's retained WAL deserves a warning.
    private var retentionWatch: SlotRetentionWatch
    /// What the latest slot check found; `nil` before the first.
    private(set) var slotRetention: SlotRetention?

    init(endpoint: ServerEndpoint, slot: String, serverAddress: String, retainedWALWarning: Double, logger: Logger) {
        self.endpoint = endpoint
        self.slot = slot
        self.serverAddress = serverAddress
        self.retentionWatch = SlotRetentionWatch(threshold: retainedWALWarning)
        self.logger = logger
    }

    /// A new normal connection to the server (a reader's own).
    func connect() throws(ReplicationError) -> PostgresConnection {
        try endpoint.connect(replication: false)
    }

    /// The connection for catalog lookups while streaming: the replication connection is busy streaming.
    func catalog() throws(ReplicationError) -> PostgresConnection {
        if let lookups { return lookups }
        let opened = try connect()
        lookups = opened
        return opened
    }

    /// Emits a non-transactional heartbeat message, so that a slot whose tables never change still
    /// sees WAL and advances.
    func emitHeartbeat() {
        do {
            try sideConnection().emitLogicalMessage(prefix: ReplicationSession.heartbeatPrefix, content: "", transactional: false)
            logger.trace("heartbeat emitted")
        } catch {
            logger.warning("heartbeat failed", metadata: ["host": "\(serverAddress)", "error": "\(error)"])
            closeSide()
        }
    }

    /// Reads how much WAL the slot retains (``SlotRetention``), records it as metrics and warns as
    /// ``SlotRetentionWatch`` decides; a failure is logged at debug level.
    func checkSlot() {
        do {
            guard let retention = try SlotRetention.gather(slot: slot, on: try sideConnection()) else { return }
            slotRetention = retention
            StreamMetrics.record(retention)
            let metadata: Logger.Metadata = ["slot": "\(slot)", "host": "\(serverAddress)"]
            switch retentionWatch.assess(retention) {
            case let .warning(message)?: logger.warning("\(message)", metadata: metadata)
            case let .recovered(message)?: logger.notice("\(message)", metadata: metadata)
            case nil: logger.trace("slot check", metadata: metadata.merging(["retained": "\(retention.summary)"]) { $1 })
            }
        } catch {
            logger.debug("slot check failed", metadata: ["host": "\(serverAddress)", "error": "\(error)"])
            closeSide()
        }
    }

    /// Closes every connection.
    func close() {
        lookups?.close()
        closeSide()
    }

    /// The connection for heartbeats and checks, opened on first use.
    private func sideConnection() throws(ReplicationError) -> PostgresConnection {
        if let side { return side }
        let opened = try connect()
        side = opened
        return opened
    }

    private func closeSide() {
        side?.close()
        side = nil
    }
}
