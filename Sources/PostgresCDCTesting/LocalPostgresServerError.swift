/// Why a ``LocalPostgresServer`` could not be started or used: the step that failed and the tool's own words.
public struct LocalPostgresServerError: Error, Sendable, CustomStringConvertible {
    /// What was being done (`initdb`, `pg_ctl start on port 54321`, `psql`, ...).
    public var step: String
    /// What went wrong, with the tail of the tool's output or the server log.
    public var detail: String

    /// One line for a test's failure message: `local PostgreSQL: STEP failed: DETAIL`.
    public var description: String { "local PostgreSQL: \(step) failed: \(detail)" }
}
