/// What a server error's SQLSTATE says about trying again — the one table every path that retries
/// reads (the stream's reconnects, a backfill's chunk reads, the check of a backfill request), so that
/// one code is never retried by one of them and fatal in another.
///
/// The codes are PostgreSQL's (Appendix A, "PostgreSQL Error Codes"). Transient means the same
/// statement may succeed later without anyone changing anything; everything else is permanent: a
/// dropped table, a renamed column, bad SQL, a missing privilege, a full slot list.
package enum ServerErrorClass: Sendable, Equatable {
    /// Class 08, connection exception (08000, 08003, 08006, …), and an error without a SQLSTATE,
    /// which libpq writes itself when the connection fails under it: connect again.
    case connection
    /// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 57P05
    /// idle_session_timeout: the server is stopping, restarting or closed an idle session. Not 57P04
    /// database_dropped: that database will not come back.
    case shutdown
    /// 57014 query_canceled: `statement_timeout`, `pg_cancel_backend`, or a standby cancelling a
    /// query that conflicts with recovery; the same query usually passes on the next try.
    case canceled
    /// Class 53, insufficient resources — 53000, 53100 disk_full, 53200 out_of_memory, 53300
    /// too_many_connections — pass when others let go. Not 53400 configuration_limit_exceeded
    /// (no free replication slot, too many of a kind): that needs a changed setting.
    case resources
    /// 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available: another
    /// transaction was in the way; retrying is what PostgreSQL's documentation asks for.
    case conflict
    /// Anything else: retrying the same statement gives the same error.
    case permanent

    /// The class of `sqlState` (`nil`: the error has none — libpq's own, from a failed connection).
    package init(sqlState: String?) {
        guard let sqlState else {
            self = .connection
            return
        }
        switch sqlState {
        case "57P01", "57P02", "57P03", "57P05": self = .shutdown
        case "57014": self = .canceled
        case "53000", "53100", "53200", "53300": self = .resources
        case "40001", "40P01", "55P03": self = .conflict
        default: self = sqlState.hasPrefix("08") ? .connection : .permanent
        }
    }

    /// Whether the same statement may succeed when tried again later.
    package var isTransient: Bool { self != .permanent }
}

extension ReplicationError {
    /// The server's message when this is a server error that trying again cannot get past
    /// (``ServerErrorClass/permanent``: a dropped table, a renamed column, bad SQL); `nil` for a
    /// transient server error and for every other error. A backfill stops with this message; it
    /// retries what has none.
    package var permanentServerMessage: String? {
        guard case let .serverError(_, sqlState, message, _) = self, !ServerErrorClass(sqlState: sqlState).isTransient else {
            return nil
        }
        return message
    }
}
