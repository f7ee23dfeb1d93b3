/// Why a throwaway local PostgreSQL could not be started or used.
package struct LocalPostgresServerError: Error, Sendable, CustomStringConvertible {
    /// What was being done.
    package var step: String
    /// What went wrong, with the tail of the tool's output or the server log.
    package var detail: String

    package var description: String { "local PostgreSQL: \(step) failed: \(detail)" }
}
