import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import PostgresCDC

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

    @Option(help: ArgumentHelp("With --create-publication: the tables to publish, comma-separated (schema.table or table).", valueName: "s.t,..."))
    var tables: String?

    @Option(help: ArgumentHelp("Start at this LSN instead of the slot's confirmed position (X/Y).", valueName: "lsn"))
    var startLSN: LSN?

    @Option(help: ArgumentHelp("Stop (exit 0) once every transaction committed at or before this LSN is written, like pg_recvlogical --endpos.", valueName: "lsn"))
    var endLSN: LSN?

    @Flag(help: "Also write begin and commit events.")
    var transactions = false

    @Flag(inversion: .prefixedNo, help: "Include logical decoding messages (pg_logical_emit_message).")
    var messages = true

    @Option(help: ArgumentHelp("Seconds between status updates to the server.", valueName: "seconds"))
    var statusInterval: Double = 10

    @Flag(help: "At the end, write a statistics line 'BENCHSTATS {json}' on stderr.")
    var stats = false

    func validate() throws {
        if connection.dsn.isEmpty { throw ValidationError("--dsn is required (a libpq connection string or URI)") }
        if slot.isEmpty { throw ValidationError("--slot must not be empty") }
        if publication.isEmpty { throw ValidationError("--publication must not be empty") }
        if tables != nil && !createPublication { throw ValidationError("--tables only applies with --create-publication") }
        if let tables, tables.split(separator: ",").contains(where: { $0.trimmingWhitespace().isEmpty }) {
            throw ValidationError("--tables has an empty name: \"\(tables)\"")
        }
        if statusInterval <= 0 || !statusInterval.isFinite { throw ValidationError("--status-interval must be a positive number of seconds") }
        if let startLSN, let endLSN, endLSN < startLSN { throw ValidationError("--end-lsn \(endLSN) is before --start-lsn \(startLSN)") }
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
        return configuration
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let logger = CLILogging.logger(level: connection.logLevel)
        do {
            let session = try ReplicationSession(configuration: streamConfiguration, logger: logger)
            defer { session.close() }
            let clock = ContinuousClock()
            let started = clock.now
            let summary = try JSONLinesStreamer().run(session, to: FileDescriptorOutput(descriptor: 1, name: "stdout"))
            let seconds = (clock.now - started).seconds
            logger.info("end LSN reached", metadata: ["events": "\(summary.events)", "lsn": "\(summary.confirmedThrough)"])
            if stats {
                FileHandleOutput.standardError("BENCHSTATS {\"rows\":\(summary.rows),\"events\":\(summary.events),\"seconds\":\(seconds)}\n")
            }
        } catch {
            throw CLIFailure.report(error)
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
