#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGOutput

/// Streams a publication into a ``ChangeSink`` as JSON lines — what `pgcdc stream` does — for a
/// program that brings its own sink.
///
/// The sink's ``ChangeSink/open()`` position (if it keeps one) and the checkpoint (if any) decide
/// where streaming resumes; the server hears only what the sink made durable.
public struct SinkStream {
    /// What to stream.
    public var configuration: StreamConfiguration
    /// Write `begin` and `commit` lines for every transaction.
    public var includeTransactionLines = false
    /// The shape of each line (a sink that needs commit lines or routes by pgcdc's fields takes ``OutputFormat/native``).
    public var format: OutputFormat = .native
    /// Where to keep a checkpoint, for a sink that keeps no position of its own; `nil` for none.
    public var checkpoint: CheckpointRecorder?
    /// Where logs go.
    public var logger: Logger
    /// A descriptor that ends a wait for the server when readable (the CLI's signal pipe).
    package var wakeDescriptor: Int32?
    /// Record metrics through swift-metrics (see the CLI's `--metrics-addr`).
    public var recordsMetrics = false
    /// Called as each table of an initial snapshot finishes.
    public var onSnapshotProgress: ((SnapshotProgress) -> Void)?
    /// What to do when the connection to the server is lost after streaming started; `nil` gives up
    /// at once. A first connection that fails is always an error (a wrong DSN should not hang).
    public var reconnect: ReconnectPolicy? = ReconnectPolicy()

    /// A stream of `configuration` into a sink.
    public init(configuration: StreamConfiguration, logger: Logger = Logger(label: "pgcdc")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens `sink`, streams until the configuration's end LSN or until `stopRequested` returns
    /// `true`, then flushes and closes the sink. Returns the last durable position.
    @discardableResult
    public func run(into sink: any ChangeSink, stopRequested: @escaping () -> Bool = { false }) throws -> LSN {
        try runWithSummary(into: sink, stopRequested: stopRequested).durableThrough
    }

    /// ``run(into:stopRequested:)``, returning what the stream did. When the connection is lost,
    /// closes the sink and starts over from what is durable — the sink's own position, the
    /// checkpoint, the slot — after a capped, jittered exponential delay (see ``reconnect``).
    package func runWithSummary(into sink: any ChangeSink, stopRequested: @escaping () -> Bool) throws -> StreamSummary {
        var connected = false
        var failures = 0
        var previous: (system: SystemIdentification, lsn: LSN)?
        while true {
            var session: ReplicationSession?
            do {
                return try runOnce(into: sink, stopRequested: stopRequested, after: previous, session: &session)
            } catch let error as ReplicationError where error.mayPassByReconnecting && (connected || session != nil) {
                let connectedThisTime = session != nil
                if let session { previous = (session.system, session.handedOutThrough) }
                connected = true
                failures = connectedThisTime ? 1 : failures + 1
                guard let policy = reconnect, policy.attempts.map({ failures <= $0 }) ?? true else { throw error }
                try? sink.close()
                let delay = policy.delay(afterFailures: failures)
                logger.warning("connection lost, reconnecting", metadata: [
                    "error": "\(error)", "attempt": "\(failures)", "delay": "\(String(format: "%.2f", delay)) s",
                    "hosts": "\(PostgresConnection.describeHosts(dsn: configuration.dsn))",
                ])
                let deadline = ContinuousClock.now + .milliseconds(Int(delay * 1000))
                while ContinuousClock.now < deadline {
                    if stopRequested() {
                        var summary = StreamSummary()
                        summary.stopped = true
                        return summary
                    }
                    usleep(50_000)
                }
            }
        }
    }

    /// One connection's worth of streaming; `previous` is the last session of this run (its
    /// cluster, timeline and position gate the new connection), `session` the one opened here.
    private func runOnce(into sink: any ChangeSink, stopRequested: @escaping () -> Bool, after previous: (system: SystemIdentification, lsn: LSN)?, session opened: inout ReplicationSession?) throws -> StreamSummary {
        let sinkPosition = try sink.open()
        if let fileSink = sink as? FileSink, fileSink.recoveredBytesDropped > 0 {
            logger.notice("cut an incomplete transaction off the end of the file", metadata: [
                "file": "\(fileSink.configuration.path)", "bytes": "\(fileSink.recoveredBytesDropped)",
            ])
        }
        try checkpoint?.store.checkWritable()
        let saved = try checkpoint?.store.load()
        var resumed = try configuration.resuming(from: saved, sinkPosition: sinkPosition, checkpointName: checkpoint?.store.path ?? "")
        resumed.checkpointCoversConfirmed = saved != nil
        if let origin = try sink.recordedOrigin() {
            // The sink's positions belong to one slot on one cluster; continuing them from another
            // would skip or repeat changes without a word.
            guard origin.slot == configuration.slot else {
                throw SinkError(destination: origin.location, operation: "resume", reason: "the sink holds the changes of slot \"\(origin.slot)\", not \"\(configuration.slot)\"; write somewhere else")
            }
            if let expected = resumed.expectedSystemIdentifier, expected != origin.systemIdentifier {
                throw SinkError(destination: origin.location, operation: "resume", reason: "the sink holds changes of cluster \(origin.systemIdentifier), the checkpoint those of \(expected)")
            }
            resumed.expectedSystemIdentifier = origin.systemIdentifier
            if resumed.checkpointTimeline == nil, let timeline = origin.timeline, let sinkPosition {
                resumed.checkpointTimeline = timeline
                resumed.checkpointLSN = sinkPosition
            }
        }
        if let previous {
            resumed = resumed.continuing(after: previous.system, through: previous.lsn)
        }
        if let resume = resumed.startLSN, resume != configuration.startLSN {
            logger.info("resuming", metadata: ["lsn": "\(resume)", "from": "\(sinkPosition == resume ? "sink" : "checkpoint")"])
        }
        let session = try ReplicationSession(configuration: resumed, logger: logger)
        defer { session.close() }
        opened = session
        try sink.recordOrigin(SinkOrigin(slot: configuration.slot, systemIdentifier: session.system.systemID, timeline: session.system.timeline))
        session.wakeDescriptor = wakeDescriptor
        session.onSnapshotProgress = onSnapshotProgress
        var streamer = JSONLinesStreamer()
        streamer.includeTransactionLines = includeTransactionLines
        streamer.format = format
        streamer.recordsMetrics = recordsMetrics
        streamer.stopRequested = stopRequested
        streamer.batchPerTransaction = checkpoint != nil && sinkPosition == nil && !sink.needsCommitLines
        if let checkpoint {
            let system = session.system
            let slot = configuration.slot
            let logger = self.logger
            streamer.onDurable = { lsn, force in
                let durable = try checkpoint.record(Checkpoint(lsn: lsn, slot: slot, systemIdentifier: system.systemID, timeline: system.timeline), force: force)
                logger.trace("checkpoint", metadata: ["slot": "\(slot)", "lsn": "\(lsn)", "file": "\(checkpoint.store.path)"])
                return durable
            }
        }
        let summary = try streamer.run(session, into: sink)
        try sink.close()
        try checkpoint?.close()
        return summary
    }
}
