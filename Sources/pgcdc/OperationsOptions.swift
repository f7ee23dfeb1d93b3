import ArgumentParser
import PostgresCDC

/// `pgcdc stream`'s running: metrics, status updates and heartbeats to the server, checks of the
/// WAL the slot retains, when the server counts as gone and how to reconnect, and the statistics line.
struct OperationsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics on GET /metrics: :9187 on every interface, 127.0.0.1:9187 or [::1]:9187 on loopback.",
            valueName: "host:port"),
        transform: { text in try MetricsAddress(parsing: text) })
    var metricsAddr: MetricsAddress?

    @Option(help: ArgumentHelp("Seconds between status updates to the server.", valueName: "seconds"))
    var statusInterval: Double = 10

    @Option(
        help: ArgumentHelp(
            "Emit a heartbeat message (pg_logical_emit_message) every so many seconds, so the slot advances even when nothing it "
                + "publishes changes.",
            valueName: "seconds"))
    var heartbeatInterval: Double?

    @Option(
        help: ArgumentHelp(
            "Warn (and say so in the metrics) when the WAL the slot retains passes this percentage of max_slot_wal_keep_size, or "
                + "of the WAL disk where that is unlimited; checked every minute.",
            valueName: "percent"))
    var walRetentionWarning: Double = 50

    @Option(help: ArgumentHelp("Seconds between checks of the WAL the slot retains; 0: no checks.", valueName: "seconds"))
    var slotCheckInterval: Double = 60

    @Option(
        help: ArgumentHelp(
            "When the connection is lost after streaming started: the longest wait between attempts to reconnect, in seconds "
                + "(exponential from 0.5 s, with jitter).",
            valueName: "seconds"))
    var reconnectMaxDelay: Double = 30

    @Option(
        help: ArgumentHelp(
            "Treat the connection as dead after this many seconds without a message from the server (half-way, pgcdc asks for one); 0: "
                + "never.",
            valueName: "seconds"))
    var serverTimeout: Double = 30

    @Option(
        help: ArgumentHelp(
            "Attempts to reconnect after a lost connection before giving up (default: forever; 0: exit at once).", valueName: "n"))
    var reconnectAttempts: Int?

    @Flag(help: "At the end, write a statistics line 'BENCHSTATS {json}' on stderr.")
    var stats = false

    func validate() throws {
        if statusInterval <= 0 || !statusInterval.isFinite {
            throw ValidationError("--status-interval must be a positive number of seconds")
        }
        if let heartbeatInterval, heartbeatInterval <= 0 || !heartbeatInterval.isFinite {
            throw ValidationError("--heartbeat-interval must be a positive number of seconds")
        }
        if slotCheckInterval < 0 || !slotCheckInterval.isFinite {
            throw ValidationError("--slot-check-interval must be 0 or a positive number of seconds")
        }
        if !(walRetentionWarning > 0 && walRetentionWarning <= 100) {
            throw ValidationError("--wal-retention-warning must be a percentage above 0 and at most 100")
        }
        if reconnectMaxDelay <= 0 || !reconnectMaxDelay.isFinite {
            throw ValidationError("--reconnect-max-delay must be a positive number of seconds")
        }
        if serverTimeout < 0 || !serverTimeout.isFinite {
            throw ValidationError("--server-timeout must be 0 (never) or a number of seconds")
        }
        if let reconnectAttempts, reconnectAttempts < 0 { throw ValidationError("--reconnect-attempts must be 0 or more") }
    }

}
