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
    /// Record metrics through swift-metrics (the CLI serves them for Prometheus).
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
        var driver = Driver(stream: self, sink: sink, stopRequested: stopRequested)
        let runner = ResumingRunner(policy: reconnect, configuration: configuration, logger: logger)
        if let summary = try runner.run(&driver) { return summary }
        var summary = StreamSummary()
        summary.stopped = true
        return summary
    }

    /// One connection's worth of streaming into the sink, for the ``ResumingRunner``.
    private struct Driver: ResumingDriver {
        let stream: SinkStream
        let sink: any ChangeSink
        let stopRequested: () -> Bool
        /// The sink's own position at this attempt's open.
        var sinkPosition: LSN?

        init(stream: SinkStream, sink: any ChangeSink, stopRequested: @escaping () -> Bool) {
            self.stream = stream
            self.sink = sink
            self.stopRequested = stopRequested
        }

        /// Opens the sink and resumes after the latest of its own position and the checkpoint; the
        /// previous session of this run (its cluster, timeline and position) gates the new connection.
        mutating func prepare(after previous: SessionCarry?) throws -> ResumePoint {
            let configuration = stream.configuration
            let logger = stream.logger
            sinkPosition = try sink.open()
            if let fileSink = sink as? FileSink, fileSink.recoveredBytesDropped > 0 {
                logger.notice(
                    "cut an incomplete transaction off the end of the file",
                    metadata: [
                        "file": "\(fileSink.configuration.path)", "bytes": "\(fileSink.recoveredBytesDropped)",
                    ])
            }
            try stream.checkpoint?.store.checkWritable()
            let saved = try stream.checkpoint?.store.load()
            var resume = try ResumePoint(configuration).resuming(
                from: saved, sinkPosition: sinkPosition, hasStore: stream.checkpoint != nil || sink.keepsOwnPosition,
                slot: configuration.slot, checkpointName: stream.checkpoint?.store.path ?? ""
            )
            resume.checkpointCoversConfirmed = saved != nil
            if let origin = try sink.recordedOrigin() {
                // The sink's positions belong to one slot on one cluster; continuing them from another
                // would skip or repeat changes without a word.
                guard origin.slot == configuration.slot else {
                    throw SinkError(
                        destination: origin.location, operation: "resume",
                        reason: "the sink holds the changes of slot \"\(origin.slot)\", not \"\(configuration.slot)\"; write somewhere else"
                    )
                }
                if let expected = resume.expectedSystemIdentifier, expected != origin.systemIdentifier {
                    throw SinkError(
                        destination: origin.location, operation: "resume",
                        reason: "the sink holds changes of cluster \(origin.systemIdentifier), the checkpoint those of \(expected)"
                    )
                }
                resume.expectedSystemIdentifier = origin.systemIdentifier
                if resume.checkpointTimeline == nil, let timeline = origin.timeline, let sinkPosition {
                    resume.checkpointTimeline = timeline
                    resume.checkpointLSN = sinkPosition
                }
            }
            if let previous {
                resume = resume.continuing(after: previous.system, through: previous.handedOut)
            }
            if let start = resume.startLSN, start != configuration.startLSN {
                logger.info("resuming", metadata: ["lsn": "\(start)", "from": "\(sinkPosition == start ? "sink" : "checkpoint")"])
            }
            return resume
        }

        func stream(_ session: ReplicationSession) throws -> StreamSummary {
            let configuration = stream.configuration
            try sink.recordOrigin(
                SinkOrigin(slot: configuration.slot, systemIdentifier: session.system.systemID, timeline: session.system.timeline))
            session.wakeDescriptor = stream.wakeDescriptor
            session.onSnapshotProgress = stream.onSnapshotProgress
            var streamer = JSONLinesStreamer()
            streamer.includeTransactionLines = stream.includeTransactionLines
            streamer.format = stream.format
            streamer.recordsMetrics = stream.recordsMetrics
            streamer.stopRequested = stopRequested
            streamer.timeSource = configuration.timeSource
            streamer.batchPerTransaction = stream.checkpoint != nil && sinkPosition == nil && !sink.needsCommitLines
            if let checkpoint = stream.checkpoint {
                let system = session.system
                let slot = configuration.slot
                let logger = stream.logger
                streamer.onDurable = { lsn, force in
                    let durable = try checkpoint.record(
                        Checkpoint(lsn: lsn, slot: slot, systemIdentifier: system.systemID, timeline: system.timeline), force: force
                    )
                    logger.trace("checkpoint", metadata: ["slot": "\(slot)", "lsn": "\(lsn)", "file": "\(checkpoint.store.path)"])
                    return durable
                }
            }
            let summary = try streamer.run(session, into: sink)
            try sink.close()
            try stream.checkpoint?.close()
            return summary
        }

        /// Closes the sink (the next attempt opens it again) and waits, polling for a stop request.
        func pause(for delay: Double) -> Bool {
            try? sink.close()
            let time = stream.configuration.timeSource
            let deadline = time.monotonicNanoseconds() &+ UInt64(max(0, delay) * 1e9)
            while time.monotonicNanoseconds() < deadline {
                if stopRequested() { return false }
                usleep(50_000)
            }
            return true
        }
    }
}
