import Logging

/// A log line the ``BackfillMachine`` decided on, as data: the runner writes it to the session's
/// logger, tests read it.
struct BackfillLog: Sendable, Equatable {
    /// The level.
    var level: Logger.Level
    /// The message.
    var message: String
    /// The context (backfill id, table, rows, …).
    var metadata: Logger.Metadata

    /// A line at info level.
    static func info(_ message: String, _ metadata: Logger.Metadata) -> BackfillLog {
        BackfillLog(level: .info, message: message, metadata: metadata)
    }

    /// A line at warning level.
    static func warning(_ message: String, _ metadata: Logger.Metadata) -> BackfillLog {
        BackfillLog(level: .warning, message: message, metadata: metadata)
    }

    /// Writes the line to `logger`.
    func write(to logger: Logger) {
        logger.log(level: level, "\(message)", metadata: metadata)
    }
}
