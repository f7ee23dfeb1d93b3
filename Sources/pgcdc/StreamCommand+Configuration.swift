#if canImport(Glibc)
import Glibc
#endif
import Logging
import PostgresCDC
import PostgresCDCNATS

/// The one place where `pgcdc stream`'s option groups become the library's values: the stream's
/// configuration, the sink stream around it, and the sink.
extension StreamCommand {
    /// What the options ask of the stream.
    var streamConfiguration: StreamConfiguration {
        var configuration = StreamConfiguration(dsn: connection.dsn, slot: source.slot, publication: source.publication)
        configuration.createSlot = source.createSlot || source.temporarySlot
        configuration.temporarySlot = source.temporarySlot
        configuration.createPublication = source.createPublication
        configuration.tables = source.tables.map { $0.split(separator: ",").map { String($0.trimmingWhitespace()) } } ?? []
        configuration.startLSN = source.startLSN
        configuration.endLSN = source.endLSN
        configuration.failoverSlot = source.failoverSlot
        configuration.onGap = source.onGap
        configuration.onEmptyStore = source.onEmptyStore
        configuration.snapshot = snapshot.snapshot
        configuration.snapshotJobs = snapshot.snapshotJobs
        configuration.filter = (try? filter.eventFilter()) ?? EventFilter()
        configuration.keylessTables = filter.keylessTables
        configuration.protocolVersion = decoding.protoVersion
        configuration.localChangesOnly = decoding.origin == .none
        configuration.streaming = decoding.streaming
        configuration.maxMemory = decoding.maxMemory.bytes
        configuration.spillDirectory =
            decoding.spillDir ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        configuration.twoPhase = decoding.twoPhase
        configuration.binaryValues = decoding.binary
        configuration.includeTransactionEvents = lines.transactions
        configuration.includeMessages = lines.messages
        configuration.preparedTransactionsDirectory = destination.preparedTransactionsDirectory
        configuration.statusInterval = operations.statusInterval
        configuration.heartbeatInterval = operations.heartbeatInterval
        configuration.retainedWALWarning = operations.walRetentionWarning / 100
        configuration.slotCheckInterval = operations.slotCheckInterval > 0 ? operations.slotCheckInterval : nil
        configuration.serverTimeout = operations.serverTimeout > 0 ? operations.serverTimeout : nil
        configuration.backfills = (backfill.backfill ?? "").split(separator: ",").map {
            let table = String($0.trimmingWhitespace())
            let request = BackfillRequest(table: table, chunkSize: backfill.backfillChunkSize)
            // A fixed id: the same --backfill at every restart runs once.
            return BackfillRequest(table: table, chunkSize: backfill.backfillChunkSize, id: "start-" + request.table)
        }
        configuration.backfillNewTables = backfill.backfillNewTables
        configuration.backfillRowsPerSecond = backfill.backfillRate
        configuration.backfillStatePath = destination.backfillStatePath
        return configuration
    }

    /// The stream of `configuration` as the options want it written: format, transaction lines,
    /// checkpoint, metrics and reconnection.
    func sinkStream(configuration: StreamConfiguration, logger: Logger) -> SinkStream {
        var stream = SinkStream(configuration: configuration, logger: logger)
        stream.recordsMetrics = operations.metricsAddr != nil
        stream.includeTransactionLines = lines.transactions
        stream.format = lines.format
        stream.checkpoint = destination.checkpoint.map {
            CheckpointRecorder(
                store: FileCheckpointStore(path: $0, fileMode: destination.fileMode), syncInterval: destination.fsyncInterval)
        }
        stream.reconnect =
            operations.reconnectAttempts == 0
            ? nil : ReconnectPolicy(maxDelay: operations.reconnectMaxDelay, attempts: operations.reconnectAttempts)
        return stream
    }

    /// The sink `--sink` names.
    func makeSink(logger: Logger) -> any ChangeSink {
        switch destination.sink {
        case .stdout:
            return FileDescriptorSink(descriptor: 1, name: "stdout", fsyncInterval: destination.fsyncInterval)
        case let .file(path):
            var configuration = FileSink.Configuration(path: path)
            configuration.fsyncInterval = destination.fsyncInterval
            configuration.rotateSize = destination.rotateSize?.bytes
            configuration.fileMode = destination.fileMode
            return FileSink(configuration: configuration)
        case let .nats(servers):
            return NATSSink(configuration: nats.configuration(servers: servers), logger: logger)
        }
    }
}
