import Foundation
import PostgresCDCTesting
import TestSupport
import Testing

/// What pgcdc says about a slot before and after the server gives up on it: the WAL it retains
/// against `max_slot_wal_keep_size`, and every invalidation cause by name.
@Suite struct SlotLifecycleTests {
    /// A slot that retains a good part of `max_slot_wal_keep_size`: `status` shows the share and is
    /// unhealthy past `--wal-retention-warning`; the stream warns and records the metric.
    @Test func retainedWALIsReportedAgainstTheLimitByStatusAndTheStream() throws {
        let server = try TestServer.own(
            extraSettings: ["max_slot_wal_keep_size": "64MB"],
            setup: """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                INSERT INTO t SELECT g, repeat('x', 1000) FROM generate_series(1, 12000) g;
                """)
        defer { server.stop() }
        let dsn = server.dsn(database: "app")
        let healthy = try CLIProcess.run(["status", "--dsn", dsn, "--slot", "s", "--allow-inactive", "--wal-retention-warning", "90"])
        #expect(healthy.status == 0, "\(healthy.stdout) \(healthy.stderr)")
        #expect(healthy.stdout.contains("% of max_slot_wal_keep_size (64.0 MiB), wal_status reserved"), "\(healthy.stdout)")
        #expect(healthy.stdout.contains("invalidation: -"))
        let unhealthy = try CLIProcess.run(["status", "--dsn", dsn, "--slot", "s", "--allow-inactive", "--wal-retention-warning", "5"])
        #expect(unhealthy.status == 2)
        #expect(unhealthy.stdout.contains("of what it may (--wal-retention-warning 5.0%)"), "\(unhealthy.stdout)")

        let port = try FreePort.find()
        let stream = try BackgroundProcess(
            [
                "stream", "--dsn", dsn, "--slot", "s", "--publication", "pub", "--slot-check-interval", "1", "--wal-retention-warning",
                "5", "--metrics-addr", "127.0.0.1:\(port)",
            ], stdoutPath: "/dev/null", stderrPath: NSTemporaryDirectory() + "pgcdc-retention-\(getpid()).err")
        defer { stream.signal(SIGKILL); _ = stream.wait(timeout: 10) }
        let warned = eventually(timeout: 30) { stream.stderr.contains("the slot retains") }
        let metrics = MetricsTests.scrape(port: port) ?? ""
        #expect(metrics.contains("pgcdc_slot_wal_retained_bytes "), "\(metrics)")
        #expect(metrics.contains("pgcdc_slot_wal_retained_ratio 0."), "\(metrics)")
        stream.signal(SIGTERM)
        #expect(stream.wait(timeout: 30) == 0)
        #expect(warned, "stderr: \(stream.stderr)")
        #expect(stream.stderr.contains("of max_slot_wal_keep_size (64.0 MiB)"), "stderr: \(stream.stderr)")
    }

    /// PostgreSQL 18 invalidates a slot nothing streamed from for `idle_replication_slot_timeout`:
    /// the stream refuses it naming the cause, and `status` says so and is unhealthy.
    @Test func postgres18IdleTimeoutIsNamed() throws {
        let server = try TestServer.own(
            postgres18: true, extraSettings: ["idle_replication_slot_timeout": "1"],
            setup: """
                CREATE TABLE t (id int PRIMARY KEY);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                """)
        defer { server.stop() }
        let invalidated = eventually(timeout: 30) {
            _ = try? server.psql("CHECKPOINT", database: "app")
            return (try? server.psql("SELECT invalidation_reason FROM pg_replication_slots WHERE slot_name = 's'")) == "idle_timeout"
        }
        try #require(invalidated)
        let dsn = server.dsn(database: "app")
        let refused = try CLIProcess.run(["stream", "--dsn", dsn, "--slot", "s", "--publication", "pub"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it was invalidated (idle_timeout: nothing streamed from it for longer than"), "\(refused.stderr)")
        let status = try CLIProcess.run(["status", "--dsn", dsn, "--slot", "s", "--allow-inactive"])
        #expect(status.status == 2)
        #expect(status.stdout.contains("invalidation: idle_timeout"), "\(status.stdout)")
        #expect(status.stdout.contains("invalidated after 1 s inactive (idle_replication_slot_timeout)"), "\(status.stdout)")
    }
}
