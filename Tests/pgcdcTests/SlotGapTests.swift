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

        let recovered = try Self.recover(setup, ["--checkpoint", checkpoint, "--on-gap", "resnapshot"])
        let gap = try #require(recovered.gap)
        #expect(gap["reason"] as? String == "it is missing (a failover to a standby without a synced copy of it, or it was dropped)")
        #expect(gap["recovery"] as? String == "backfill" && gap["tables"] as? [String] == ["public.t"])
        #expect(gap["from_lsn"] as? String != nil && gap["from_lsn"] as? String != gap["to_lsn"] as? String)
        #expect(recovered.reads.map { $0["id"] as? Int } == [1, 2, 3], "every row, the one written in the gap too: \(recovered.output)")
        #expect(recovered.reads.allSatisfy { ($0["backfill"] as? String)?.hasPrefix("gap-") == true })
        #expect(recovered.lines.first?.contains("\"op\":\"gap\"") == true, "the gap comes first")
    }

    /// What a recovering run wrote: its lines, the gap line and the rows read again, once every
    /// backfill of the gap completed.
    struct Recovery {
        var output: String
        var lines: [Substring]
        var gap: [String: Any]?
        var reads: [[String: Any]]
    }

    /// Runs `pgcdc stream` with `extra` until the gap's backfills (or snapshot) are complete.
    static func recover(_ setup: SlotDatabase, _ extra: [String], snapshot: Bool = false) throws -> Recovery {
        let run = try BackgroundProcess(
            setup.arguments(extra), stdoutPath: "\(setup.scratch)/out-\(UUID())", stderrPath: "\(setup.scratch)/err-\(UUID())")
        defer { run.signal(SIGKILL); _ = run.wait(timeout: 10) }
        let done = eventually(timeout: 60) { run.stdout.contains(snapshot ? "\"op\":\"snapshot\"" : "\"op\":\"backfill_completed\"") }
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30) == 0)
        #expect(done, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let reads = objects.filter { $0["op"] as? String == "read" }.compactMap { $0["new"] as? [String: Any] == nil ? nil : $0 }
        return Recovery(
            output: run.stdout, lines: lines, gap: objects.first { $0["op"] as? String == "gap" },
            reads: reads.map { ($0["new"] as? [String: Any] ?? [:]).merging(["backfill": $0["backfill"] ?? NSNull()]) { $1 } }
                .sorted { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) })
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

        let recovered = try Self.recover(setup, ["--checkpoint", checkpoint, "--on-gap", "resnapshot"])
        #expect((recovered.gap?["reason"] as? String)?.contains("is past the checkpoint's") == true, "\(recovered.output)")
        #expect(recovered.reads.map { $0["id"] as? Int } == [1, 2, 3], "output: \(recovered.output.prefix(2000))")
    }

    /// A table without a primary key cannot be backfilled: the gap is recovered by a new snapshot.
    @Test func aGapWithAKeylessTableIsRecoveredByASnapshot() throws {
        let setup = try SlotDatabase.make(
            "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE log (line text); CREATE PUBLICATION pub FOR TABLE t, log;")
        defer { setup.remove() }
        try setup.sql("INSERT INTO t VALUES (1); INSERT INTO log VALUES ('a')")
        let checkpoint = "\(setup.scratch)/cp.json"
        let first = try CLIProcess.run(setup.arguments(["--checkpoint", checkpoint, "--end-lsn", try setup.currentLSN()]))
        #expect(first.status == 0, "stderr: \(first.stderr)")
        try setup.sql("SELECT pg_drop_replication_slot('\(setup.slot)'); INSERT INTO t VALUES (2); INSERT INTO log VALUES ('b')")
        let recovered = try Self.recover(setup, ["--checkpoint", checkpoint, "--on-gap", "resnapshot"], snapshot: true)
        #expect(recovered.gap?["recovery"] as? String == "snapshot", "\(recovered.output)")
        #expect(recovered.gap?["backfills"] as? [String] == [])
        #expect(recovered.gap?["tables"] as? [String] == ["public.log", "public.t"])
        #expect(recovered.reads.count == 4, "\(recovered.output)")
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

    /// A slot the server invalidated (`wal_removed`) behind a file sink: with `--on-gap resnapshot`
    /// the file gets the gap line and the table read again by a backfill, and a restart continues
    /// the file without another gap.
    @Test func anInvalidatedSlotBehindAFileIsRecoveredIntoTheFile() throws {
        let server = try TestServer.own(
            extraSettings: ["max_slot_wal_keep_size": "1MB", "max_wal_size": "32MB", "min_wal_size": "32MB"],
            setup: """
                CREATE TABLE t (id int PRIMARY KEY, v text);
                CREATE TABLE filler (v text);
                CREATE PUBLICATION pub FOR TABLE t;
                SELECT pg_create_logical_replication_slot('s', 'pgoutput');
                INSERT INTO t VALUES (1, 'before');
                """)
        defer { server.stop() }
        let directory = NSTemporaryDirectory() + "pgcdc-gapfile-\(UUID())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/changes.jsonl"
        let arguments = [
            "stream", "--dsn", server.dsn(database: "app"), "--slot", "s", "--publication", "pub", "--sink", "file:\(path)",
            "--on-empty-store", "continue",
        ]
        func end() throws -> String { try server.psql("SELECT pg_current_wal_insert_lsn()", database: "app") }
        let first = try CLIProcess.run(arguments + ["--end-lsn", try end()])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        try server.psql(
            """
            INSERT INTO t VALUES (2, 'in the gap');
            INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 20000);
            SELECT pg_switch_wal();
            CHECKPOINT;
            """, database: "app")
        #expect(try server.psql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 's'") == "lost")
        let recovering = try BackgroundProcess(
            arguments + ["--on-gap", "resnapshot"], stdoutPath: directory + "/out", stderrPath: directory + "/err")
        defer { recovering.signal(SIGKILL); _ = recovering.wait(timeout: 10) }
        let read = { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        #expect(eventually(timeout: 60) { read().contains("\"op\":\"backfill_completed\"") }, "stderr: \(recovering.stderr)")
        recovering.signal(SIGTERM)
        #expect(recovering.wait(timeout: 30) == 0)
        try server.psql("INSERT INTO t VALUES (3, 'after')", database: "app")
        let resumed = try CLIProcess.run(arguments + ["--on-gap", "resnapshot", "--end-lsn", try end()])
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        let lines = read().split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let gaps = objects.filter { $0["op"] as? String == "gap" }
        #expect(gaps.count == 1, "one gap, not one per start: \(read())")
        #expect((gaps.first?["reason"] as? String)?.contains("wal_removed") == true)
        let rows = objects.filter { $0["op"] as? String != "commit" && $0["new"] != nil }.map {
            "\($0["op"] ?? "") \(($0["new"] as? [String: Any])?["v"] ?? "")"
        }
        #expect(rows == ["insert before", "read before", "read in the gap", "insert after"], "\(read())")
        let validation = try CLIProcess.validate(read())
        #expect(validation.status == 0, "\(validation.stdout) \(validation.stderr)")
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
