import ArgumentParser
import Logging
import PostgresCDC

/// Options every subcommand shares: where to connect, how much to log.
struct ConnectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "libpq connection string or URI, e.g. 'host=db port=5432 dbname=app user=cdc' or postgresql://cdc@db/app.",
            discussion: "libpq's environment variables (PGHOST, PGPASSWORD, ...) and ~/.pgpass apply as usual.",
            valueName: "dsn"
        ))
    var dsn: String = ""

    @Option(
        help: ArgumentHelp(
            "A file holding the connection string (instead of --dsn, which every user of the host can read with ps).",
            valueName: "file"))
    var dsnFile: String?

    @Option(help: ArgumentHelp("Log level on stderr: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    @Option(
        help: ArgumentHelp(
            "A TOML file of options (long names as keys; [nats] keys become nats-…); "
                + "options on the command line win.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Log format on stderr: text (for people) or json (one object per line).", valueName: "format"))
    var logFormat: LogFormat = .text

    var logger: Logger { CLILogging.logger(level: logLevel, format: logFormat) }

    /// Reads `--dsn-file` into `dsn`.
    mutating func validate() throws {
        guard let dsnFile else { return }
        guard dsn.isEmpty else {
            throw ValidationError("--dsn and --dsn-file both give the connection string (here or in --config); keep one")
        }
        dsn = try SecretFile.read(dsnFile, option: "--dsn-file")
        if DSNSecrets.containsPassword(dsn) { SecretWarnings.emit(SecretWarnings.file(dsnFile, holding: "a password").map { [$0] } ?? []) }
    }
}

/// How logs are written on stderr.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum CLILogging {
    /// A logger writing to stderr; stdout carries events only.
    static func logger(level: Logger.Level, format: LogFormat = .text) -> Logger {
        var logger = Logger(label: "pgcdc") { label in
            switch format {
            case .text: return StreamLogHandler.standardError(label: label)
            case .json: return JSONLogHandler(label: label)
            }
        }
        logger.logLevel = level
        return logger
    }
}

enum CLIFailure {
    /// Prints `pgcdc: <error>` on stderr and returns the exit code to use.
    static func report(_ error: any Error) -> ExitCode {
        FileHandleOutput.standardError("pgcdc: error: \(CLIErrorMessage.text(for: error))\n")
        return ExitCode(1)
    }

    /// Reports `error` as a log line when logs are JSON (so stderr stays one object per line),
    /// as the plain `pgcdc: error:` line otherwise.
    static func report(_ error: any Error, options: ConnectionOptions) -> ExitCode {
        guard options.logFormat == .json else { return report(error) }
        options.logger.error("pgcdc failed", metadata: ["error": "\(CLIErrorMessage.text(for: error))"])
        return ExitCode(1)
    }
}
