import Foundation

/// Physical standbys and failovers, for the failover tests: a standby made with `pg_basebackup`,
/// a crash of the primary, a promotion.
extension LocalPostgresServer {
    /// Starts a physical standby of this server on a free port: `pg_basebackup -R` with a physical
    /// slot `slot` created on this server, `dbname` in `primary_conninfo` (the slot sync worker
    /// needs it), and `extraSettings` (for example `sync_replication_slots`).
    package func startStandby(slot: String, extraSettings: [String: String] = [:]) throws -> LocalPostgresServer {
        try Self.inNewDirectory(NSTemporaryDirectory() + "pgcdc-pg-standby", asPostgres: runAsPostgres) { root in
            let data = root + "/data"
            let arguments = [
                "-d", dsn(), "-D", data, "-R", "-C", "-S", slot, "-X", "stream", "-c", "fast", "--no-sync",
            ]
            try ProcessRunner.check(
                "pg_basebackup", try ProcessRunner.run(binDirectory + "/pg_basebackup", arguments, asPostgres: runAsPostgres)
            )
            // The copied configuration names the primary's socket directory; later lines win.
            var settings = extraSettings
            settings["unix_socket_directories"] = "'\(root)'"
            let conf = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
            try Self.append(conf, to: data + "/postgresql.conf")
            return try Self.startOnFreePort(data: data, binDirectory: binDirectory, rootDirectory: root, asPostgres: runAsPostgres)
        }
    }

    /// Stops the server at once (`pg_ctl -m immediate`), as a crash would; ``start()`` starts it again.
    package func crash() throws {
        try pgCtl("pg_ctl stop -m immediate", ["-m", "immediate", "-w", "stop"])
    }

    /// Stops the server cleanly (`pg_ctl -m fast`); ``start()`` starts it again.
    package func stopKeepingData() throws {
        try pgCtl("pg_ctl stop -m fast", ["-m", "fast", "-w", "-t", "30", "stop"])
    }

    /// Starts the server again on its port and data directory (after ``crash()`` or ``stopKeepingData()``).
    package func start() throws {
        try startServer()
    }

    /// Promotes a standby to primary (`pg_ctl promote -w`): it switches to a new timeline.
    package func promote() throws {
        try pgCtl("pg_ctl promote", ["-w", "-t", "60", "promote"])
    }

    /// Runs `pg_ctl -D <data directory> arguments`; throws naming `step` when it fails.
    private func pgCtl(_ step: String, _ arguments: [String]) throws {
        let output = try ProcessRunner.run(binDirectory + "/pg_ctl", ["-D", dataDirectory] + arguments, asPostgres: runAsPostgres)
        try ProcessRunner.check(step, output)
    }
}
