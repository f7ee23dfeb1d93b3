import Foundation
import TestSupport
import Testing
@testable import PostgresCDC

/// The slot pgcdc was resuming from is gone (a failover without failover slots, a dropped slot):
/// re-creating it silently would skip every change since the checkpoint, so pgcdc refuses — or,
/// with `--on-gap resnapshot`, re-creates it and copies the tables again.
@Suite struct SlotGapTests {
    @Test func aMissingSlotBehindACheckpointIsRefusedOrResnapshotted() throws {
        let setup = try SlotDatabase.make(
            """
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

    /// Something else consumed the slot past the checkpoint (here: `pg_replication_slot_advance`,
    /// as another consumer of the slot would): the rows in between never reached this sink, so
    /// pgcdc refuses; `--on-gap resnapshot` drops the slot and copies the table again.
    @Test func aSlotConfirmedPastTheCheckpointIsAGap() throws {
        let setup = try SlotDatabase.make(
            """
            CREATE TABLE t (id int PRIMARY KEY, v text);
            CREATE PUBLICATION pub FOR TABLE t;
            """)
        defer { setup.remove() }
        try setup.sql("INSERT INTO t VALUES (1, 'streamed')")
        let checkpoint = "\(setup.scratch)/cp.json"
        let first = try CLIProcess.run(setup.arguments(["--checkpoint", checkpoint, "--end-lsn", try setup.currentLSN()]))
        #expect(first.status == 0, "stderr: \(first.stderr)")
        // Committed with a WAL flush: a slot is advanced at most to the flushed position.
        try setup.sql("SET synchronous_commit = on; INSERT INTO t VALUES (2, 'consumed by someone else')")
        try setup.sql("SELECT pg_replication_slot_advance('\(setup.slot)', pg_current_wal_lsn())")
        try setup.sql("INSERT INTO t VALUES (3, 'after')")
        let refused = try CLIProcess.run(setup.arguments(["--checkpoint", checkpoint, "--end-lsn", try setup.currentLSN()]))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("replication slot \"\(setup.slot)\""), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("is past the checkpoint's"), "stderr: \(refused.stderr)")
        #expect(!refused.stdout.contains("\"after\""))

        let resnapshot = try CLIProcess.run(
            setup.arguments(["--checkpoint", checkpoint, "--on-gap", "resnapshot", "--end-lsn", try setup.currentLSN()]))
        #expect(resnapshot.status == 0, "stderr: \(resnapshot.stderr)")
        let reads = resnapshot.stdout.split(separator: "\n").filter { $0.contains("\"op\":\"read\"") }
        #expect(reads.count == 3, "output: \(resnapshot.stdout.prefix(2000))")
        #expect(resnapshot.stderr.contains("dropping and re-creating it"), "stderr: \(resnapshot.stderr)")
    }

    /// A slot the server invalidated (its WAL was removed past `max_slot_wal_keep_size`) cannot be
    /// decoded from its confirmed position: refused with the server's reason.
    @Test func anInvalidatedSlotIsRefused() throws {
        let server = try TestServer.own(
            extraSettings: ["max_slot_wal_keep_size": "1MB", "max_wal_size": "32MB", "min_wal_size": "32MB"],
            setup: """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                INSERT INTO t SELECT g, repeat('x', 1000) FROM generate_series(1, 20000) g;
                SELECT pg_switch_wal();
                CHECKPOINT;
                """)
        defer { server.stop() }
        let status = try server.psql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 's'")
        #expect(status == "lost")
        let refused = try CLIProcess.run(["stream", "--dsn", server.dsn(database: "app"), "--slot", "s", "--publication", "pub"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it was invalidated"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("--on-gap resnapshot"), "stderr: \(refused.stderr)")
    }

    /// PostgreSQL 18: the slots pgcdc creates are failover slots (also when made by copying the
    /// snapshot's slot), unless `--no-failover-slot`; a slot that is not is warned about.
    @Test func slotsCreatedOnPostgres18AreFailoverSlots() throws {
        let (server, database) = try TestServer.freshDatabase18()
        try server.psql(
            "CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t; INSERT INTO t VALUES (1);", database: database)
        func run(_ slot: String, _ extra: [String]) throws -> CLIResult {
            let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
            return try CLIProcess.run(
                ["stream", "--dsn", server.dsn(database: database), "--slot", slot, "--publication", "pub", "--end-lsn", end] + extra)
        }
        func failover(_ slot: String) throws -> String {
            try server.psql("SELECT failover FROM pg_replication_slots WHERE slot_name = '\(slot)'")
        }
        let never = "n_\(database)", initial = "i_\(database)", off = "o_\(database)"
        let created = try run(never, ["--create-slot", "--snapshot", "never"])
        #expect(created.status == 0, "stderr: \(created.stderr)")
        #expect(try failover(never) == "t")
        #expect(created.stderr.contains("logged a standby snapshot"), "stderr: \(created.stderr)")
        let copied = try run(initial, ["--create-slot", "--snapshot", "initial"])
        #expect(copied.status == 0, "stderr: \(copied.stderr)")
        #expect(try failover(initial) == "t")
        let plain = try run(off, ["--create-slot", "--snapshot", "never", "--no-failover-slot"])
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
        #expect(try failover(off) == "f")
        let warned = try run(off, [])
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("slot is not a failover slot"), "stderr: \(warned.stderr)")
        for slot in [never, initial, off] { try server.psql("SELECT pg_drop_replication_slot('\(slot)')") }
    }
}
