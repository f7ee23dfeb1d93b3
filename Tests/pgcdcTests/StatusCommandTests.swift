import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// `pgcdc status` as a health check: its output and its exit codes.
@Suite struct StatusCommandTests {
    @Test func statusReportsLagAndExitsTwoWhenUnhealthy() throws {
        let setup = try SlotDatabase.make("CREATE TABLE t (id int PRIMARY KEY, v text); CREATE PUBLICATION pub FOR TABLE t;")
        defer { setup.remove() }
        _ = try setup.sql("INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g")
        // The test server commits asynchronously: wait until the WAL writer has written the rows out,
        // since the lag is measured from the server's written position (a CI run saw 20 kB of 130).
        let inserted = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        _ = try eventually { try setup.sql("SELECT pg_current_wal_lsn() >= '\(inserted)'::pg_lsn") == "t" }
        let base = ["status", "--dsn", setup.dsn, "--slot", setup.slot]

        let inactive = try CLIProcess.run(base)
        #expect(inactive.status == 2)
        #expect(inactive.stdout.contains("active: no"))
        #expect(inactive.stdout.contains("health: inactive"))
        let lagLine = inactive.lines.first { $0.hasPrefix("lag_bytes: ") } ?? ""
        let lag = Int(lagLine.dropFirst("lag_bytes: ".count)) ?? 0
        #expect(lag > 50_000, "1,000 rows of 100 bytes were not consumed: \(lagLine)")

        #expect(try CLIProcess.run(base + ["--allow-inactive", "--max-lag", "1G"]).status == 0)
        let over = try CLIProcess.run(base + ["--allow-inactive", "--max-lag", "10K"])
        #expect(over.status == 2)
        #expect(over.stdout.contains("exceeds --max-lag 10240"), "\(over.stdout)")

        // A consumer that caught up: active and healthy.
        let run = try BackgroundProcess(
            setup.arguments(["--status-interval", "0.2"]), stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err")
        let caughtUp = try eventually {
            let status = try CLIProcess.run(base + ["--max-lag", "64K"])
            return status.status == 0 && status.stdout.contains("active: yes")
        }
        #expect(caughtUp, "stderr: \(run.stderr)")
        run.signal(SIGTERM)
        _ = run.wait(timeout: 10)

        let missing = try CLIProcess.run(["status", "--dsn", setup.dsn, "--slot", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("replication slot \"nope\" does not exist"))
    }
}
