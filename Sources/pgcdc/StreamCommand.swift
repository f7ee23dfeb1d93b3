import ArgumentParser
import Logging
#if canImport(Glibc)
import Glibc
#endif
import PostgresCDC

/// `pgcdc stream`: the option groups, the checks that span groups, and the run.
struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream committed changes from a logical replication slot to stdout as JSON lines."
    )

    @OptionGroup(title: "Connection and logging") var connection: ConnectionOptions
    @OptionGroup(title: "Slot and publication") var source: SlotOptions
    @OptionGroup(title: "Snapshot") var snapshot: SnapshotOptions
    @OptionGroup(title: "Tables, columns and operations") var filter: EventFilterOptions
    @OptionGroup(title: "Decoding") var decoding: DecodingOptions
    @OptionGroup(title: "Output") var lines: OutputOptions
    @OptionGroup(title: "Sink and checkpoint") var destination: SinkOptions
    @OptionGroup(title: "NATS JetStream sink (--sink nats://...)") var nats: NATSOptions
    @OptionGroup(title: "Operations") var operations: OperationsOptions
    @OptionGroup(title: "Backfill") var backfill: BackfillOptions

    /// The checks that need more than one group; each group checks its own options first.
    func validate() throws {
        if connection.dsn.isEmpty { throw ValidationError("--dsn is required (a libpq connection string or URI), or --dsn-file FILE") }
        try nats.validate(for: destination.sink)
        if source.temporarySlot && destination.resumes {
            throw ValidationError("--temporary-slot cannot resume: it disappears with the connection; drop --checkpoint and --sink file:")
        }
        if decoding.twoPhase && destination.preparedTransactionsDirectory == nil {
            throw ValidationError(
                "--two-phase needs --checkpoint FILE or --sink file:PATH: prepared transactions are kept beside it until COMMIT or "
                    + "ROLLBACK PREPARED"
            )
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // Past a file size limit, write(2) should fail with EFBIG (reported), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        let wake = ShutdownSignal.install()
        let logger = connection.logger
        do {
            let metricsServer = try operations.metricsAddr.map { address in
                let server = try MetricsServer.start(address: address)
                logger.info("serving metrics", metadata: ["address": "\(address)"])
                return server
            }
            defer { metricsServer?.stop() }
            let configuration = streamConfiguration
            let time = configuration.timeSource
            var stream = sinkStream(configuration: configuration, logger: logger)
            stream.wakeDescriptor = wake
            if snapshot.progress || isatty(2) != 0 {
                var progress = SnapshotProgressLines(started: time.monotonicNanoseconds())
                stream.onSnapshotProgress = { step in
                    FileHandleOutput.standardError(progress.record(step, now: time.monotonicNanoseconds()))
                }
            }
            let started = time.monotonicNanoseconds()
            let summary = try stream.runWithSummary(into: makeSink(logger: logger), stopRequested: { ShutdownSignal.isRequested })
            let ended = time.monotonicNanoseconds()
            let seconds = Double(ended >= started ? ended - started : 0) / 1e9
            logger.info(
                summary.stopped ? "stopped on request" : "end LSN reached",
                metadata: [
                    "events": "\(summary.events)", "lsn": "\(summary.durableThrough)",
                ])
            if operations.stats {
                FileHandleOutput.standardError(
                    "BENCHSTATS {\"rows\":\(summary.rows),\"events\":\(summary.events),\"seconds\":\(seconds)}\n")
            }
        } catch {
            throw CLIFailure.report(error, options: connection)
        }
    }
}
