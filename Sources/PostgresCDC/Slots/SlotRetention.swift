#if canImport(Glibc)
import Glibc
#endif
import PGOutput

/// How much WAL a replication slot holds back on the server, and how close that is to the point
/// where the server gives up on the slot: `max_slot_wal_keep_size`, or — where that is unlimited
/// (-1) — the free space of the disk the WAL is on (measurable when the server is on this machine).
///
/// The stream checks it every ``StreamConfiguration/slotCheckInterval`` and warns past
/// ``StreamConfiguration/retainedWALWarning``; `pgcdc status` shows it.
public struct SlotRetention: Sendable, Hashable {
    /// Bytes of WAL between the server's position and the slot's `restart_lsn`.
    public var retainedBytes: Int64
    /// `pg_replication_slots.wal_status` (PostgreSQL 13+): `reserved`, `extended`, `unreserved`
    /// (the WAL it needs goes at the next checkpoint) or `lost`.
    public var walStatus: String?
    /// `max_slot_wal_keep_size` in bytes; `nil` when unlimited.
    public var limitBytes: Int64?
    /// Free bytes on the disk of the server's WAL, when the limit is unlimited and the server's
    /// data directory is on this machine and visible; `nil` otherwise.
    public var freeDiskBytes: Int64?
    /// `idle_replication_slot_timeout` in seconds (PostgreSQL 18), when set: an inactive slot is
    /// invalidated (``SlotInvalidation/idleTimeout``) at the first checkpoint after that long.
    public var idleTimeoutSeconds: Int?

    public init(
        retainedBytes: Int64, walStatus: String? = nil, limitBytes: Int64? = nil, freeDiskBytes: Int64? = nil,
        idleTimeoutSeconds: Int? = nil
    ) {
        self.retainedBytes = retainedBytes
        self.walStatus = walStatus
        self.limitBytes = limitBytes
        self.freeDiskBytes = freeDiskBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    /// The retained WAL as a share (0…1, more once past the limit) of what the slot may retain:
    /// of `max_slot_wal_keep_size`, or of the WAL disk's retained plus free bytes; `nil` when neither is known.
    public var share: Double? {
        if let limitBytes, limitBytes > 0 { return Double(max(retainedBytes, 0)) / Double(limitBytes) }
        if let freeDiskBytes, retainedBytes + freeDiskBytes > 0 {
            return Double(max(retainedBytes, 0)) / Double(retainedBytes + freeDiskBytes)
        }
        return nil
    }

    /// What ``share`` is a share of, in words.
    public var shareBasis: String {
        if let limitBytes, limitBytes > 0 { return "max_slot_wal_keep_size (\(ByteCount.text(limitBytes)))" }
        if let freeDiskBytes { return "the WAL disk's free space plus the retained WAL (\(ByteCount.text(freeDiskBytes)) free)" }
        return "nothing: max_slot_wal_keep_size is unlimited and the server's disk is not visible from here"
    }

    /// One line for people: `1.2 GiB retained, 61% of max_slot_wal_keep_size (2.0 GiB), wal_status extended`.
    public var summary: String {
        var text = "\(ByteCount.text(retainedBytes)) retained"
        if let share { text += ", \(Int((share * 100).rounded()))% of \(shareBasis)" }
        if let walStatus { text += ", wal_status \(walStatus)" }
        if let idleTimeoutSeconds { text += ", invalidated after \(idleTimeoutSeconds) s inactive (idle_replication_slot_timeout)" }
        return text
    }
}

extension SlotRetention {
    /// The retention of slot `name` as the server of `connection` (a normal connection) sees it;
    /// `nil` when the slot does not exist.
    static func gather(slot name: String, on connection: PostgresConnection) throws(ReplicationError) -> SlotRetention? {
        let version = connection.serverVersion
        let result = try connection.execute(
            """
            SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,
                                   s.restart_lsn)::bigint AS retained,
                   \(version >= 130000 ? "s.wal_status" : "NULL AS wal_status"),
                   (SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size') AS limit_mb,
                   (SELECT setting FROM pg_settings WHERE name = 'idle_replication_slot_timeout') AS idle_timeout,
                   (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data_directory
            FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = $1
            """, parameters: [name])
        guard !result.rows.isEmpty else { return nil }
        let limit = result.value(0, "limit_mb").flatMap { Int64($0) }.flatMap { $0 < 0 ? nil : $0 * 1024 * 1024 }
        var retention = SlotRetention(
            retainedBytes: result.value(0, "retained").flatMap { Int64($0) } ?? 0, walStatus: result.value(0, "wal_status"),
            limitBytes: limit, idleTimeoutSeconds: result.value(0, "idle_timeout").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil })
        if limit == nil, connection.isOnThisMachine, let directory = result.value(0, "data_directory") {
            retention.freeDiskBytes = freeBytes(on: directory + "/pg_wal") ?? freeBytes(on: directory)
        }
        return retention
    }

    /// Free bytes for unprivileged users on the file system of `path` (`statvfs`).
    private static func freeBytes(on path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}

/// Byte counts for people: `512 B`, `3.4 MiB`, `1.2 GiB`.
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
