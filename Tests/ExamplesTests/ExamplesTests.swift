import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// The examples run as their users would run them, against real servers.
@Suite struct ExamplesTests {
    static var binaries: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func run(_ example: String, _ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run("/usr/bin/timeout", ["-s", "KILL", "120", binaries.appendingPathComponent(example).path] + arguments)
    }

    static let itemsTable = "CREATE TABLE items (id int PRIMARY KEY, name text, qty int, note text);"

    /// A source database with `items` (and `tables`) published, a target with the same tables, and
    /// the ETL job run once up to the source's current position (creating its slot).
    static func startedETLJob(slotPrefix: String, tables: String = "") throws -> (
        server: LocalPostgresServer, source: String, target: String, slot: String, sourceDSN: String, targetDSN: String
    ) {
        let (server, source) = try TestServer.freshDatabase()
        let (_, target) = try TestServer.freshDatabase()
        try server.psql(itemsTable + tables + "CREATE PUBLICATION pub FOR TABLE items;", database: source)
        try server.psql(itemsTable + tables, database: target)
        let slot = slotPrefix + source
        let sourceDSN = server.dsn(database: source)
        let targetDSN = server.dsn(database: target)
        let start = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)
        let first = try run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", start])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        return (server, source, target, slot, sourceDSN, targetDSN)
    }

    @Test func theETLJobAppliesEveryChangeExactlyOnceAcrossAKill() throws {
        let (server, source) = try TestServer.freshDatabase()
        let (_, target) = try TestServer.freshDatabase()
        try server.psql(Self.itemsTable + "CREATE PUBLICATION pub FOR TABLE items;", database: source)
        try server.psql(Self.itemsTable, database: target)
        let slot = "etl_\(source)"
        let sourceDSN = server.dsn(database: source)
        let targetDSN = server.dsn(database: target)

        // A first run creates the slot, then stops at the current position.
        let start = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)
        let first = try Self.run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", start])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")

        try server.psql(
            """
            INSERT INTO items SELECT g, 'item ' || g, g, repeat('n', g % 7) FROM generate_series(1, 50) g;
            UPDATE items SET qty = qty * 10 WHERE id % 3 = 0;
            UPDATE items SET id = id + 1000 WHERE id = 7;
            DELETE FROM items WHERE id % 5 = 0;
            UPDATE items SET note = NULL WHERE id = 1;
            """, database: source)
        for batch in 0..<200 {
            try server.psql(
                "INSERT INTO items SELECT g, 'bulk', \(batch), 'x' FROM generate_series(\(2000 + batch * 10), \(2009 + batch * 10)) g",
                database: source)
        }
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)

        // Kill the job part-way: the source's slot has heard nothing (status every 10 s), so the
        // restart gets transactions the target already committed — and must not apply them again.
        let killed = try ProcessRunner.run(
            "/bin/bash",
            [
                "-c",
                """
                \(Self.binaries.appendingPathComponent("ETLToPostgres").path) \
                '\(sourceDSN)' '\(targetDSN)' \(slot) pub \(end) > /dev/null 2>&1 &
                pid=$!; sleep 0.4; kill -9 $pid; wait $pid; echo $?
                """,
            ])
        #expect(
            killed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "137",
            "the job should have been killed mid-way: \(killed.stdout)")
        let appliedBefore = try server.psql("SELECT count(*) FROM cdc_log", database: target)

        var finished = try Self.run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", end])
        for _ in 0..<50 where finished.status != 0 && finished.stdout.contains("is in use") {
            usleep(100_000)
            finished = try Self.run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", end])
        }
        #expect(finished.status == 0, "\(finished.stdout) \(finished.stderr)")

        let query = "SELECT string_agg(format('%s|%s|%s|%s', id, name, qty, note), ';' ORDER BY id) FROM items"
        #expect(try server.psql(query, database: target) == (try server.psql(query, database: source)))
        // 50 inserts, 16 updates, 1 key update (one event), 10 deletes, 1 update, 2000 bulk
        // inserts: every event logged exactly once (a repeat would have violated cdc_log's key).
        #expect(try server.psql("SELECT count(*) FROM cdc_log", database: target) == "2078", "applied before the kill: \(appliedBefore)")
        #expect(try server.psql("SELECT lsn > '\(start)'::pg_lsn FROM pgcdc_checkpoint WHERE slot = '\(slot)'", database: target) == "t")
    }

    /// A table added to the publication later is backfilled while the job runs and a writer changes
    /// it (values stored out of line and left out of updates, key changes, deletes): the target
    /// ends up equal to the source.
    @Test func theETLJobAppliesABackfillWhileTheTableChanges() throws {
        let late =
            "CREATE TABLE late (id int PRIMARY KEY, v int NOT NULL, note text); ALTER TABLE late ALTER COLUMN note SET STORAGE EXTERNAL;"
        let (server, source, target, slot, sourceDSN, targetDSN) = try Self.startedETLJob(slotPrefix: "etl_backfill_", tables: late)
        // Rows the stream never saw: only a backfill brings them.
        let bigNote = "(SELECT string_agg(md5(random()::text || i), '') FROM generate_series(1, 200) i)"
        try server.psql(
            "INSERT INTO late SELECT g, g, CASE WHEN g % 50 = 0 THEN \(bigNote) ELSE 'n' END FROM generate_series(1, 20000) g;"
                + "ALTER PUBLICATION pub ADD TABLE late;", database: source)
        let job = try BackgroundProcess(
            [sourceDSN, targetDSN, slot, "pub"], stdoutPath: "/dev/null", stderrPath: NSTemporaryDirectory() + "etl-\(source).err",
            executable: Self.binaries.appendingPathComponent("ETLToPostgres").path)
        defer { job.signal(SIGKILL) }
        usleep(500_000)
        try BackfillControl.request(BackfillRequest(table: "late", chunkSize: 1000), slot: slot, dsn: sourceDSN)
        let writer = try PostgresConnection(dsn: sourceDSN, replication: false)
        defer { writer.close() }
        for step in 0..<600 {
            let id = Int.random(in: 1...20000)
            switch step % 5 {
            case 0, 1: try writer.query("UPDATE late SET v = v + 1 WHERE id = \(id)")
            case 2: try writer.query("UPDATE late SET id = id + 100000 WHERE id = \(id)")
            case 3: try writer.query("DELETE FROM late WHERE id = \(id)")
            default: try writer.query("UPDATE late SET note = \(bigNote) WHERE id = \(id)")
            }
        }
        let query = "SELECT md5(string_agg(format('%s|%s|%s', id, v, md5(note)), ';' ORDER BY id)) FROM late"
        let expected = try server.psql(query, database: source)
        #expect(eventually(timeout: 120) { (try? server.psql(query, database: target)) == expected }, "\(job.stderr)")
        job.signal(SIGTERM)
        #expect(job.wait(timeout: 30) == 0, "\(job.stderr)")
    }

    /// The source's slot is lost (dropped, as after a failover without a synced copy) while rows
    /// are inserted and deleted: the job meets the gap, clears the tables and reloads them, so the
    /// target ends equal to the source — the row deleted in the gap gone too.
    @Test func theETLJobReloadsTheTablesAfterAGap() throws {
        let (server, source, target, slot, sourceDSN, targetDSN) = try Self.startedETLJob(slotPrefix: "etl_gap_")
        try server.psql("INSERT INTO items SELECT g, 'item', g, NULL FROM generate_series(1, 10) g", database: source)
        let streamed = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)
        #expect(try Self.run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", streamed]).status == 0)
        #expect(try server.psql("SELECT count(*) FROM items", database: target) == "10")
        try server.psql(
            "SELECT pg_drop_replication_slot('\(slot)'); DELETE FROM items WHERE id = 3; INSERT INTO items VALUES (11, 'new', 1, NULL)",
            database: source)
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)
        let recovered = try Self.run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", end])
        #expect(recovered.status == 0, "\(recovered.stdout) \(recovered.stderr)")
        #expect(recovered.stderr.contains("were lost"), "\(recovered.stderr)")
        let query = "SELECT string_agg(id::text, ',' ORDER BY id) FROM items"
        #expect(try server.psql(query, database: target) == (try server.psql(query, database: source)))
    }

    /// A key change that leaves an out-of-line value alone: the server sends that value as
    /// "unchanged", and the job must keep what the target stored (it used to delete the old row and
    /// insert the new one, so the value ended NULL).
    @Test func theETLJobKeepsAnOutOfLineValueAcrossAKeyChange() throws {
        let (server, source, target, slot, sourceDSN, targetDSN) = try Self.startedETLJob(slotPrefix: "etl_toast_")
        // Random hex is incompressible: 6,400 characters stored out of line.
        try server.psql(
            """
            INSERT INTO items SELECT g, 'item', 1, (SELECT string_agg(md5(random()::text || i), '') FROM generate_series(1, 200) i)
              FROM generate_series(1, 3) g;
            UPDATE items SET id = id + 100 WHERE id = 1;
            UPDATE items SET id = id + 100, qty = 5 WHERE id = 2;
            UPDATE items SET qty = 7 WHERE id = 3;
            """, database: source)
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)
        let run = try Self.run("ETLToPostgres", [sourceDSN, targetDSN, slot, "pub", end])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let query = "SELECT string_agg(format('%s|%s|%s|%s', id, qty, length(note), md5(note)), ';' ORDER BY id) FROM items"
        let expected = try server.psql(query, database: source)
        #expect(expected.contains("101|1|6400|"))
        #expect(try server.psql(query, database: target) == expected)
    }

    /// A new slot starts with a snapshot: the job clears the tables it copies first, so rows the
    /// target held from before (a stale row, an old value) do not survive — an empty table included.
    @Test func theETLJobClearsTheTablesASnapshotCopies() throws {
        let (server, source) = try TestServer.freshDatabase()
        let (_, target) = try TestServer.freshDatabase()
        let empty = "CREATE TABLE empty (id int PRIMARY KEY);"
        try server.psql(
            Self.itemsTable + empty + "INSERT INTO items VALUES (1, 'one', 1, NULL), (2, 'two', 2, 'x');"
                + "CREATE PUBLICATION pub FOR TABLE items, empty;", database: source)
        try server.psql(
            Self.itemsTable + empty
                + "INSERT INTO items VALUES (1, 'old', 0, NULL), (999, 'stale', 9, NULL); INSERT INTO empty VALUES (5);",
            database: target)
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: source)
        let run = try Self.run(
            "ETLToPostgres", [server.dsn(database: source), server.dsn(database: target), "etl_snap_\(source)", "pub", end])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let query = "SELECT string_agg(format('%s|%s|%s|%s', id, name, qty, note), ';' ORDER BY id) FROM items"
        #expect(try server.psql(query, database: target) == (try server.psql(query, database: source)))
        #expect(try server.psql("SELECT count(*) FROM empty", database: target) == "0")
    }

    @Test func theSegmentSinkWritesEachTransactionOnceAcrossRuns() throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(Self.itemsTable + "CREATE PUBLICATION pub FOR TABLE items;", database: database)
        let dsn = server.dsn(database: database)
        let slot = "seg_\(database)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-segments-\(database)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let start = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        #expect(try Self.run("SegmentSink", [dsn, slot, "pub", directory, start]).status == 0)
        for id in 1...5 {
            try server.psql("INSERT INTO items (id, name) VALUES (\(id), 'n')", database: database)
        }
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let run = try Self.run("SegmentSink", [dsn, slot, "pub", directory, end])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let again = try Self.run("SegmentSink", [dsn, slot, "pub", directory, end])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var lines: [String] = []
        for name in names {
            lines += try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(names.allSatisfy { $0.hasSuffix(".jsonl") }, "\(names)")
        // The first run's (empty) snapshot, then the five inserts, each once.
        #expect(lines.filter { $0.hasPrefix(#"{"op":"snapshot""#) }.count == 1, "\(lines)")
        let inserts = lines.filter { $0.hasPrefix(#"{"op":"insert""#) }
        #expect(inserts.count == 5, "\(lines)")
        #expect(Set(inserts).count == 5)
    }
}
