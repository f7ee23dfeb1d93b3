import Logging
import PGOutput

/// Starting the stream: `START_REPLICATION` with pgoutput's options (``PgoutputOptions``).
extension ReplicationSession {
    /// Starts streaming from ``startLSN``; `nudgingStandbys` for a new failover slot (see
    /// ``PreparedSlot/nudgeStandbyCopies(of:on:logger:)``).
    func startStreaming(nudgingStandbys: Bool) throws(ReplicationError) {
        // Backfill requests and watermarks travel as messages: on whenever backfills are possible.
        let options = try PgoutputOptions(
            configuration, on: connection, messages: configuration.includeMessages || backfills != nil, catalog: assembler.catalog)
        assembler.abortHasPosition = configuration.streaming == .parallel
        assembler.binaryValues = options.binaryValues
        if nudgingStandbys { PreparedSlot.nudgeStandbyCopies(of: configuration.slot, on: connection, logger: logger) }
        try connection.startLogicalReplication(slot: configuration.slot, start: startLSN, options: options.pairs)
        logger.info(
            "streaming",
            metadata: [
                "slot": "\(configuration.slot)", "publication": "\(configuration.publication)", "proto_version": "\(options.version)",
                "values": "\(options.binaryValues ? "binary" : "text")",
                "host": "\(serverAddress)", "lsn": "\(startLSN)", "timeline": "\(system.timeline)",
            ])
        state.streamingStarted(now: configuration.timeSource.monotonicNanoseconds())
    }
}
