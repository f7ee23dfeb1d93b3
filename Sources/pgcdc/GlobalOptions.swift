import ArgumentParser
import Logging
import PostgresCDC

/// Options every subcommand shares: where to connect, how much to log.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "libpq connection string or URI, e.g. 'host=db port=5432 dbname=app user=cdc' or postgresql://cdc@db/app.",
        discussion: "libpq's environment variables (PGHOST, PGPASSWORD, ...) and ~/.pgpass apply as usual.",
        valueName: "dsn"
    ))
    var dsn: String = ""

    @Option(help: ArgumentHelp("Log level on stderr: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum CLILogging {
    /// A logger writing to stderr; stdout carries events only.
    static func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "pgcdc") { label in
            StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = level
        return logger
    }
}

enum CLIFailure {
    /// Prints `pgcdc: <error>` on stderr and returns the exit code to use.
    static func report(_ error: any Error) -> ExitCode {
        FileHandleOutput.standardError("pgcdc: error: \(error)\n")
        return ExitCode(1)
    }
}
