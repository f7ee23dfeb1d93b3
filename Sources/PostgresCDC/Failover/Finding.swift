/// One result of `pgcdc doctor`: how one check on one host came out, and what to set when it failed.
package struct Finding: Sendable, Equatable {
    /// How bad it is.
    package enum Level: String, Sendable, Comparable {
        /// The host meets this part of the contract.
        case ok
        /// Failover works, but with a caveat (no standby yet, a server too old for failover slots).
        case warn
        /// After a promotion pgcdc could not continue, or would stall before it.
        case fail

        package static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rank < rhs.rank
        }

        private var rank: Int {
            switch self {
            case .ok: return 0
            case .warn: return 1
            case .fail: return 2
            }
        }
    }

    /// `host:port` as the DSN names it.
    package var host: String
    /// The host's role, `nil` when it could not be asked (unreachable).
    package var role: HostFacts.Role?
    /// A short name of what was checked (`wal_level`, `synchronized_standby_slots`, `failover`, …).
    package var check: String
    /// The outcome.
    package var level: Level
    /// One line: what was found and, unless it is ok, what to set.
    package var detail: String

    /// A finding; line breaks in `detail` (libpq's messages have them) become single spaces.
    package init(host: String, role: HostFacts.Role?, check: String, level: Level, detail: String) {
        self.host = host
        self.role = role
        self.check = check
        self.level = level
        self.detail = detail.split(whereSeparator: \.isNewline)
            .map { $0.drop(while: \.isWhitespace) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
