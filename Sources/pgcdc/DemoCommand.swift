import ArgumentParser
import Logging
#if canImport(Glibc)
import Glibc
#endif
import PostgresCDC
import PostgresCDCTesting

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a throwaway local PostgreSQL, run a small sample workload, and stream its changes to stdout.",
        discussion: "Needs the PostgreSQL server binaries (Debian: postgresql-15). Everything is removed afterwards."
    )

    @Option(help: ArgumentHelp("Directory holding initdb, pg_ctl, postgres and psql (default: found on the machine).", valueName: "dir"))
    var pgBin: String?

    @Flag(help: "Also write begin and commit events.")
    var transactions = false

    @Option(help: ArgumentHelp("Log level on stderr.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let logger = CLILogging.logger(level: logLevel)
        do {
            var options = LocalPostgresServer.Options()
            options.binDirectory = pgBin
            logger.info("starting a throwaway PostgreSQL")
            let server = try LocalPostgresServer.start(options)
            defer { server.stop() }
            logger.info("PostgreSQL is up", metadata: ["dsn": "\(server.dsn())", "data": "\(server.dataDirectory)"])
            try server.psql(DemoWorkload.setupSQL)

            var configuration = StreamConfiguration(dsn: server.dsn(), slot: "pgcdc_demo", publication: DemoWorkload.publication)
            configuration.createSlot = true
            configuration.temporarySlot = true
            configuration.includeTransactionEvents = transactions
            let session = try ReplicationSession(configuration: configuration, logger: logger)
            defer { session.close() }

            let workload = DemoWorkload.transactions()
            logger.info("running the sample workload", metadata: ["transactions": "\(workload.count)"])
            for transaction in workload {
                try server.psql(transaction)
            }
            let end = try server.psql("SELECT pg_current_wal_insert_lsn()")
            guard let endLSN = LSN(end) else {
                throw ReplicationError.unexpectedResponse(command: "pg_current_wal_insert_lsn()", detail: end)
            }
            session.stop(at: endLSN)
            var streamer = JSONLinesStreamer()
            streamer.includeTransactionLines = transactions
            let summary = try streamer.run(session, into: FileDescriptorSink(descriptor: 1, name: "stdout"))
            logger.info("demo finished", metadata: ["events": "\(summary.events)", "lsn": "\(summary.durableThrough)"])
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
