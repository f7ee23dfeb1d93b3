import ArgumentParser
import Logging
#if canImport(Glibc)
import Glibc
#endif
import PostgresCDC
import PostgresCDCNATS

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream committed changes from a logical replication slot to stdout as JSON lines."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Logical replication slot to stream from (plugin pgoutput).", valueName: "name"))
    var slot: String

    @Option(help: ArgumentHelp("Publication that selects the tables.", valueName: "name"))
    var publication: String

    @Flag(help: "Create the slot if it does not exist.")
    var createSlot = false

    @Flag(help: "Create the slot as TEMPORARY: it disappears when pgcdc disconnects (implies --create-slot).")
    var temporarySlot = false

    @Flag(help: "Create the publication if it does not exist (FOR ALL TABLES, or for --tables).")
    var createPublication = false

    @Option(
        help: ArgumentHelp(
            "With --create-publication: the tables to publish, comma-separated (schema.table or table).", valueName: "s.t,..."))
    var tables: String?

    @Option(help: ArgumentHelp("Start at this LSN instead of the slot's confirmed position (X/Y).", valueName: "lsn"))
    var startLSN: LSN?

    @Option(
        help: ArgumentHelp(
            "Stop (exit 0) once every transaction committed at or before this LSN is written, like pg_recvlogical --endpos.",
            valueName: "lsn"))
    var endLSN: LSN?

    @Option(
        help: ArgumentHelp(
            "Copy the existing rows first: never, initial, initial-only, when-needed (default: initial when pgcdc creates the slot, "
                + "never otherwise).",
            valueName: "mode"))
    var snapshot: SnapshotMode?

    @Option(
        help: ArgumentHelp(
            "Connections that copy tables in parallel during a snapshot; a large table is split into ranges of its pages.",
            valueName: "n"))
    var snapshotJobs = 1

    @Flag(help: "Print a progress line per snapshot table on stderr even when stderr is not a terminal.")
    var progress = false

    @Option(
        help: ArgumentHelp("Only tables matching these globs, comma-separated (schema.table or table; *, ?, [..]).", valueName: "globs"))
    var includeTables: String?

    @Option(help: ArgumentHelp("Leave out tables matching these globs, comma-separated (wins over --include-tables).", valueName: "globs"))
    var excludeTables: String?

    @Option(help: ArgumentHelp("Leave these columns out of rows, comma-separated schema.table.column names.", valueName: "columns"))
    var excludeColumns: String?

    @Option(
        help: ArgumentHelp(
            "Only these operations, comma-separated: insert, update, delete, truncate, message (snapshot rows follow the table filters).",
            valueName: "ops"))
    var ops: String?

    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics on GET /metrics: :9187 on every interface, 127.0.0.1:9187 or [::1]:9187 on loopback.",
            valueName: "host:port"),
        transform: { text in try MetricsAddress(parsing: text) })
    var metricsAddr: MetricsAddress?

    @Option(
        help: ArgumentHelp(
            "Line format: native (pgcdc's events) or debezium (Debezium's envelope), with every sink.",
            valueName: "format"))
    var format: OutputFormat = .native

    @Option(
        name: .customLong("proto-version"),
        help: ArgumentHelp("pgoutput protocol version, 1–4 (default: the highest the server supports).", valueName: "n"))
    var protoVersion: Int?

    @Option(
        help: ArgumentHelp(
            "Changes of every origin (any, the default) or only those made on this server (none; PostgreSQL 16+).", valueName: "any|none"))
    var origin: OriginOption = .any

    @Option(
        help: ArgumentHelp(
            "Let the server stream large transactions before they commit: off, on (protocol 2+), parallel (protocol 4). Output is the "
                + "same either way.",
            valueName: "mode"))
    var streaming: StreamingMode = .off

    @Option(
        help: ArgumentHelp(
            "With --streaming: memory for uncommitted streamed changes before they spill to --spill-dir (K, M, G suffixes).",
            valueName: "size"))
    var maxMemory = ByteSize(bytes: 64 << 20)

    @Option(
        help: ArgumentHelp(
            "With --streaming: directory for spill files (default: $TMPDIR, else /tmp; the files are unlinked at once).", valueName: "dir"))
    var spillDir: String?

    @Flag(
        help: ArgumentHelp(
            "Decode prepared transactions (PostgreSQL 15+): changes are written at COMMIT PREPARED with their gid, dropped at ROLLBACK "
                + "PREPARED; kept in CHECKPOINT.prepared/ (or PATH.prepared/ of --sink file:PATH) meanwhile.")
    )
    var twoPhase = false

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Values in binary (PostgreSQL 14+): the server's walsender skips the text conversion and pgcdc does it; the same JSON "
                + "either way. Default: binary when pgcdc can convert every published column's type, else text.")
    )
    var binary: Bool?

    @Flag(help: "Also write begin and commit events.")
    var transactions = false

    @Flag(inversion: .prefixedNo, help: "Include logical decoding messages (pg_logical_emit_message).")
    var messages = true

    @Option(
        help: ArgumentHelp(
            "Where to write: stdout, file:PATH (appends, fsyncs, exactly-once across restarts), or nats://HOST:PORT[,HOST:PORT...] "
                + "(JetStream, effectively once).",
            valueName: "sink"))
    var sink: SinkOption = .stdout

    @OptionGroup(title: "NATS JetStream sink (--sink nats://...)")
    var nats: NATSOptions

    @Option(help: ArgumentHelp("Record the last durably written transaction in FILE (atomically) and resume from it.", valueName: "file"))
    var checkpoint: String?

    @Option(
        help: ArgumentHelp(
            "Mode of the files pgcdc creates (output file and rotations, origin record, checkpoint), in octal; 0600 (default) to "
                + "0664: the owner reads and writes, others never write, nothing executes. Directories it creates are 0700.",
            valueName: "mode"),
        transform: FileMode.parseOption)
    var fileMode: FileMode = .ownerReadWrite

    @Option(
        help: ArgumentHelp(
            "Minimum seconds between fsyncs of the output file and of the checkpoint while data keeps coming (0: every batch).",
            valueName: "seconds"))
    var fsyncInterval: Double = 0

    @Option(
        help: ArgumentHelp(
            "With --sink file:PATH: rotate the file to PATH.000001, ... once it reaches this size (K, M, G suffixes).", valueName: "size"))
    var rotateSize: ByteSize?

    @Option(help: ArgumentHelp("Seconds between status updates to the server.", valueName: "seconds"))
    var statusInterval: Double = 10

    @Option(
        help: ArgumentHelp(
            "Emit a heartbeat message (pg_logical_emit_message) every so many seconds, so the slot advances even when nothing it "
                + "publishes changes.",
            valueName: "seconds"))
    var heartbeatInterval: Double?

    @Option(
        help: ArgumentHelp(
            "Warn (and say so in the metrics) when the WAL the slot retains passes this percentage of max_slot_wal_keep_size, or "
                + "of the WAL disk where that is unlimited; checked every minute.",
            valueName: "percent"))
    var walRetentionWarning: Double = 50

    @Option(help: ArgumentHelp("Seconds between checks of the WAL the slot retains; 0: no checks.", valueName: "seconds"))
    var slotCheckInterval: Double = 60

    @Option(
        help: ArgumentHelp(
            "When the connection is lost after streaming started: the longest wait between attempts to reconnect, in seconds "
                + "(exponential from 0.5 s, with jitter).",
            valueName: "seconds"))
    var reconnectMaxDelay: Double = 30

    @Option(
        help: ArgumentHelp(
            "When the slot cannot continue what a checkpoint or the output file holds (missing, invalidated, or confirmed past the "
                + "checkpoint): refuse (default) or resnapshot (re-create it and copy the tables again).",
            valueName: "policy"))
    var onGap: GapPolicy = .refuse

    @Option(
        help: ArgumentHelp(
            "Published tables whose updates and deletes carry no key (replica identity NOTHING, or DEFAULT without a primary "
                + "key): warn (default, logged once per table), allow, or refuse (exit 1 naming the table).",
            valueName: "policy"))
    var keylessTables: KeylessTablePolicy = .warn

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "On PostgreSQL 17+, create the slot with FAILOVER, so that standbys with sync_replication_slots keep a copy a promoted "
                + "standby can continue from (default on).")
    )
    var failoverSlot = true

    @Option(
        help: ArgumentHelp(
            "Treat the connection as dead after this many seconds without a message from the server (half-way, pgcdc asks for one); 0: "
                + "never.",
            valueName: "seconds"))
    var serverTimeout: Double = 30

    @Option(
        help: ArgumentHelp(
            "Attempts to reconnect after a lost connection before giving up (default: forever; 0: exit at once).", valueName: "n"))
    var reconnectAttempts: Int?

    @Option(
        help: ArgumentHelp(
            "Backfill these tables (schema.table, comma-separated) while streaming: their rows arrive as read events with a backfill id, "
                + "interleaved with the changes. Each is run once; kept with --checkpoint or the file sink across restarts.",
            valueName: "tables"))
    var backfill: String?

    @Flag(help: "Backfill every table that joins the publication while pgcdc streams (checked every 10 s).")
    var backfillNewTables = false

    @Option(help: ArgumentHelp("Rows per second that backfills read at most (default: no limit).", valueName: "rows"))
    var backfillRate: Double?

    @Option(help: ArgumentHelp("Rows per backfill chunk (one query and two watermark messages each).", valueName: "n"))
    var backfillChunkSize: Int = BackfillRequest.defaultChunkSize

    @Flag(help: "At the end, write a statistics line 'BENCHSTATS {json}' on stderr.")
    var stats = false

    func validate() throws {
        if connection.dsn.isEmpty { throw ValidationError("--dsn is required (a libpq connection string or URI), or --dsn-file FILE") }
        if slot.isEmpty { throw ValidationError("--slot must not be empty") }
        if publication.isEmpty { throw ValidationError("--publication must not be empty") }
        if tables != nil && !createPublication { throw ValidationError("--tables only applies with --create-publication") }
        if let tables, tables.split(separator: ",").contains(where: { $0.trimmingWhitespace().isEmpty }) {
            throw ValidationError("--tables has an empty name: \"\(tables)\"")
        }
        if statusInterval <= 0 || !statusInterval.isFinite {
            throw ValidationError("--status-interval must be a positive number of seconds")
        }
        if fsyncInterval < 0 || !fsyncInterval.isFinite {
            throw ValidationError("--fsync-interval must be 0 or a positive number of seconds")
        }
        if let heartbeatInterval, heartbeatInterval <= 0 || !heartbeatInterval.isFinite {
            throw ValidationError("--heartbeat-interval must be a positive number of seconds")
        }
        if slotCheckInterval < 0 || !slotCheckInterval.isFinite {
            throw ValidationError("--slot-check-interval must be 0 or a positive number of seconds")
        }
        if !(walRetentionWarning > 0 && walRetentionWarning <= 100) {
            throw ValidationError("--wal-retention-warning must be a percentage above 0 and at most 100")
        }
        if rotateSize != nil, !sink.isFile { throw ValidationError("--rotate-size only applies with --sink file:PATH") }
        try nats.validate(for: sink)
        if let checkpoint, checkpoint.isEmpty || checkpoint.hasSuffix("/") { throw ValidationError("--checkpoint needs a file path") }
        if temporarySlot && (checkpoint != nil || sink.isFile) {
            throw ValidationError("--temporary-slot cannot resume: it disappears with the connection; drop --checkpoint and --sink file:")
        }
        _ = try eventFilter()
        if let protoVersion, !(1...4).contains(protoVersion) { throw ValidationError("--proto-version must be 1, 2, 3 or 4") }
        if twoPhase && preparedTransactionsDirectory == nil {
            throw ValidationError(
                "--two-phase needs --checkpoint FILE or --sink file:PATH: prepared transactions are kept beside it until COMMIT or "
                    + "ROLLBACK PREPARED"
            )
        }
        if twoPhase, let protoVersion, protoVersion < 3 { throw ValidationError("--two-phase needs --proto-version 3 or later") }
        if reconnectMaxDelay <= 0 || !reconnectMaxDelay.isFinite {
            throw ValidationError("--reconnect-max-delay must be a positive number of seconds")
        }
        if serverTimeout < 0 || !serverTimeout.isFinite {
            throw ValidationError("--server-timeout must be 0 (never) or a number of seconds")
        }
        if let reconnectAttempts, reconnectAttempts < 0 { throw ValidationError("--reconnect-attempts must be 0 or more") }
        if maxMemory.bytes < 1 << 16 { throw ValidationError("--max-memory must be at least 64K") }
        if streaming == .off && (spillDir != nil) { throw ValidationError("--spill-dir only applies with --streaming on or parallel") }
        if streaming == .parallel, let protoVersion, protoVersion < 4 {
            throw ValidationError("--streaming parallel needs --proto-version 4")
        }
        if streaming == .on, let protoVersion, protoVersion < 2 { throw ValidationError("--streaming needs --proto-version 2 or later") }
        if snapshotJobs < 1 || snapshotJobs > 64 { throw ValidationError("--snapshot-jobs must be between 1 and 64") }
        if let startLSN, let endLSN, endLSN < startLSN { throw ValidationError("--end-lsn \(endLSN) is before --start-lsn \(startLSN)") }
        if let backfill, backfill.split(separator: ",").contains(where: { $0.trimmingWhitespace().isEmpty }) {
            throw ValidationError("--backfill has an empty table name: \"\(backfill)\"")
        }
        if let backfillRate, backfillRate <= 0 || !backfillRate.isFinite {
            throw ValidationError("--backfill-rate must be a positive number of rows per second")
        }
        if !(1...1_000_000).contains(backfillChunkSize) { throw ValidationError("--backfill-chunk-size must be between 1 and 1000000") }
    }

    /// Where backfill progress is kept: beside the checkpoint, else beside the output file; `nil` (in memory) else.
    var backfillStatePath: String? {
        BackfillLedger.defaultPath(checkpoint: checkpoint, outputFile: sink.filePath)
    }

    /// Where prepared transactions wait (--two-phase): beside the checkpoint, else beside the output file.
    var preparedTransactionsDirectory: String? {
        if let checkpoint { return checkpoint + ".prepared" }
        if case let .file(path) = sink { return path + ".prepared" }
        return nil
    }

    var streamConfiguration: StreamConfiguration {
        var configuration = StreamConfiguration(dsn: connection.dsn, slot: slot, publication: publication)
        configuration.createSlot = createSlot || temporarySlot
        configuration.temporarySlot = temporarySlot
        configuration.createPublication = createPublication
        configuration.tables = tables.map { $0.split(separator: ",").map { String($0.trimmingWhitespace()) } } ?? []
        configuration.startLSN = startLSN
        configuration.endLSN = endLSN
        configuration.includeTransactionEvents = transactions
        configuration.includeMessages = messages
        configuration.statusInterval = statusInterval
        configuration.heartbeatInterval = heartbeatInterval
        configuration.retainedWALWarning = walRetentionWarning / 100
        configuration.slotCheckInterval = slotCheckInterval > 0 ? slotCheckInterval : nil
        configuration.snapshot = snapshot
        configuration.protocolVersion = protoVersion
        configuration.localChangesOnly = origin == .none
        configuration.serverTimeout = serverTimeout > 0 ? serverTimeout : nil
        configuration.onGap = onGap
        configuration.keylessTables = keylessTables
        configuration.failoverSlot = failoverSlot
        configuration.streaming = streaming
        configuration.twoPhase = twoPhase
        configuration.binaryValues = binary
        configuration.preparedTransactionsDirectory = preparedTransactionsDirectory
        configuration.maxMemory = maxMemory.bytes
        configuration.spillDirectory = spillDir ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        configuration.filter = (try? eventFilter()) ?? EventFilter()
        configuration.snapshotJobs = snapshotJobs
        configuration.backfills = (backfill ?? "").split(separator: ",").map {
            let table = String($0.trimmingWhitespace())
            let request = BackfillRequest(table: table, chunkSize: backfillChunkSize)
            // A fixed id: the same --backfill at every restart runs once.
            return BackfillRequest(table: table, chunkSize: backfillChunkSize, id: "start-" + request.table)
        }
        configuration.backfillNewTables = backfillNewTables
        configuration.backfillRowsPerSecond = backfillRate
        configuration.backfillStatePath = backfillStatePath
        return configuration
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // Past a file size limit, write(2) should fail with EFBIG (reported), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        let wake = ShutdownSignal.install()
        let logger = connection.logger
        do {
            let metricsServer = try metricsAddr.map { address in
                let server = try MetricsServer.start(address: address)
                logger.info("serving metrics", metadata: ["address": "\(address)"])
                return server
            }
            defer { metricsServer?.stop() }
            var stream = SinkStream(configuration: streamConfiguration, logger: logger)
            stream.recordsMetrics = metricsAddr != nil
            stream.includeTransactionLines = transactions
            stream.format = format
            stream.checkpoint = checkpoint.map {
                CheckpointRecorder(store: FileCheckpointStore(path: $0, fileMode: fileMode), syncInterval: fsyncInterval)
            }
            stream.wakeDescriptor = wake
            stream.reconnect = reconnectAttempts == 0 ? nil : ReconnectPolicy(maxDelay: reconnectMaxDelay, attempts: reconnectAttempts)
            if progress || isatty(2) != 0 {
                let total = SnapshotTotals()
                stream.onSnapshotProgress = { step in
                    let rate = step.seconds > 0 ? Int(Double(step.rows) / step.seconds) : step.rows
                    let share = step.estimatedRows > 0 ? " (\(min(999, step.rows * 100 / step.estimatedRows))% of the estimate)" : ""
                    FileHandleOutput.standardError(
                        "snapshot \(step.tablesDone)/\(step.tablesTotal) \(step.table): \(step.rows) rows in "
                            + "\(String(format: "%.2f", step.seconds)) s, \(rate) rows/s\(share)\n"
                    )
                    total.rows += step.rows
                    if step.tablesDone == step.tablesTotal {
                        let seconds = (ContinuousClock.now - total.started).seconds
                        FileHandleOutput.standardError(
                            "snapshot done: \(total.rows) rows of \(step.tablesTotal) tables in \(String(format: "%.2f", seconds)) s, "
                                + "\(seconds > 0 ? Int(Double(total.rows) / seconds) : total.rows) rows/s\n"
                        )
                    }
                }
            }
            let clock = ContinuousClock()
            let started = clock.now
            let summary = try stream.runWithSummary(into: makeSink(logger: logger), stopRequested: { ShutdownSignal.isRequested })
            let seconds = (clock.now - started).seconds
            logger.info(
                summary.stopped ? "stopped on request" : "end LSN reached",
                metadata: [
                    "events": "\(summary.events)", "lsn": "\(summary.durableThrough)",
                ])
            if stats {
                FileHandleOutput.standardError(
                    "BENCHSTATS {\"rows\":\(summary.rows),\"events\":\(summary.events),\"seconds\":\(seconds)}\n")
            }
        } catch {
            throw CLIFailure.report(error, options: connection)
        }
    }

    /// The filter the table, column and operation options describe; throws on a malformed one.
    func eventFilter() throws -> EventFilter {
        func list(_ text: String?) -> [String] {
            (text ?? "").split(separator: ",").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        }
        var filter = EventFilter()
        filter.includeTables = list(includeTables)
        filter.excludeTables = list(excludeTables)
        filter.excludeColumns = list(excludeColumns)
        for column in filter.excludeColumns where column.split(separator: ".", omittingEmptySubsequences: false).count != 3 {
            throw ValidationError("--exclude-columns takes schema.table.column names: \"\(column)\"")
        }
        if ops != nil {
            var operations = Set<EventFilter.Operation>()
            for name in list(ops) {
                guard let operation = EventFilter.Operation(rawValue: name) else {
                    throw ValidationError(
                        "--ops: unknown operation \"\(name)\" (\(EventFilter.Operation.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                operations.insert(operation)
            }
            if operations.isEmpty { throw ValidationError("--ops needs at least one operation") }
            filter.operations = operations
        }
        return filter
    }

    func makeSink(logger: Logger) -> any ChangeSink {
        switch sink {
        case .stdout:
            return FileDescriptorSink(descriptor: 1, name: "stdout", fsyncInterval: fsyncInterval)
        case let .file(path):
            var configuration = FileSink.Configuration(path: path)
            configuration.fsyncInterval = fsyncInterval
            configuration.rotateSize = rotateSize?.bytes
            configuration.fileMode = fileMode
            return FileSink(configuration: configuration)
        case let .nats(servers):
            return NATSSink(configuration: nats.configuration(servers: servers), logger: logger)
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

extension SnapshotMode: ExpressibleByArgument {}

/// Running totals for the snapshot summary line (touched by the streaming thread only).
final class SnapshotTotals {
    var rows = 0
    let started = ContinuousClock.now
}

extension OutputFormat: ExpressibleByArgument {}
extension StreamingMode: ExpressibleByArgument {}
extension GapPolicy: ExpressibleByArgument {}
extension KeylessTablePolicy: ExpressibleByArgument {}

/// `--origin any|none`.
enum OriginOption: String, ExpressibleByArgument, CaseIterable {
    case any, none
}
