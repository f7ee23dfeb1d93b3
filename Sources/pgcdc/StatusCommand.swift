import ArgumentParser
import PostgresCDC

/// `pgcdc status`: a slot's state and lag, with an exit code for health checks.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a slot's state, lag and retained WAL; exit 2 when it is inactive or lags more than allowed.",
        discussion:
            "Exit codes: 0 healthy, 1 error (no such slot, no server), 2 unhealthy (inactive, invalidated, over --max-lag / "
            + "--max-lag-seconds, or retaining more WAL than --wal-retention-warning allows)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("The slot to check.", valueName: "name"))
    var slot: String

    @Option(
        help: ArgumentHelp(
            "Unhealthy when the consumer is more than this many bytes behind the server's WAL (K, M, G suffixes).", valueName: "size"))
    var maxLag: ByteSize?

    @Option(help: ArgumentHelp("Unhealthy when the walsender's flush lag exceeds this many seconds.", valueName: "seconds"))
    var maxLagSeconds: Double?

    @Flag(help: "Healthy even when no consumer is connected (for a slot that is read now and then).")
    var allowInactive = false

    @Option(
        help: ArgumentHelp(
            "Unhealthy when the WAL the slot retains passes this percentage of max_slot_wal_keep_size, or of the WAL disk where "
                + "that is unlimited.",
            valueName: "percent"))
    var walRetentionWarning: Double = 50

    func validate() throws {
        if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
        if let maxLagSeconds, maxLagSeconds < 0 || !maxLagSeconds.isFinite { throw ValidationError("--max-lag-seconds must be 0 or more") }
        if !(walRetentionWarning > 0 && walRetentionWarning <= 100) {
            throw ValidationError("--wal-retention-warning must be a percentage above 0 and at most 100")
        }
    }

    func run() throws {
        let status: SlotStatus
        do {
            status = try ReplicationSlots.status(slot, dsn: connection.dsn)
        } catch {
            throw CLIFailure.report(error)
        }
        var problems: [String] = []
        if let invalidation = status.invalidation { problems.append("invalidated (\(invalidation)): its changes can no longer be read") }
        if status.retention?.walStatus == "unreserved" {
            problems.append("wal_status unreserved: the WAL it needs goes at the next checkpoint unless its consumer catches up")
        }
        if let share = status.retention?.share, share * 100 >= walRetentionWarning {
            problems.append("it retains \(Int((share * 100).rounded()))% of what it may (--wal-retention-warning \(walRetentionWarning)%)")
        }
        if !status.slot.active && !allowInactive { problems.append("inactive: no consumer is streaming from the slot") }
        if let maxLag, let lag = status.lagBytes, lag > Int64(maxLag.bytes) {
            problems.append("lag \(lag) bytes exceeds --max-lag \(maxLag.bytes)")
        }
        if let maxLagSeconds, let lag = status.lagSeconds, lag > maxLagSeconds {
            problems.append("lag \(lag) s exceeds --max-lag-seconds \(maxLagSeconds)")
        }
        let lines = [
            "slot: \(status.slot.name)",
            "plugin: \(status.slot.plugin ?? "-")",
            "database: \(status.slot.database ?? "-")",
            "active: \(status.slot.active ? "yes (pid \(status.activePID.map(String.init) ?? "?"))" : "no")",
            "server_lsn: \(status.serverLSN)",
            "confirmed_flush_lsn: \(status.slot.confirmedFlushLSN?.description ?? "-")",
            "restart_lsn: \(status.slot.restartLSN?.description ?? "-")",
            "lag_bytes: \(status.lagBytes.map(String.init) ?? "-")",
            "lag_seconds: \(status.lagSeconds.map { String($0) } ?? "-")",
            "wal_retained_bytes: \(status.slot.walRetainedBytes.map(String.init) ?? "-")",
            "wal_retained: \(status.retention?.summary ?? "-")",
            "inactive_since: \(status.inactiveSince ?? "-")",
            "invalidation: \(status.invalidation?.name ?? "-")",
            "health: \(problems.isEmpty ? "ok" : problems.joined(separator: "; "))",
        ]
        do {
            try FileHandleOutput.standardOutput(lines.joined(separator: "\n") + "\n")
        } catch {
            throw CLIFailure.report(error)
        }
        if !problems.isEmpty { throw ExitCode(2) }
    }
}
