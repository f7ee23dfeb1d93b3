/// A point in time as PostgreSQL sends it on the replication protocol:
/// microseconds since 2000-01-01 00:00:00 UTC.
public struct PostgresTimestamp: Sendable, Hashable, Comparable {
    /// Microseconds since the PostgreSQL epoch, 2000-01-01 00:00:00 UTC.
    public var microsecondsSince2000: Int64

    /// Seconds between the Unix epoch (1970) and the PostgreSQL epoch (2000).
    public static let unixEpochOffsetSeconds: Int64 = 946_684_800

    /// A timestamp from the wire value.
    @inlinable
    public init(microsecondsSince2000: Int64) {
        self.microsecondsSince2000 = microsecondsSince2000
    }

    /// A timestamp from microseconds since 1970-01-01 00:00:00 UTC.
    @inlinable
    public init(unixMicroseconds: Int64) {
        self.microsecondsSince2000 = unixMicroseconds &- Self.unixEpochOffsetSeconds &* 1_000_000
    }

    /// Microseconds since 1970-01-01 00:00:00 UTC.
    @inlinable
    public var unixMicroseconds: Int64 {
        microsecondsSince2000 &+ Self.unixEpochOffsetSeconds &* 1_000_000
    }

    @inlinable
    /// Chronological order.
    public static func < (lhs: PostgresTimestamp, rhs: PostgresTimestamp) -> Bool {
        lhs.microsecondsSince2000 < rhs.microsecondsSince2000
    }
}
