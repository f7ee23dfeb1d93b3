/// When the connection to the server is lost after streaming started: how long to wait before each
/// new attempt (exponential from 0.5 s, capped, with jitter so that many consumers do not
/// reconnect in step) and how many attempts to make.
public struct ReconnectPolicy: Sendable {
    /// The longest wait between two attempts, in seconds.
    public var maxDelay: Double
    /// Attempts after a loss before giving up; `nil` tries forever.
    public var attempts: Int?

    /// A policy; the defaults wait up to 30 s between attempts, forever.
    public init(maxDelay: Double = 30, attempts: Int? = nil) {
        self.maxDelay = maxDelay
        self.attempts = attempts
    }

    /// The waits between attempts: 0.5 s doubled each time, at most ``maxDelay``, then between
    /// half of that and all of it.
    public var backoff: Backoff { Backoff(base: 0.5, factor: 2, cap: maxDelay, jitter: 0.5) }

    /// The wait before attempt `failures` (1 for the first), as ``backoff`` says.
    public func delay(afterFailures failures: Int) -> Double {
        backoff.delay(afterFailures: failures)
    }
}

extension ReplicationError {
    /// Whether connecting again may get past the error once streaming had started: a lost
    /// connection, or the slot still held by the server's process of the lost connection (the
    /// server notices it is gone only after its `wal_sender_timeout`).
    var mayPassByReconnecting: Bool {
        switch self {
        case .slotActive, .oldPrimary:
            // Another walsender still holds the slot; or only an old primary answers while the
            // new one is away: both pass with time.
            return true
        default:
            break
        }
        return isTransient
    }

    /// Whether the error means the connection is gone (or the server is not accepting connections
    /// yet), or the server answered with an error that passes with time (``ServerErrorClass``: a
    /// cancelled query, too many connections, a serialization failure), so that connecting again
    /// may succeed.
    var isTransient: Bool {
        switch self {
        case .connectionLost, .connectionFailed:
            return true
        case let .serverError(_, sqlState, _, _):
            return ServerErrorClass(sqlState: sqlState).isTransient
        default:
            return false
        }
    }
}
