import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// The slot pgcdc was resuming from is gone (a failover without failover slots, a dropped slot):
/// re-creating it silently would skip every change since the checkpoint, so pgcdc refuses — or,
/// with `--on-gap resnapshot`, re-creates it and copies the tables again.
@Suite struct SlotGapTests {
    @Test func aMissingSlotBehindACheckpointIsRefusedOrResnapshotted() throws {
        let setup = try SlotDatabase.make("""
            CREATE TABLE t (id int PRIMARY KEY, v text);
            CREATE PUBLICATION pub FOR TABLE t;
            INSERT INTO t VALUES (1, 'before');
            """)
        defer { setup.remove() }
        try setup.sql("INSERT INTO t VALUES (2, 'streamed')")
        let checkpoint = "\(setup.scratch)/cp.json"
        let first = try CLIProcess.run(setup.arguments(["--checkpoint", checkpoint, "--end-lsn", try setup.currentLSN()]))
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("\"streamed\""))

        // The slot disappears (as on a standby promoted without a synced copy); meanwhile a row is written.
        try setup.sql("SELECT pg_drop_replication_slot('\(setup.slot)'); INSERT INTO t VALUES (3, 'in the gap')")
        let refused = try CLIProcess.run(setup.arguments(["--checkpoint", checkpoint, "--create-slot", "--snapshot", "never"]))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("replication slot \"\(setup.slot)\" is missing"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("--on-gap resnapshot"))

        let resnapshot = try BackgroundProcess(
            setup.arguments(["--checkpoint", checkpoint, "--on-gap", "resnapshot"]),
            stdoutPath: "\(setup.scratch)/out", stderrPath: "\(setup.scratch)/err"
        )
        defer { resnapshot.signal(SIGKILL); _ = resnapshot.wait(timeout: 10) }
        let copied = eventually(timeout: 60) { resnapshot.stdout.contains("\"op\":\"snapshot\"") }
        resnapshot.signal(SIGTERM)
        #expect(resnapshot.wait(timeout: 30) == 0)
        #expect(copied, "stderr: \(resnapshot.stderr)")
        let reads = resnapshot.stdout.split(separator: "\n").filter { $0.contains("\"op\":\"read\"") }
        #expect(reads.count == 3 && reads.contains { $0.contains("in the gap") }, "output: \(resnapshot.stdout.prefix(2000))")
    }
}
